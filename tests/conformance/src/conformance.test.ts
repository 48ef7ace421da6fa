// mmsim: the conformance suite — mmsim's default board against every real Linux 6.1 arm64 capture in fixtures/
/*
 * Each fixture (fixtures/linux-6.1-arm64/<board>/, made by tools/real-kernel/capture; see the
 * README) is booted with its RAM and CPUs and compared figure by figure (src/checks.ts says
 * which figures are exact, close — with the tolerance and the reason beside it — or a named
 * known difference). A failure message lists every differing figure as mmsim / real.
 */
import { describe, expect, it } from "vitest";
import { type Check, listFixtures, runConformance, summarize } from "./index.ts";

const fixtures = listFixtures();

function describeFailures(checks: readonly Check[]): string {
  return checks.filter((c) => !c.ok).map((c) => `${c.kind} ${c.file} ${c.item}: mmsim ${c.mmsim}, real ${c.real}`).join("\n");
}

describe("the real captures", () => {
  it("cover the reference board, at least two more, and one with RAM above 4 GiB (a Normal zone)", () => {
    const names = fixtures.map((f) => f.name);
    expect(names).toContain("linux-6.1-arm64/virt-1g-2cpu");
    expect(fixtures.length).toBeGreaterThanOrEqual(3);
    expect(fixtures.some((f) => f.memBytes > 2 ** 32 && /Normal +\[mem/.test(f.file("dmesg") ?? ""))).toBe(true);
    for (const f of fixtures) {
      expect(f.info.kernel, f.name).toMatch(/^linux-image-6\.1\./);
      expect(f.file("/proc/cmdline")?.trim(), f.name).toBe(f.info.cmdline);
    }
  });
});

describe.each(fixtures.map((f) => [f.name, f] as const))("%s", (_name, fixture) => {
  const checks = runConformance(fixture);
  const sum = summarize(checks);

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

  it("names each known difference and its reason; a watermark may differ only because managed does", () => {
    for (const c of checks.filter((k) => k.kind === "known")) {
      expect(c.reason, c.item).toBeDefined();
      expect(c.item).toMatch(/^(NUMA: NODE_DATA|MemFree|Node \d+ \w+ (min|low|high|protection|cpu \d+ pcp high))$/);
    }
    expect(sum.failed).toBe(0);
  });
});
