// mmsim: progress on stderr when it is a terminal — large boots and compare runs — and never on a pipe
import { describe, expect, it } from "vitest";
import { main } from "./main.ts";
import { PROGRESS_MIN_BOOT_BYTES, formatBytes } from "./progress.ts";

/** A stderr that says it is a terminal, recording what is drawn on it. */
function terminal() {
  const t = {
    text: "",
    isTTY: true,
    columns: 100,
    write: (s: string) => ((t.text += s), true),
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
    clearScreenDown: () => true,
  };
  return t;
}

async function mmsim(args: readonly string[], tty: boolean): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  const err = terminal();
  const code = await main(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: tty ? err : { write: (s: string) => (err.text += s) }, isTTY: tty });
  return { code, stdout, stderr: err.text };
}

describe("progress on a terminal", () => {
  it("a board of 4 GiB or more says it is booting, then erases the line; smaller ones and pipes print nothing", async () => {
    expect(PROGRESS_MIN_BOOT_BYTES).toBe(4 * 1024 ** 3);
    const big = await mmsim(["cat", "/proc/buddyinfo", "--mem", "4G"], true);
    expect(big.code).toBe(0);
    expect(big.stderr).toBe("mmsim: booting 4 GiB, 2 CPUs, 1 node…\r\x1b[2K");
    const piped = await mmsim(["cat", "/proc/buddyinfo", "--mem", "4G"], false);
    expect(piped.stderr).toBe("");
    expect(piped.stdout).toBe(big.stdout);
    expect((await mmsim(["cat", "/proc/buddyinfo", "--mem", "1G"], true)).stderr).toBe("");
  }, 60_000 /* boots 4 GiB boards: seconds each on a loaded 2-core CI machine */);

  it("compare draws one bar over its runs on stderr; stdout is the same as on a pipe", async () => {
    const args = ["compare", "--vary", "slab=slab,slub", "--mem", "256M"];
    const tty = await mmsim(args, true);
    const piped = await mmsim(args, false);
    expect(tty.code).toBe(0);
    expect(tty.stdout).toBe(piped.stdout);
    expect(piped.stderr).toBe("");
    expect(tty.stderr).toMatch(/compare \[.*\] 0\/2 runs \| slab=slab: (loading|booting)/);
    expect(tty.stderr).toMatch(/compare \[.*\] 2\/2 runs \| slab=slub: /);
  }, 60_000 /* boots several 256 MiB boards: seconds on a loaded 2-core CI machine */);

  it("formats board sizes", () => {
    expect([formatBytes(64 * 1024 ** 3), formatBytes(1.5 * 1024 ** 3), formatBytes(512 * 1024 ** 2)]).toEqual(["64 GiB", "1.5 GiB", "512 MiB"]);
  });
});
