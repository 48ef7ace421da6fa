// mmsim: `mmsim conformance` — boot the board a real capture was taken on, compare, and report
import { DEFAULT_SCENARIO_FILE, Machine, type ResolvedScenario, SUPPORTED_SYSCTLS, loadScenarioFile } from "@mmsim/machine";
import { type Check, conformanceChecks, summarize } from "./checks.ts";
import type { Fixture } from "./fixtures.ts";

/** The default scenario with a fixture's RAM and CPUs, no workload. */
export function fixtureScenario(fixture: Fixture, seed?: string): ResolvedScenario {
  return loadScenarioFile(DEFAULT_SCENARIO_FILE, { mem: fixture.info.mem, smp: String(fixture.info.smp), seed, set: [] }, { ignoreWorkload: true });
}

/** A board booted like a fixture's. */
export function bootLikeFixture(fixture: Fixture, seed?: string): Machine {
  const m = Machine.create(fixtureScenario(fixture, seed));
  m.boot();
  return m;
}

/**
 * Boots `scenario` again with every zone's managed pages moved by what separates `first` (a
 * booted machine of the same scenario) from the real kernel at the end of boot, applied before
 * the watermarks are first computed (init_per_zone_wmark_min, THP's set_recommended_min_free_kbytes:
 * watermarks, lowmem_reserve and pcp high are all shares of managed pages): its /proc/zoneinfo.
 */
export function zoneinfoWithManaged(scenario: ResolvedScenario, first: Machine, managed: ReadonlyMap<string, number>): string | undefined {
  const delta = new Map<number, number>();
  for (const zone of first.buddy.state.zones) {
    const real = managed.get(`${zone.nid} ${zone.name}`);
    if (real !== undefined) delta.set(zone.id, real - zone.managedPages);
  }
  const m = Machine.create(scenario);
  m.boot({
    beforeWatermarks(pa) {
      for (const zone of pa.zones) zone.managedPages += delta.get(zone.id) ?? 0;
    },
  });
  return m.readFile("/proc/zoneinfo");
}

/** Compares a booted machine (of `scenario`) with a fixture. */
export function checkMachine(m: Machine, scenario: ResolvedScenario, fixture: Fixture): Check[] {
  return conformanceChecks(
    { dmesg: () => m.log.dmesg(), readFile: (p) => m.readFile(p), pagingInitTables: () => m.pgtables.tables.total }, fixture, SUPPORTED_SYSCTLS,
    (managed) => zoneinfoWithManaged(scenario, m, managed),
  );
}

/** Boots the default board like a fixture and compares. */
export function runConformance(fixture: Fixture, seed?: string): Check[] {
  const scenario = fixtureScenario(fixture, seed);
  const m = Machine.create(scenario);
  m.boot();
  return checkMachine(m, scenario, fixture);
}

function pct(f: number): string {
  const s = (f * 100).toFixed(f !== 0 && Math.abs(f) < 0.0001 ? 4 : 2);
  return `${f > 0 ? "+" : ""}${s} %`;
}

/** The difference column: "=" for equal, "differs", or "+196 (+0.36 %, allowed 0.50 %)". */
export function describeDifference(c: Check): string {
  if (c.kind === "known") return c.mmsim === c.real ? "=" : "differs (known, see below)";
  if (c.kind !== "close") return c.ok ? "=" : "differs";
  if (c.delta === undefined || c.fraction === undefined) return "missing";
  if (c.delta === 0) return "=";
  return `${c.delta > 0 ? "+" : ""}${c.delta} (${pct(c.fraction)}, allowed ${((c.tolerance ?? 0) * 100).toFixed(2)} %)`;
}

/** The text report: one row per figure (mmsim / real / difference), the close figures' reasons, a summary. */
export function formatReport(fixture: Fixture, checks: readonly Check[]): string {
  const rows = checks.map((c) => [c.ok ? "ok" : "FAIL", c.kind, c.file, c.item, c.mmsim, c.real, describeDifference(c)]);
  const head = ["", "kind", "file", "figure", "mmsim", "real", "difference"];
  const cap = (s: string) => (s.length > 60 ? `${s.slice(0, 57)}...` : s);
  const w = head.map((h, i) => Math.max(h.length, ...rows.map((r) => cap(r[i]!).length)));
  const line = (r: string[]) => r.map((x, i) => cap(x).padEnd(w[i]!)).join("  ").trimEnd();
  const s = summarize(checks);
  const reasons = new Map<string, string>();
  for (const c of checks) if ((c.kind === "close" || c.kind === "known") && c.reason) reasons.set(c.item, c.reason);
  return [
    `mmsim conformance: ${fixture.name} (${fixture.info.kernel}; ${fixture.info.qemu}; ${fixture.info.cmdline})`,
    "",
    line(head),
    ...rows.map(line),
    "",
    "Why the close and known figures may differ:",
    ...[...reasons].map(([item, why]) => `  ${item}: ${why}`),
    "",
    `${s.total} figures: ${s.total - s.failed - s.known} match, ${s.known} known differences, ${s.exactFailed} exact differ, ${s.closeFailed} close out of tolerance, ${s.shapeFailed} line shapes differ`,
    "",
  ].join("\n");
}
