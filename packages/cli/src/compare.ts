// mmsim: `mmsim compare` — one scenario under several implementations of one slot, side by side (no kernel counterpart)
import { ConfigError } from "@mmsim/core";
import { Machine, loadScenarioFileAsync, type ScenarioOverrides } from "@mmsim/machine";

/**
 * What one run under one choice measured: every figure the machine's modules contribute
 * (CompareMetric: the slab layer's slab pages, live and overhead KiB, fragmentation, slab
 * operations and their simulated cost; the page allocator's pages taken and meminfo's Slab;
 * later reclaim's and oom's figures), plus the run's own: failed allocations and simulated time.
 * Figures are keyed by the metric's key, in row order. Every figure is a simulated quantity
 * except hostMs.
 */
export interface CompareRun {
  readonly choice: string;
  /** Figures by key (CompareSeries for `series`) (slabPages, slabKiB, liveKiB, overheadKiB, fragmentationPct, slabCounterKiB, buddyPagesAllocated, slabAllocs, slabFrees, failedAllocs, simulatedNs, nsPerSlabOp, …). */
  readonly [figure: string]: number | string | CompareSeries | undefined;
  /** /proc/slabinfo at the end (empty without a slab allocator). */
  readonly slabinfo: string;
  /** Host milliseconds for boot + workload (only with --timing). */
  readonly hostMs?: number;
  /** Free memory, swap use and refaults over simulated time (only with --chart). */
  readonly series?: CompareSeries;
}

/** One row of the table: its label and how a run's figures make its cell. */
export interface CompareRow {
  /** The figure's key in each run. */
  readonly key: string;
  readonly label: string;
  readonly cell: (figures: Readonly<Record<string, number>>) => string;
}

/** The run's own figures, between the modules' (by rank). */
const RUN_FIGURES = Object.freeze([
  { key: "failedAllocs", rank: 80, label: "failed allocations" },
  { key: "simulatedNs", rank: 90, label: "simulated time (ns)" },
]);

/**
 * The kernel's counters a comparison reports, as deltas over the workload (/proc/vmstat read
 * after boot and after the last step): what reclaim, swap and the OOM killer did. A row appears
 * in the table when some run counted something; the JSON always has every key.
 */
const VMSTAT_FIGURES: readonly { key: string; rank: number; label: string; items: readonly string[] }[] = Object.freeze([
  { key: "pgscan", rank: 60, label: "pages scanned (pgscan_*)", items: ["pgscan_kswapd", "pgscan_direct", "pgscan_khugepaged"] },
  { key: "pgscanDirect", rank: 61, label: "  by direct reclaim (pgscan_direct)", items: ["pgscan_direct"] },
  { key: "pgsteal", rank: 62, label: "pages reclaimed (pgsteal_*)", items: ["pgsteal_kswapd", "pgsteal_direct", "pgsteal_khugepaged"] },
  { key: "pgactivate", rank: 63, label: "pages activated (pgactivate)", items: ["pgactivate"] },
  { key: "refaults", rank: 64, label: "refaults (workingset_refault_*)", items: ["workingset_refault_anon", "workingset_refault_file"] },
  { key: "pswpin", rank: 65, label: "swap-ins (pswpin)", items: ["pswpin"] },
  { key: "pswpout", rank: 66, label: "swap-outs (pswpout)", items: ["pswpout"] },
  { key: "allocstall", rank: 67, label: "allocation stalls (allocstall_*)", items: ["allocstall_dma", "allocstall_dma32", "allocstall_normal", "allocstall_movable"] },
  { key: "pgmajfault", rank: 68, label: "major faults (pgmajfault)", items: ["pgmajfault"] },
  { key: "oomKill", rank: 69, label: "OOM kills (oom_kill)", items: ["oom_kill"] },
]);

/** What --vary varies. */
export interface Vary {
  /** What the table's head names: the slot (`slab`) or the scenario path (`kernel.sysctl.swappiness`). */
  readonly slot: string;
  readonly choices: string[];
  /** The scenario path each choice is set at (`kernel.policies.slab`, or the path itself). */
  readonly path: string;
  /** A policy slot (its choices may be module files), not a plain scenario path. */
  readonly policy: boolean;
}

/**
 * Parses `--vary slot=a,b,c` (a policy slot: `slab=slab,slub`, `reclaim=lru,mglru,./my.mjs`) or
 * `--vary path=a,b,c` (any scenario field path, as --set writes it: `kernel.sysctl.swappiness=0,60,200`,
 * `machine.memory=256M,512M`).
 */
export function parseVary(text: string): Vary {
  const m = /^([a-z][a-z0-9_-]*(?:\.[a-z0-9_-]+|\[\d+\])*)=(.+)$/i.exec(text);
  if (!m) throw new Error(`--vary: expected slot=choice,choice or path=value,value (e.g. slab=slab,slub or kernel.sysctl.swappiness=0,60,200), got "${text}"`);
  const choices = m[2]!.split(",").map((c) => c.trim()).filter((c) => c !== "");
  if (choices.length < 1) throw new Error(`--vary ${text}: no choices`);
  const slot = m[1]!;
  const policy = !/[.[]/.test(slot);
  return { slot, choices, path: policy ? `kernel.policies.${slot}` : slot, policy };
}

/** The figures of a "name value" file (/proc/vmstat) or a "Name:  value kB" file (/proc/meminfo). */
export function parseCounters(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^([A-Za-z0-9_()]+):?\s+(-?\d+)/.exec(line);
    if (m) out.set(m[1]!, Number(m[2]));
  }
  return out;
}

/** One run's state over simulated time, sampled after each step (only with --chart). */
export interface CompareSeries {
  /** Simulated ms since the workload began. */
  readonly tMs: number[];
  /** MemFree, KiB. */
  readonly memFreeKiB: number[];
  /** SwapTotal − SwapFree, KiB. */
  readonly swapUsedKiB: number[];
  /** workingset_refault_anon + _file since the workload began. */
  readonly refaults: number[];
}

/** Most points a series keeps (evenly spaced by step; the last step always kept). */
const MAX_SERIES_POINTS = 400;

function sample(m: Machine, series: CompareSeries, ns0: number, refaults0: number): void {
  const mem = parseCounters(m.readFile("/proc/meminfo") ?? "");
  const vm = parseCounters(m.readFile("/proc/vmstat") ?? "");
  series.tMs.push((m.clock.now() - ns0) / 1e6);
  series.memFreeKiB.push(mem.get("MemFree") ?? 0);
  series.swapUsedKiB.push((mem.get("SwapTotal") ?? 0) - (mem.get("SwapFree") ?? 0));
  series.refaults.push((vm.get("workingset_refault_anon") ?? 0) + (vm.get("workingset_refault_file") ?? 0) - refaults0);
}

function decimate(series: CompareSeries): CompareSeries {
  const n = series.tMs.length;
  if (n <= MAX_SERIES_POINTS) return series;
  const keep: number[] = [];
  for (let k = 0; k < MAX_SERIES_POINTS; k++) keep.push(Math.round((k * (n - 1)) / (MAX_SERIES_POINTS - 1)));
  const pick = (a: number[]) => keep.map((i) => a[i]!);
  return { tMs: pick(series.tMs), memFreeKiB: pick(series.memFreeKiB), swapUsedKiB: pick(series.swapUsedKiB), refaults: pick(series.refaults) };
}

/** How compareRuns loads choices and reports progress. */
export interface CompareOptions {
  /** Only when timing was asked for (host time never enters results otherwise). */
  readonly hostClock?: () => number;
  /** The policy value to load for a choice (e.g. a module path made absolute); the choice itself names the run. */
  readonly resolveChoice?: (choice: string) => string;
  /** Before run `index` (0-based) boots. */
  readonly onRun?: (index: number, choice: string) => void;
  /** After each executed workload step of the current run. */
  readonly onStep?: (done: number, total: number) => void;
  /** The user's working directory, for module files given on the command line. */
  readonly cwd?: string;
  /** Boots a machine (default m.boot()); the CLI wraps it with a status line for large boards. */
  readonly boot?: (m: Machine) => void;
  /** Samples free memory, swap use and refaults after every step (the chart's time series). */
  readonly series?: boolean;
}

/** The runs of a comparison and the rows its table shows (from the modules' metrics, by rank). */
export interface Comparison {
  readonly runs: readonly CompareRun[];
  readonly rows: readonly CompareRow[];
}

/**
 * Runs the scenario once per choice of `slot` (a policy slot, or a scenario path: see parseVary)
 * and measures each run.
 */
export async function compareRuns(file: string, base: ScenarioOverrides, slot: string, choices: readonly string[], options: CompareOptions = {}): Promise<Comparison> {
  const { hostClock } = options;
  const policy = !/[.[]/.test(slot);
  const path = policy ? `kernel.policies.${slot}` : slot;
  const runs: CompareRun[] = [];
  let rows: (CompareRow & { rank: number })[] | undefined;
  const metricsHiddenWhenZero = new Set<string>();
  for (const [index, choice] of choices.entries()) {
    const t0 = hostClock?.();
    options.onRun?.(index, choice);
    const value = policy && options.resolveChoice ? options.resolveChoice(choice) : choice;
    const { scenario, catalog } = await loadScenarioFileAsync(file, { ...base, set: [...(base.set ?? []), `${path}=${value}`] }, { cwd: options.cwd });
    const m = await Machine.createAsync(scenario, catalog);
    if (options.boot) options.boot(m);
    else m.boot();
    const metrics = m.metrics();
    for (const x of metrics) {
      if (x.hideWhenZero) metricsHiddenWhenZero.add(x.key);
      x.begin?.();
    }
    const ns0 = m.clock.now();
    const vm0 = parseCounters(m.readFile("/proc/vmstat") ?? "");
    const series: CompareSeries | undefined = options.series ? { tMs: [], memFreeKiB: [], swapUsedKiB: [], refaults: [] } : undefined;
    const refaults0 = (vm0.get("workingset_refault_anon") ?? 0) + (vm0.get("workingset_refault_file") ?? 0);
    if (series) sample(m, series, ns0, refaults0);
    const result = m.runWorkload({
      onStep: (done, total) => {
        if (series) sample(m, series, ns0, refaults0);
        options.onStep?.(done, total);
      },
    });
    const vm1 = parseCounters(m.readFile("/proc/vmstat") ?? "");
    const own: Record<string, number> = {
      failedAllocs: Object.values(result.failedAllocs).reduce((x, y) => x + y, 0),
      simulatedNs: m.clock.now() - ns0,
    };
    const entries: [number, string, number][] = metrics.map((x) => [x.rank, x.key, x.sample()]);
    for (const f of VMSTAT_FIGURES) entries.push([f.rank, f.key, f.items.reduce((sum, item) => sum + (vm1.get(item) ?? 0) - (vm0.get(item) ?? 0), 0)]);
    for (const f of RUN_FIGURES) entries.push([f.rank, f.key, own[f.key]!]);
    entries.sort((x, y) => x[0] - y[0]);
    const figures: Record<string, number> = {};
    for (const [, key, v] of entries) figures[key] = v;
    rows ??= [
      ...metrics.filter((x) => x.label !== undefined).map((x) => ({ rank: x.rank, key: x.key, label: x.label!, cell: x.cell ?? ((f: Readonly<Record<string, number>>) => String(f[x.key])) })),
      ...VMSTAT_FIGURES.map((f) => ({ rank: f.rank, key: f.key, label: f.label, cell: (g: Readonly<Record<string, number>>) => String(g[f.key]) })),
      ...RUN_FIGURES.map((f) => ({ rank: f.rank, key: f.key, label: f.label, cell: (g: Readonly<Record<string, number>>) => String(g[f.key]) })),
    ].sort((x, y) => x.rank - y.rank);
    runs.push({
      choice,
      ...figures,
      slabinfo: m.readFile("/proc/slabinfo") ?? "",
      hostMs: t0 === undefined || !hostClock ? undefined : Math.round(hostClock() - t0),
      ...(series ? { series: decimate(series) } : {}),
    });
  }
  // The kernel counters' rows (and metrics that ask for it) only where some run counted something.
  const hiddenWhenZero = new Set([...VMSTAT_FIGURES.map((f) => f.key), ...metricsHiddenWhenZero]);
  const shown = (rows ?? []).filter((r) => !hiddenWhenZero.has(r.key) || runs.some((run) => Number(run[r.key] ?? 0) !== 0));
  return { runs, rows: shown };
}

/** The side-by-side table: one row per figure, one column per choice. */
export function compareTable(slot: string, { runs, rows: figureRows }: Comparison): string {
  const rows: [string, (r: CompareRun) => string][] = figureRows.map((row) => [row.label, (r: CompareRun) => row.cell(r as unknown as Record<string, number>)]);
  if (runs.some((r) => r.hostMs !== undefined)) rows.push(["host time (ms, --timing)", (r) => String(r.hostMs ?? "")]);
  const head = [`${slot} =`, ...runs.map((r) => r.choice)];
  const body = rows.map(([name, f]) => [name, ...runs.map(f)]);
  const widths = head.map((_, i) => Math.max(...[head, ...body].map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  return [line(head), ...body.map(line)].join("\n") + "\n";
}

/** The chart libraries: optional peer dependencies of @mmsim/cli (about 27 MB), loaded on demand. */
export interface ChartLibraries {
  readonly vega: typeof import("vega");
  readonly vl: typeof import("vega-lite");
}

/** What `--chart` needs installed, as the error below and the cli README say. */
export const CHART_INSTALL = "npm install vega@5 vega-lite@5";

/**
 * Loads vega and vega-lite for `--chart`. They are optional peer dependencies, so an installed
 * @mmsim/cli works without them; when they are missing this throws a ConfigError (exit 2) that
 * says what to install. `load` is the module loader (a test passes one that fails).
 */
export async function loadChartLibraries(load: (name: "vega" | "vega-lite") => Promise<unknown> = (name) => (name === "vega" ? import("vega") : import("vega-lite"))): Promise<ChartLibraries> {
  const missing: string[] = [];
  const get = async (name: "vega" | "vega-lite") => {
    try {
      return await load(name);
    } catch (e) {
      // only the package itself missing; a broken installation of it is reported as it is
      const { code, message } = e as NodeJS.ErrnoException;
      if ((code !== "ERR_MODULE_NOT_FOUND" && code !== "MODULE_NOT_FOUND") || !message.includes(`'${name}'`)) throw e;
      missing.push(name);
      return undefined;
    }
  };
  const vega = await get("vega");
  const vl = await get("vega-lite");
  if (missing.length > 0) {
    throw new ConfigError(
      "cli.loadChartLibraries", "<command line>", "--chart",
      `vega and vega-lite installed (optional, about 27 MB: run \`${CHART_INSTALL}\` in your project, with -g beside a global mmsim, or leave out --chart)`,
      `${missing.join(" and ")} not found`,
    );
  }
  return { vega: vega as ChartLibraries["vega"], vl: vl as ChartLibraries["vl"] };
}

/**
 * A chart of a comparison for people, rendered headless to SVG by vega-lite + vega: one bar panel
 * per figure, one bar per choice — the slab layer's figures (slab KiB, live KiB, overhead KiB,
 * simulated ns per slab op) when a slab allocator is compared or reclaim did nothing, else the
 * kernel counters that moved (scanned, reclaimed, refaults, swap-ins and -outs, stalls, major
 * faults) and the simulated time; and, when the runs carry time series, one line panel each for
 * free memory, swap use and the refault rate over simulated time, one line per choice.
 */
export async function compareChartSvg(slot: string, runs: readonly CompareRun[], libs?: ChartLibraries): Promise<string> {
  const { vega, vl } = libs ?? (await loadChartLibraries());
  const slabFigures: [string, (r: CompareRun) => number][] = [
    ["slab pages (KiB)", (r) => Number(r.slabKiB ?? 0)],
    ["live objects (KiB)", (r) => Number(r.liveKiB ?? 0)],
    ["overhead (KiB)", (r) => Number(r.overheadKiB ?? 0)],
    ["simulated ns per slab op", (r) => Number(r.nsPerSlabOp ?? 0)],
  ];
  const moved = VMSTAT_FIGURES.filter((f) => runs.some((r) => Number(r[f.key] ?? 0) !== 0));
  const figures: [string, (r: CompareRun) => number][] = slot === "slab" || moved.length === 0
    ? slabFigures
    : [...moved.map((f): [string, (r: CompareRun) => number] => [f.label.trim(), (r) => Number(r[f.key] ?? 0)]), ["simulated time (ms)", (r) => Number(r.simulatedNs ?? 0) / 1e6]];
  const name = (r: CompareRun) => r.choice.replace(/^.*\//, "");
  const values = runs.flatMap((r) => figures.map(([figure, f]) => ({ choice: name(r), figure, value: f(r) })));
  const bars = {
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
  const panels = ["free memory (MiB)", "swap used (MiB)", "refaults per simulated second"];
  const points = runs.flatMap((r) => {
    const s = r.series;
    if (!s) return [];
    return s.tMs.flatMap((t, i) => {
      const dt = i === 0 ? 0 : (t - s.tMs[i - 1]!) / 1000;
      const rate = i === 0 || dt <= 0 ? 0 : (s.refaults[i]! - s.refaults[i - 1]!) / dt;
      return [
        { choice: name(r), panel: panels[0], t, value: s.memFreeKiB[i]! / 1024 },
        { choice: name(r), panel: panels[1], t, value: s.swapUsedKiB[i]! / 1024 },
        { choice: name(r), panel: panels[2], t, value: rate },
      ];
    });
  });
  const lines = {
    data: { values: points },
    facet: { column: { field: "panel", type: "nominal", title: null, sort: panels } },
    spec: {
      width: 220,
      height: 160,
      mark: "line",
      encoding: {
        x: { field: "t", type: "quantitative", title: "simulated ms" },
        y: { field: "value", type: "quantitative", title: null },
        color: { field: "choice", type: "nominal", title: slot },
      },
    },
    resolve: { scale: { y: "independent" } },
  };
  const spec = points.length === 0
    ? { $schema: "https://vega.github.io/schema/vega-lite/v5.json", title: `mmsim compare: ${slot}`, ...bars }
    : { $schema: "https://vega.github.io/schema/vega-lite/v5.json", title: `mmsim compare: ${slot}`, vconcat: [bars, lines] };
  const view = new vega.View(vega.parse(vl.compile(spec as Parameters<typeof vl.compile>[0]).spec), { renderer: "none" });
  return view.toSVG();
}
