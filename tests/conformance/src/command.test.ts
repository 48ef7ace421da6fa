// mmsim: tests of `mmsim conformance`'s body — which capture, which board, a capture of one's own, the report's shape
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { DEFAULT_SCENARIO_FILE } from "@mmsim/machine";
import { afterAll, describe, expect, it } from "vitest";
import {
  type Check, CONFORMANCE_FAILED, CONFORMANCE_OK, type ConformanceCommandOptions, REPORT_WIDTH, conformanceCommand, findFixture, formatReport,
} from "./index.ts";

/** The smallest capture: its boot is the quickest. */
const SMALL = findFixture({ name: "virt-256m-2cpu" });

/** Boots of a 256 MiB board (and at most one what-if boot): well under a second alone, more on a loaded CI machine. */
const BOOT_TIMEOUT_MS = 60_000;

async function run(opts: Partial<ConformanceCommandOptions>): Promise<{ status: number; out: string }> {
  let out = "";
  const status = await conformanceCommand({ scenarioFile: DEFAULT_SCENARIO_FILE, overrides: { set: [] }, ...opts }, { write: (s: string) => (out += s) });
  return { status, out };
}

const scratch = mkdtempSync(join(tmpdir(), "mmsim-conformance-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A copy of the small capture under `name`, without the files in `drop`. */
function ownCapture(name: string, drop: readonly string[] = []): string {
  const dir = join(scratch, name);
  cpSync(SMALL.dir, dir, { recursive: true });
  for (const f of drop) rmSync(join(dir, f));
  return dir;
}

describe("mmsim conformance --fixture", () => {
  it("boots the capture's board from its capture.json, whatever the scenario's own board", async () => {
    const r = await run({ fixture: "virt-256m-2cpu", json: true, overrides: { set: [] } });
    const j = JSON.parse(r.out) as { fixture: { name: string }; board: unknown; summary: { failed: number } };
    expect(j.fixture.name).toBe("linux-6.1-arm64/virt-256m-2cpu");
    expect(j.board).toEqual({ memory: "256M", cpus: 2, nodes: 1 });
    expect([r.status, j.summary.failed]).toEqual([CONFORMANCE_OK, 0]);
  }, BOOT_TIMEOUT_MS);

  it("takes a directory holding a capture of one's own, relative to cwd", async () => {
    const dir = ownCapture("mine");
    const r = await run({ fixture: relative(scratch, dir), cwd: scratch });
    expect(r.out).toMatch(/^mmsim conformance: mine\n/);
    expect(r.status).toBe(CONFORMANCE_OK);
  }, BOOT_TIMEOUT_MS);

  it("names the file a directory lacks, and says what to put there", async () => {
    await expect(run({ fixture: ownCapture("no-json", ["capture.json"]) })).rejects.toThrow(
      /--fixture .*no-json: expected a capture directory with capture\.json, dmesg, proc_zoneinfo, proc_meminfo, got no capture\.json in it: add a capture\.json \{"kernel", "qemu", "cmdline", "mem" \(e\.g\. "512M"\), "smp" \(a number\), "how"\}/,
    );
    await expect(run({ fixture: ownCapture("no-zoneinfo", ["proc_zoneinfo"]) })).rejects.toThrow(/got no proc_zoneinfo in it: add the file proc_zoneinfo, as tools\/real-kernel\/capture writes it/);
    const bad = ownCapture("bad-json");
    writeFileSync(join(bad, "capture.json"), JSON.stringify({ kernel: "k", qemu: "q", cmdline: "c", mem: "256M", how: "h" }));
    await expect(run({ fixture: bad })).rejects.toThrow(/capture\.json: smp: expected a positive integer, got undefined/);
  });

  it("refuses a name that is neither a capture nor a directory, listing the captures", async () => {
    await expect(run({ fixture: "virt-3g-3cpu" })).rejects.toThrow(/--fixture: expected the name of a real capture \(.*virt-256m-2cpu.*\) or a directory holding one, got virt-3g-3cpu \(no such capture or directory\)/);
  });

  it("refuses --mem, --smp or --set machine.* that name another board than the capture's", async () => {
    await expect(run({ fixture: "virt-256m-2cpu", overrides: { mem: "1G", set: [] } })).rejects.toThrow(/--mem: expected the capture's RAM \(256M\) or no --mem/);
    await expect(run({ fixture: "virt-256m-2cpu", overrides: { smp: "4", set: [] } })).rejects.toThrow(/--smp: expected the capture's CPUs \(2\) or no --smp/);
    await expect(run({ fixture: "virt-256m-2cpu", overrides: { set: ["machine.cpus=3"] } })).rejects.toThrow(/--set machine\.\*: expected the board of .*virt-256m-2cpu \(256M, 2 CPUs\), got 256M, 3 CPUs/);
    await expect(run({ fixture: "virt-256m-2cpu", overrides: { nodes: "2", set: [] } })).rejects.toThrow(/--nodes: expected 1 \(the captures are single-node boards\), got 2/);
  });

  it("without --fixture picks the capture of the scenario's board (--mem/--smp)", async () => {
    const r = await run({ overrides: { mem: "256M", smp: 2, set: [] }, failures: true });
    expect(r.out).toMatch(/^mmsim conformance: linux-6\.1-arm64\/virt-256m-2cpu\n/);
    expect(r.out).toContain("\nNo figure fails.\n");
    expect(r.status).toBe(CONFORMANCE_OK);
  }, BOOT_TIMEOUT_MS);
});

describe("the report", () => {
  it("--failures prints only what fails; every line fits in 100 columns", async () => {
    const r = await run({ fixture: "virt-256m-2cpu", failures: true, overrides: { set: ["kernel.sysctl.min_free_kbytes=8192"] } });
    expect(r.status).toBe(CONFORMANCE_FAILED);
    const rows = r.out.split("\n").filter((l) => /^(ok|FAIL) /.test(l));
    expect(rows.length).toBeGreaterThan(3);
    expect(rows.every((l) => l.startsWith("FAIL "))).toBe(true);
    expect(r.out).toMatch(/^FAIL exact {2}min_free_kbytes +8192 +1884 +\+6308$/m);
    expect(r.out).toMatch(/^FAIL exact {2}Node 0 DMA min +2048 +471 +\+1577$/m);
    for (const line of r.out.split("\n")) expect(line.length, line).toBeLessThanOrEqual(REPORT_WIDTH);
    const all = await run({ fixture: "virt-256m-2cpu" });
    for (const line of all.out.split("\n")) expect(line.length, line).toBeLessThanOrEqual(REPORT_WIDTH);
    expect(all.out.split("\n").filter((l) => /^(ok|FAIL) /.test(l)).length).toBeGreaterThan(100);
  }, BOOT_TIMEOUT_MS);

  it("shows where two long texts differ, however long, and never cuts a value", () => {
    const tail = "x".repeat(150);
    const checks: Check[] = [
      { file: "dmesg", item: "percpu: Embedded", kind: "exact", mmsim: `percpu: Embedded 31 pages/cpu s87272 ${tail}a`, real: `percpu: Embedded 31 pages/cpu s87272 ${tail}b`, ok: false },
      { file: "dmesg", item: "Zone ranges: DMA", kind: "exact", mmsim: "  DMA      [mem 0x0000000040000000-0x000000004fffffff]", real: "  DMA      [mem 0x0000000040000000-0x000000004fffffff] ", ok: false },
    ];
    const text = formatReport(SMALL, checks);
    for (const line of text.split("\n")) expect(line.length, line).toBeLessThanOrEqual(REPORT_WIDTH);
    const lines = text.split("\n");
    // The first row: the values wrapped piece by piece, the caret under the last character, where they differ.
    const at = lines.findIndex((l) => l.startsWith("FAIL exact  percpu: Embedded"));
    expect(lines[at]).toMatch(/differs at column 188$/);
    expect(lines[at + 1]).toMatch(/^ {14}mmsim {2}percpu: Embedded 31 pages\/cpu s87272 x+$/);
    expect(lines[at + 2]).toMatch(/^ {14}real {3}percpu: Embedded 31 pages\/cpu s87272 x+$/);
    const caret = lines.slice(at + 1, lines.findIndex((l, i) => i > at && l.startsWith("FAIL exact  Zone"))).find((l) => l.includes("^"))!;
    const realPiece = lines[lines.indexOf(caret) - 1]!;
    expect(realPiece[caret.indexOf("^")]).toBe("b");
    // The second: identical but for a trailing blank, which the caret line makes visible.
    const zone = lines.findIndex((l) => l.startsWith("FAIL exact  Zone ranges: DMA"));
    expect(lines.slice(zone + 1, zone + 4)).toEqual([
      "              mmsim    DMA      [mem 0x0000000040000000-0x000000004fffffff]",
      "              real     DMA      [mem 0x0000000040000000-0x000000004fffffff]",
      `${" ".repeat(21 + 54)}^`,
    ]);
  });
});
