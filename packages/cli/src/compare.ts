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
  /** Figures by key (slabPages, slabKiB, liveKiB, overheadKiB, fragmentationPct, slabCounterKiB, buddyPagesAllocated, slabAllocs, slabFrees, failedAllocs, simulatedNs, nsPerSlabOp, …). */
  readonly [figure: string]: number | string | undefined;
  /** /proc/slabinfo at the end (empty without a slab allocator). */
  readonly slabinfo: string;
  /** Host milliseconds for boot + workload (only with --timing). */
  readonly hostMs?: number;
}

/** One row of the table: its label and how a run's figures make its cell. */
export interface CompareRow {
  readonly label: string;
  readonly cell: (figures: Readonly<Record<string, number>>) => string;
}

/** The run's own figures, between the modules' (by rank). */
const RUN_FIGURES = Object.freeze([
  { key: "failedAllocs", rank: 80, label: "failed allocations" },
  { key: "simulatedNs", rank: 90, label: "simulated time (ns)" },
]);

/** Parses `--vary slot=a,b,c`. */
export function parseVary(text: string): { slot: string; choices: string[] } {
  const m = /^([a-z][a-z0-9_-]*)=(.+)$/i.exec(text);
  if (!m) throw new Error(`--vary: expected slot=choice,choice (e.g. slab=slab,slub), got "${text}"`);
  const choices = m[2]!.split(",").map((c) => c.trim()).filter((c) => c !== "");
  if (choices.length < 1) throw new Error(`--vary ${text}: no choices`);
  return { slot: m[1]!, choices };
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
}

/** Runs the scenario once per choice of `slot` and measures each run. */
/** The runs of a comparison and the rows its table shows (from the modules' metrics, by rank). */
export interface Comparison {
  readonly runs: readonly CompareRun[];
  readonly rows: readonly CompareRow[];
}

export async function compareRuns(file: string, base: ScenarioOverrides, slot: string, choices: readonly string[], options: CompareOptions = {}): Promise<Comparison> {
  const { hostClock } = options;
  const runs: CompareRun[] = [];
  let rows: CompareRow[] | undefined;
  for (const [index, choice] of choices.entries()) {
    const t0 = hostClock?.();
    options.onRun?.(index, choice);
    const value = options.resolveChoice ? options.resolveChoice(choice) : choice;
    const { scenario, catalog } = await loadScenarioFileAsync(file, { ...base, set: [...(base.set ?? []), `kernel.policies.${slot}=${value}`] }, { cwd: options.cwd });
    const m = await Machine.createAsync(scenario, catalog);
    if (options.boot) options.boot(m);
    else m.boot();
    const metrics = m.metrics();
    for (const x of metrics) x.begin?.();
    const ns0 = m.clock.now();
    const result = m.runWorkload({ onStep: options.onStep });
    const own: Record<string, number> = {
      failedAllocs: Object.values(result.failedAllocs).reduce((x, y) => x + y, 0),
      simulatedNs: m.clock.now() - ns0,
    };
    const entries: [number, string, number][] = metrics.map((x) => [x.rank, x.key, x.sample()]);
    for (const f of RUN_FIGURES) entries.push([f.rank, f.key, own[f.key]!]);
    entries.sort((x, y) => x[0] - y[0]);
    const figures: Record<string, number> = {};
    for (const [, key, v] of entries) figures[key] = v;
    rows ??= [
      ...metrics.filter((x) => x.label !== undefined).map((x) => ({ rank: x.rank, label: x.label!, cell: x.cell ?? ((f: Readonly<Record<string, number>>) => String(f[x.key])) })),
      ...RUN_FIGURES.map((f) => ({ rank: f.rank, label: f.label, cell: (g: Readonly<Record<string, number>>) => String(g[f.key]) })),
    ].sort((x, y) => x.rank - y.rank);
    runs.push({
      choice,
      ...figures,
      slabinfo: m.readFile("/proc/slabinfo") ?? "",
      hostMs: t0 === undefined || !hostClock ? undefined : Math.round(hostClock() - t0),
    });
  }
  return { runs, rows: rows ?? [] };
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
 * A chart of a comparison for people: one panel per figure (slab KiB, live KiB, overhead KiB,
 * simulated ns per slab op), one bar per choice. Rendered headless to SVG by vega-lite + vega.
 */
export async function compareChartSvg(slot: string, runs: readonly CompareRun[], libs?: ChartLibraries): Promise<string> {
  const { vega, vl } = libs ?? (await loadChartLibraries());
  const figures: [string, (r: CompareRun) => number][] = [
    ["slab pages (KiB)", (r) => Number(r.slabKiB ?? 0)],
    ["live objects (KiB)", (r) => Number(r.liveKiB ?? 0)],
    ["overhead (KiB)", (r) => Number(r.overheadKiB ?? 0)],
    ["simulated ns per slab op", (r) => Number(r.nsPerSlabOp ?? 0)],
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
