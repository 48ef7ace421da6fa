// mmsim: KSM on a booted machine against the real kernel's capture (tests/conformance/fixtures/ksm: 10,000 pages — 5,000 identical, 1,250 equal pairs, 2,500 unique — with pages_to_scan=1000, sleep_millisecs=20, counters every 0.5 s, then writes to 100 merged pages and run=2)
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";

const FIXTURE = fileURLToPath(new URL("../../../tests/conformance/fixtures/ksm/linux-6.1-arm64/ksm-merge/workload", import.meta.url));
const FIELDS = ["shared", "sharing", "unshared", "volatile", "full_scans", "chains", "dups"] as const;
type Sample = Record<(typeof FIELDS)[number], number>;

/** The capture's samples: t=<ms> shared=… (the probe's output). */
function captured(): Sample[] {
  return readFileSync(FIXTURE, "utf8").split("\n").filter((l) => l.startsWith("t=")).map((l) => {
    const kv = Object.fromEntries(l.split(" ").map((w) => w.split("=") as [string, string]));
    return Object.fromEntries(FIELDS.map((f) => [f, Number(kv[f])])) as Sample;
  });
}

/** The probe as a scenario: the same pages, madvise, knobs and 0.5 s sleeps (24 + the write + 12, then run=0 and run=2). */
function probeScenario(): { yaml: string; sampleAfter: Set<number> } {
  const w: string[] = [];
  w.push("  - mmap: { as: buf, size: 40000K }");
  w.push("  - access: { as: buf, write: true, size: 20000K, content: fill, value: 1 }");
  for (let j = 0; j < 1250; j++) w.push(`  - access: { as: buf, write: true, offset: ${(5000 + 2 * j) * 4}K, size: 8K, content: text, value: ${1000 + j}, compress: 0.5 }`);
  w.push("  - access: { as: buf, write: true, offset: 30000K, size: 10000K, content: random }");
  w.push("  - madvise: { as: buf, advice: mergeable }");
  w.push('  - write: { path: /sys/kernel/mm/ksm/pages_to_scan, value: "1000" }');
  w.push('  - write: { path: /sys/kernel/mm/ksm/sleep_millisecs, value: "20" }');
  w.push('  - write: { path: /sys/kernel/mm/ksm/run, value: "1" }');
  w.push("  - label: run");
  for (let s = 0; s < 24; s++) w.push("  - sleep: 500", `  - label: s${w.length}`);
  w.push("  - access: { as: buf, write: true, size: 400K, content: random }");
  w.push(`  - label: s${w.length}`);
  for (let s = 0; s < 12; s++) w.push("  - sleep: 500", `  - label: s${w.length}`);
  w.push('  - write: { path: /sys/kernel/mm/ksm/run, value: "0" }', `  - label: s${w.length}`);
  w.push('  - write: { path: /sys/kernel/mm/ksm/run, value: "2" }', `  - label: s${w.length}`);
  // the samples: after each label step (1-based numbers of executed steps)
  const sampleAfter = new Set(w.flatMap((l, i) => (l.startsWith("  - label:") ? [i + 1] : [])));
  return { yaml: `machine:\n  memory: 512M\n  cpus: 2\nworkload:\n${w.join("\n")}\n`, sampleAfter };
}

function sample(m: Machine): Sample {
  const r = (n: string) => Number(m.readFile(`/sys/kernel/mm/ksm/${n}`));
  return {
    shared: r("pages_shared"), sharing: r("pages_sharing"), unshared: r("pages_unshared"), volatile: r("pages_volatile"), full_scans: r("full_scans"),
    chains: r("stable_node_chains"), dups: r("stable_node_dups"),
  };
}

describe("KSM on the machine", () => {
  it("serves /sys/kernel/mm/ksm with 6.1's files and defaults", () => {
    const m = Machine.create(loadScenario(`machine:\n  memory: 256M\n  cpus: 1\nworkload:\n  - label: x\n`, "k.yaml"));
    m.boot();
    const lines = readFileSync(FIXTURE, "utf8").split("=====KSM FILES=====\n")[1]!.split("=====PROBE=====")[0]!.trim().split("\n");
    expect(lines.map((l) => `${l.split(": ")[0]}: ${m.readFile(`/sys/kernel/mm/ksm/${l.split(": ")[0]}`)!.trim()}`)).toEqual(lines);
    expect(() => m.writeFile("/sys/kernel/mm/ksm/run", "3")).toThrow(/22|EINVAL|Invalid/);
    expect(() => m.writeFile("/sys/kernel/mm/ksm/max_page_sharing", "1")).toThrow(/22|EINVAL|Invalid/);
  });

  it("merges the probe's pages as the real kernel does: the same end values, the same curve", { timeout: 120_000 }, () => {
    // 120 s: ~35 s on a loaded 2-core host (10,000 pages written, ~19 simulated seconds of ksmd batches, five full validations); generous for CI
    const { yaml, sampleAfter } = probeScenario();
    const m = Machine.create(loadScenario(yaml, "ksm-probe.yaml"));
    m.boot();
    const sim: Sample[] = [];
    const problems: string[] = [];
    m.runWorkload({
      onStep: (done) => {
        if (!sampleAfter.has(done)) return;
        sim.push(sample(m));
        if (sim.length % 8 === 0) m.validate({ report: (w, p) => problems.push(`${w}: ${p}`) });
      },
    });
    const real = captured();
    if (process.env.KSM_DEBUG) for (let i = 0; i < sim.length; i++) console.log(JSON.stringify(sim[i]), JSON.stringify(real[i]));
    expect(sim.length).toBe(real.length);
    const last = (a: Sample[], i: number) => a[a.length + i]!;
    // End values before the write, after it, and after run=2: exact.
    for (const k of ["shared", "sharing", "unshared", "chains", "dups"] as const) {
      expect([k, sim[24]![k]]).toEqual([k, real[24]![k]]);
      expect([k, last(sim, -3)[k]]).toEqual([k, last(real, -3)[k]]);
      expect([k, last(sim, -1)[k]]).toEqual([k, last(real, -1)[k]]);
    }
    expect(m.readFile("/proc/vmstat")).toMatch(/\ncow_ksm 7500\n/);
    // full_scans: the real one depends on QEMU's speed; within 15 % of the capture's
    expect(Math.abs(last(sim, -3).full_scans - last(real, -3).full_scans)).toBeLessThanOrEqual(Math.ceil(last(real, -3).full_scans * 0.15));
    // The shape: nothing merged before run; merged pages rise over the first ~2 s and then stay; the write drops pages_sharing by 100
    const merged = (s: Sample) => s.shared + s.sharing;
    for (let i = 1; i < 24; i++) expect(merged(sim[i]!)).toBeGreaterThanOrEqual(merged(sim[i - 1]!));
    const firstFull = (a: Sample[]) => a.findIndex((s) => merged(s) === 7500);
    expect(Math.abs(firstFull(sim) - firstFull(real))).toBeLessThanOrEqual(1);
    // every validator holds (KSM's: write-protected stable pages, pages_sharing; the processes': rmap_walk_ksm finds every mapping)
    expect(problems.filter((p) => !p.startsWith("pgtable ")).slice(0, 3)).toEqual([]);
  });
});
