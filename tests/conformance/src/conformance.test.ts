// mmsim: the conformance suite — `mmsim conformance --fixture X` for every real Linux 6.1 arm64 capture in fixtures/
/*
 * Each fixture (fixtures/linux-6.1-arm64/<board>/, made by tools/real-kernel/capture; see the
 * README) is compared as `mmsim conformance --fixture <board> --json` compares it: the command
 * boots the capture's own board (RAM and CPUs from its capture.json) and checks it figure by
 * figure (src/checks.ts says which figures are exact, close — with the tolerance and the reason
 * beside it — or a named known difference). A failure message lists every differing figure as
 * mmsim / real.
 */
import { DEFAULT_SCENARIO_FILE } from "@mmsim/machine";
import { beforeAll, describe, expect, it } from "vitest";
import { CONFORMANCE_OK, type Check, UNNAMED_LATER_BOOT_KB, conformanceCommand, listFixtures, summarize } from "./index.ts";

const fixtures = listFixtures();

/**
 * One command run boots the board (up to 8 GiB) and, when a watermark differs, boots it once
 * more with the real managed counts: a few seconds alone, more on a loaded 2-core CI machine.
 */
const BOOT_TIMEOUT_MS = 120_000;

function describeFailures(checks: readonly Check[]): string {
  return checks.filter((c) => !c.ok).map((c) => `${c.kind} ${c.file} ${c.item}: mmsim ${c.mmsim}, real ${c.real}`).join("\n");
}

describe("the real captures", () => {
  it("cover the reference board, boards above 4 GiB (a Normal zone), below 1 GiB (THP off) and with many CPUs for little RAM", () => {
    const names = fixtures.map((f) => f.name);
    expect(names).toContain("linux-6.1-arm64/virt-1g-2cpu");
    expect(fixtures.some((f) => f.memBytes > 2 ** 32 && /Normal +\[mem/.test(f.file("dmesg") ?? ""))).toBe(true);
    expect(fixtures.filter((f) => f.memBytes < 2 ** 30).length).toBeGreaterThanOrEqual(2);
    expect(fixtures.some((f) => f.info.smp >= 8 && f.memBytes <= 2 ** 30)).toBe(true);
    for (const f of fixtures) {
      expect(f.info.kernel, f.name).toMatch(/^linux-image-6\.1\./);
      expect(f.file("/proc/cmdline")?.trim(), f.name).toBe(f.info.cmdline);
      expect(f.info.qemu, f.name).toContain(`-smp ${f.info.smp} -m ${f.info.mem}`);
    }
  });
});

describe.each(fixtures.map((f) => [f.name, f] as const))("mmsim conformance --fixture %s", (_name, fixture) => {
  let status = -1;
  let result: { fixture: { name: string }; board: { memory: string; cpus: number; nodes: number }; checks: Check[] };
  let checks: Check[] = [];

  beforeAll(async () => {
    let out = "";
    status = await conformanceCommand(
      { scenarioFile: DEFAULT_SCENARIO_FILE, overrides: { set: [] }, fixture: fixture.name.slice(fixture.name.lastIndexOf("/") + 1), json: true },
      { write: (s: string) => (out += s) },
    );
    result = JSON.parse(out) as typeof result;
    checks = result.checks;
  }, BOOT_TIMEOUT_MS);

  it("boots the capture's own board and passes (exit 0)", () => {
    expect(result.fixture.name).toBe(fixture.name);
    expect(result.board).toEqual({ memory: fixture.info.mem, cpus: fixture.info.smp, nodes: 1 });
    expect(describeFailures(checks)).toBe("");
    expect(status).toBe(CONFORMANCE_OK);
  });

  it("every exact figure equals the real kernel's", () => {
    const exact = checks.filter((c) => c.kind === "exact");
    // The dmesg zone lines, zoneinfo watermarks and pcp per CPU, sysctls, and 4 × 8 kmalloc caches × 4 attributes at least.
    expect(exact.length).toBeGreaterThan(100);
    expect(describeFailures(exact)).toBe("");
  });

  it("every close figure is within its tolerance, and says why it may differ", () => {
    const close = checks.filter((c) => c.kind === "close");
    for (const c of close) expect(c.reason?.length ?? 0, c.item).toBeGreaterThan(40);
    expect(close.map((c) => c.item)).toEqual(expect.arrayContaining(["Memory: reserved", "Memory: available", "Total pages", "MemTotal"]));
    expect(describeFailures(close)).toBe("");
  });

  it("meminfo, vmstat, zoneinfo, buddyinfo and pagetypeinfo have the kernel's lines, in its order", () => {
    const shape = checks.filter((c) => c.kind === "shape");
    expect(shape.map((c) => c.file).sort()).toEqual(["/proc/buddyinfo", "/proc/meminfo", "/proc/pagetypeinfo", "/proc/vmstat", "/proc/zoneinfo"]);
    expect(describeFailures(shape)).toBe("");
  });

  it("names each known difference and its reason; a watermark or min_free_kbytes may differ only because managed does", () => {
    for (const c of checks.filter((k) => k.kind === "known")) {
      expect(c.reason, c.item).toBeDefined();
      expect(c.item).toMatch(/^(NUMA: NODE_DATA|MemFree|MemAvailable|(MemFree|MemAvailable) \+ later-boot use|min_free_kbytes|Node \d+ \w+ (min|low|high|protection|cpu \d+ pcp high))$/);
    }
    expect(summarize(checks).failed).toBe(0);
  });

  it("leaves unnamed only the fixed remainder of later boot: 0.9–2 MiB more free pages in mmsim, whatever the RAM and CPUs", () => {
    // Everything else later boot took is accounted for (meminfo figures, per-CPU lists, logged
    // allocations, early allocations): what is left is the same on every board, so nothing
    // mmsim computes per MiB or per CPU is missing from it.
    for (const item of ["MemFree + later-boot use", "MemAvailable + later-boot use"]) {
      const c = checks.find((k) => k.item === item)!;
      const delta = Number(c.mmsim) - Number(c.real);
      expect(delta, `${item}: ${c.detail}`).toBeGreaterThanOrEqual(900);
      expect(delta, `${item}: ${c.detail}`).toBeLessThanOrEqual(UNNAMED_LATER_BOOT_KB);
    }
  });
});
