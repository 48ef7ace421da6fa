// mmsim compare --vary kernel.policies.reclaim=lru,mglru,<a user's file>: the example CLOCK policy (examples/policies/second-chance.mjs) runs beside 6.1's two LRUs on a small tmpfs-into-zram workload (issue 16's quality-bar workload, scaled down to 128 MiB)
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { main } from "./main.ts";

const policy = fileURLToPath(new URL("../../../examples/policies/second-chance.mjs", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "mmsim-compare-reclaim-"));
const file = join(dir, "tmpfs-zram.yaml");
// 128 MiB of tmpfs files on a 128 MiB board with zram, then the older half read again.
writeFileSync(file, `machine:
  memory: 128M
  cpus: 2
workload:
  - zram: { size: 128M }
  - mkdir: { path: /mnt }
  - mkdir: { path: /mnt/work }
  - mount: { path: /mnt/work, options: "size=1g" }
  - open: { as: a, path: /mnt/work/a, flags: [wronly, creat, trunc] }
  - write: { fd: a, size: 64M, content: text, value: 1, compress: 0.548, returns: 64M }
  - close: { fd: a }
  - open: { as: b, path: /mnt/work/b, flags: [wronly, creat, trunc] }
  - write: { fd: b, size: 64M, content: text, value: 2, compress: 0.548, returns: 64M }
  - close: { fd: b }
  - open: { as: r, path: /mnt/work/a, flags: [rdonly] }
  - read: { fd: r, size: 64M, returns: 64M }
  - close: { fd: r }
`);

async function mmsim(args: string[]) {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, isTTY: false });
  return { code, stdout, stderr };
}

/** The figures of one row, by column. */
function row(stdout: string, label: string): number[] {
  const line = stdout.split("\n").find((l) => l.startsWith(label));
  if (line === undefined) throw new Error(`no row "${label}" in:\n${stdout}`);
  return line.slice(label.length).trim().split(/\s+/).map(Number);
}

describe("mmsim compare with a user's reclaim policy from a file", () => {
  // Three machines each write 128 MiB through reclaim into zram (~37,000 pages reclaimed each):
  // about 1 s of CPU per machine here, several on a loaded 2-core CI machine.
  it("runs lru, mglru and examples/policies/second-chance.mjs side by side", { timeout: 120_000 }, async () => {
    const r = await mmsim(["compare", file, "--vary", `kernel.policies.reclaim=lru,mglru,${policy}`]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout.split("\n")[0]).toMatch(/^kernel\.policies\.reclaim = +lru +mglru +\S+second-chance\.mjs$/);
    const [lru, mglru, clock] = row(r.stdout, "pages reclaimed (pgsteal_*)");
    // Each policy had to reclaim about the 128 MiB it wrote beyond what fits (32,768 pages), give or take the free memory.
    for (const n of [lru!, mglru!, clock!]) expect(n).toBeGreaterThan(20_000);
    // CLOCK rotates referenced pages and counts them as scanned: it scans more per page reclaimed.
    const scanned = row(r.stdout, "pages scanned (pgscan_*)");
    expect(scanned[2]! / clock!).toBeGreaterThan(scanned[0]! / lru!);
    // Every page of the reread file that had gone to zram comes back through a swap-in under each policy.
    const swapins = row(r.stdout, "swap-ins (pswpin)");
    expect(swapins[2]).toBeGreaterThan(10_000);
    expect(row(r.stdout, "failed allocations")).toEqual([0, 0, 0]);
  });
});
