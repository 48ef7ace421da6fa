// mmsim: `mmsim compare` — one scenario under several implementations of one slot, side by side (no kernel counterpart)
import {
  NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B, PAGE_SIZE, PGALLOC_DMA, PGALLOC_MOVABLE,
} from "@mmsim/core";
import { Machine, loadScenarioFile, type ScenarioOverrides } from "@mmsim/machine";

/** What one run under one choice measured. Every figure is a simulated quantity except hostMs. */
export interface CompareRun {
  readonly choice: string;
  /** Pages held in slabs at the end (Σ slabPages over the caches), and their KiB. */
  readonly slabPages: number;
  readonly slabKiB: number;
  /** Bytes the workload's live objects hold at the end (object size, or the kmalloc'd size), in KiB. */
  readonly liveKiB: number;
  /** slabKiB − liveKiB, and its share of slabKiB in percent. */
  readonly overheadKiB: number;
  readonly fragmentationPct: number;
  /** NR_SLAB_RECLAIMABLE_B + NR_SLAB_UNRECLAIMABLE_B (meminfo "Slab"), in KiB. */
  readonly slabCounterKiB: number;
  /** Pages the workload took from the buddy allocator (Σ pgalloc_* during the workload). */
  readonly buddyPagesAllocated: number;
  /** Simulated time of the workload (ns, from the cost model) and per slab operation. */
  readonly simulatedNs: number;
  readonly nsPerSlabOp: number;
  readonly slabAllocs: number;
  readonly slabFrees: number;
  readonly failedAllocs: number;
  /** /proc/slabinfo at the end. */
  readonly slabinfo: string;
  /** Host milliseconds for boot + workload (only with --timing). */
  readonly hostMs?: number;
}

/** Parses `--vary slot=a,b,c`. */
export function parseVary(text: string): { slot: string; choices: string[] } {
  const m = /^([a-z][a-z0-9_-]*)=(.+)$/i.exec(text);
  if (!m) throw new Error(`--vary: expected slot=choice,choice (e.g. slab=slab,slub), got "${text}"`);
  const choices = m[2]!.split(",").map((c) => c.trim()).filter((c) => c !== "");
  if (choices.length < 1) throw new Error(`--vary ${text}: no choices`);
  return { slot: m[1]!, choices };
}

/**
 * Runs the scenario once per choice of `slot` and measures each run.
 * @param hostClock only when timing was asked for (host time never enters results otherwise)
 */
export async function compareRuns(file: string, base: ScenarioOverrides, slot: string, choices: readonly string[], hostClock?: () => number): Promise<CompareRun[]> {
  const runs: CompareRun[] = [];
  for (const choice of choices) {
    const t0 = hostClock?.();
    const scenario = loadScenarioFile(file, { ...base, set: [...(base.set ?? []), `kernel.policies.${slot}=${choice}`] });
    const m = await Machine.createAsync(scenario);
    m.boot();
    const pa = m.buddy.state;
    const pgalloc = () => {
      let n = 0;
      for (let i = PGALLOC_DMA; i <= PGALLOC_MOVABLE; i++) n += pa.vmEvents[i]!;
      return n;
    };
    const alloc0 = pgalloc();
    const ns0 = m.clock.now();
    const result = m.runWorkload();
    const simulatedNs = m.clock.now() - ns0;
    let slabPages = 0;
    const liveBytes = m.slabLiveBytes();
    const slab = m.slab;
    if (slab) for (const c of slab.caches) slabPages += slab.allocator.slabPages(c.id);
    let slabCounter = 0;
    for (const p of pa.pgdat) slabCounter += p.vmStat[NR_SLAB_RECLAIMABLE_B]! + p.vmStat[NR_SLAB_UNRECLAIMABLE_B]!;
    const slabKiB = (slabPages * PAGE_SIZE) / 1024;
    const liveKiB = Math.round(liveBytes / 1024);
    const ops = m.slabOps.allocs + m.slabOps.frees;
    runs.push({
      choice,
      slabPages,
      slabKiB,
      liveKiB,
      overheadKiB: slabKiB - liveKiB,
      fragmentationPct: slabKiB > 0 ? Math.round((1000 * (slabKiB - liveKiB)) / slabKiB) / 10 : 0,
      slabCounterKiB: (slabCounter * PAGE_SIZE) / 1024,
      buddyPagesAllocated: pgalloc() - alloc0,
      simulatedNs,
      nsPerSlabOp: ops > 0 ? Math.round((10 * simulatedNs) / ops) / 10 : 0,
      slabAllocs: m.slabOps.allocs,
      slabFrees: m.slabOps.frees,
      failedAllocs: Object.values(result.failedAllocs).reduce((a, b) => a + b, 0),
      slabinfo: m.readFile("/proc/slabinfo") ?? "",
      hostMs: t0 === undefined || !hostClock ? undefined : Math.round(hostClock() - t0),
    });
  }
  return runs;
}

/** The side-by-side table: one row per figure, one column per choice. */
export function compareTable(slot: string, runs: readonly CompareRun[]): string {
  const rows: [string, (r: CompareRun) => string][] = [
    ["slab pages (KiB)", (r) => `${r.slabPages} (${r.slabKiB})`],
    ["live objects (KiB)", (r) => String(r.liveKiB)],
    ["overhead (KiB)", (r) => String(r.overheadKiB)],
    ["fragmentation (%)", (r) => r.fragmentationPct.toFixed(1)],
    ["Slab in meminfo (KiB)", (r) => String(r.slabCounterKiB)],
    ["pages from buddy", (r) => String(r.buddyPagesAllocated)],
    ["slab allocs / frees", (r) => `${r.slabAllocs} / ${r.slabFrees}`],
    ["failed allocations", (r) => String(r.failedAllocs)],
    ["simulated time (ns)", (r) => String(r.simulatedNs)],
    ["simulated ns per slab op", (r) => r.nsPerSlabOp.toFixed(1)],
  ];
  if (runs.some((r) => r.hostMs !== undefined)) rows.push(["host time (ms, --timing)", (r) => String(r.hostMs ?? "")]);
  const head = [`${slot} =`, ...runs.map((r) => r.choice)];
  const body = rows.map(([name, f]) => [name, ...runs.map(f)]);
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  return [line(head), ...body.map(line)].join("\n") + "\n";
}

/**
 * A chart of a comparison for people: one panel per figure (slab KiB, live KiB, overhead KiB,
 * simulated ns per slab op), one bar per choice. Rendered headless to SVG by vega-lite + vega.
 */
export async function compareChartSvg(slot: string, runs: readonly CompareRun[]): Promise<string> {
  const vl = await import("vega-lite");
  const vega = await import("vega");
  const figures: [string, (r: CompareRun) => number][] = [
    ["slab pages (KiB)", (r) => r.slabKiB],
    ["live objects (KiB)", (r) => r.liveKiB],
    ["overhead (KiB)", (r) => r.overheadKiB],
    ["simulated ns per slab op", (r) => r.nsPerSlabOp],
  ];
  const values = runs.flatMap((r) => figures.map(([figure, f]) => ({ choice: r.choice.replace(/^.*\//, ""), figure, value: f(r) })));
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `mmsim compare: ${slot}`,
    data: { values },
    facet: { column: { field: "figure", type: "nominal", title: null, sort: figures.map(([f]) => f) } },
    spec: {
      width: 140,
      height: 160,
      mark: "bar",
      encoding: {
        x: { field: "choice", type: "nominal", title: null },
        y: { field: "value", type: "quantitative", title: null },
        color: { field: "choice", type: "nominal", legend: null },
      },
    },
    resolve: { scale: { y: "independent" } },
  };
  const view = new vega.View(vega.parse(vl.compile(spec as Parameters<typeof vl.compile>[0]).spec), { renderer: "none" });
  return view.toSVG();
}
