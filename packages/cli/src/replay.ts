// mmsim: `mmsim replay` — a trace through a grid of cache algorithms and sizes: miss ratios, exact to libCacheSim (no kernel counterpart)
/*
 * mmsim replay <trace> --algo lru,arc,s3fifo --size 1%,5%,10%,20%,50%
 *
 * The grid (algorithm × size) runs in one pass per worker thread: with --jobs N (default: as
 * many as there are cores, at most the cells) the cells are dealt round-robin to N workers, each
 * streaming the trace itself; with one job, or when running from the TypeScript sources (tests),
 * in this thread. A percentage or fraction size needs the working set first: one counting pass,
 * whose id table the in-thread replay reuses. Progress is a bar on stderr, on a terminal only.
 * Every figure printed is a count of the replay; host time appears only with --timing, on stderr.
 */
import { closeSync, existsSync, openSync, readSync, statSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import {
  type CacheAlgorithmFactory, type ObjectIndex, ORACLE_GENERAL_RECORD_BYTES, type ReplayCellResult, type TraceFormat, type TraceReadOptions, type TraceSummary,
  isAlgorithmPath, isZstd, needsWorkingSet, parseCacheSizes, parseTraceFormat, readTrace, replayTrace, resolveAlgorithm, resolveCacheSize,
  scanTrace, traceFormatOf, writeOracleGeneral, CACHE_ALGORITHMS,
} from "@mmsim/cachesim";
import { ArgumentError, TraceFormatError } from "@mmsim/core";
import { KernelReplayFactory } from "@mmsim/machine";
import type { Command } from "commander";
import { loadChartLibraries, type ChartLibraries } from "./compare.ts";
import { JSON_SCHEMA_VERSION, type ReplayJson, jsonText } from "./json.ts";
import type { CliIo } from "./main.ts";
import { userPath } from "./paths.ts";
import { progressBar } from "./progress.ts";

/** Options of `mmsim replay`. */
export interface ReplayOptions {
  algo: string;
  size: string;
  format?: string;
  traceParams?: string;
  jobs?: string;
  chart?: string;
  convert?: string;
  json?: boolean;
  timing?: boolean;
  kernelReadahead?: string;
  kernelLayout?: string;
  kernelBacking?: string;
}

/**
 * A kernel cell's name: `kernel-<reclaim policy>` (kernel-lru, kernel-mglru) or
 * `kernel:<reclaim module file>`; the reclaim value it gives, or undefined for a baseline.
 */
export function kernelPolicyOf(name: string): string | undefined {
  if (name.startsWith("kernel:")) return name.slice("kernel:".length);
  if (name.startsWith("kernel-")) return name.slice("kernel-".length);
  return undefined;
}

/** What a kernel cell needs beyond its name: the trace's distinct objects (the file's pages) and readahead. */
export interface KernelCellOptions {
  readonly objects: number;
  readonly readahead: boolean;
  readonly layout: "scattered" | "first-use";
  readonly backing: "file" | "anon";
}

/**
 * The factory for one `--algo` entry: a built-in baseline, a user's cache file, or a kernel cell
 * (`kernel-lru`, `kernel-mglru`, `kernel:./my-policy.mjs`: @mmsim/machine's KernelReplayFactory).
 * `name` is as given (a path already made absolute by the caller).
 */
export async function resolveReplayAlgorithm(name: string, kernel: KernelCellOptions | undefined, displayName?: string): Promise<CacheAlgorithmFactory> {
  const reclaim = kernelPolicyOf(name);
  if (reclaim === undefined) return resolveAlgorithm(name);
  if (reclaim === "") throw new ArgumentError("cli.replay", "--algo", "kernel-<reclaim policy> (kernel-lru, kernel-mglru) or kernel:<reclaim module file>", `"${name}"`);
  if (kernel === undefined) throw new Error(`mmsim: ${name} needs the trace's distinct objects (a counting pass)`);
  return KernelReplayFactory.load({ reclaim, objects: kernel.objects, readahead: kernel.readahead, layout: kernel.layout, backing: kernel.backing, name: displayName });
}

/** Default --algo: every built-in algorithm (Belady only where the trace has next-access fields). */
const DEFAULT_ALGOS = CACHE_ALGORITHMS.map((a) => a.name).join(",");
const DEFAULT_SIZES = "1%,5%,10%,20%,50%";
/** The trace the help's examples replay (a path in the repository). */
const CLOUD = "packages/cachesim/fixtures/cloudPhysicsIO.oracleGeneral.bin.zst";
/** A small trace for the kernel cells' example (a few seconds): 12,000 requests of a zipf hot set with scans. */
const SCAN = "packages/cachesim/fixtures/scan-12k.txt";
/**
 * Below this many request-cells (requests × cells) one thread is quicker than starting workers
 * (each loads the package graph: about half a second here, measured on this 2-core machine).
 */
const WORKER_MIN_WORK = 50_000_000;

/** Registers `mmsim replay` on the program. */
export function addReplayCommand(program: Command, io: CliIo, setStatus: (s: number) => void): void {
  program
    .command("replay")
    .description("replay a cache trace (libCacheSim's oracleGeneral, csv or txt; zstd too) through cache algorithms at several sizes: miss ratio and misses per cell, exact to libCacheSim")
    .argument("<trace>", "the trace file")
    .option("--algo <a,b,…>", `algorithms: ${CACHE_ALGORITHMS.map((a) => a.name).join(", ")}, or a module file of your own (./my-cache.mjs)`, DEFAULT_ALGOS)
    .option("--size <s,…>", "cache sizes: objects (4897), percentages of the distinct objects (5%), or fractions (0.05)", DEFAULT_SIZES)
    .option("--format <name>", "oracleGeneral, csv or txt (default: from the file name, as libCacheSim)")
    .option("--trace-params <k=v,…>", "csv/txt parameters in libCacheSim's syntax, e.g. obj-id-col=2,time-col=1,obj-size-col=3,has-header=true")
    .option("--jobs <n>", "worker threads, each streaming the trace for its share of the cells (default: 1 below 50 M requests × cells, else the cores)")
    .option("--chart <file.svg>", "also draw the miss-ratio curves (SVG; needs vega and vega-lite)")
    .option("--convert <out>", "instead of replaying, write the trace as oracleGeneral (next-access fields computed) to this file")
    .option("--kernel-readahead <on|off>", "kernel cells: readahead as 6.1 does it (on), or the file opened as POSIX_FADV_RANDOM leaves it (off: each miss reads its page)", "on")
    .option("--kernel-layout <scattered|first-use>", "kernel cells: objects scattered over the file by a fixed permutation (default), or page n for the n-th new object (readahead then reads objects before their first request)", "scattered")
    .option("--kernel-backing <file|anon>", "kernel cells: each object a page of an ext2 file read with pread(2) (file), or of a task's private anonymous mapping, touched by loads and swapped to a disk (anon)", "file")
    .option("--json", "print one JSON document instead of the table (schema: docs/json.md)")
    .option("--timing", "print host time spent on stderr")
    .addHelpText(
      "after",
      "\nSemantics are libCacheSim's cachesim with --ignore-obj-size 1: sizes count objects, every miss inserts,\n" +
        "compulsory misses count, requests of size 0 are skipped. Belady needs an oracleGeneral trace.\n" +
        "Kernel cells (kernel-lru, kernel-mglru, kernel:./my-reclaim-policy.mjs) replay the trace through Linux 6.1's page\n" +
        "cache and reclaim on a booted board: each object is one page of an ext2 file (scattered by a fixed permutation),\n" +
        "each request a pread(2) of its page; the board's memory leaves about `size` pages for the cache\n" +
        "(free pages minus the watermarks; the size reached is printed). A miss is a request whose page was not in\n" +
        "the page cache (filemap_fault's major fault); pages read (pgpgin) include readahead's. Slow: about 10,000\n" +
        "misses per second of host time. With --kernel-backing anon each object is a page of a task's anonymous mapping\n" +
        "instead (the first request a store, each later one a load; swap on a second disk): a miss is then a first touch\n" +
        "or a major fault (do_swap_page), and an access is seen only through the young bit reclaim reads.\n" +
        "A csv trace names its columns: --trace-params obj-id-col=2,time-col=1,obj-size-col=3 (libCacheSim's -t).\n" +
        `Examples (${CLOUD} is the cloudPhysicsIO trace, zstd-compressed):\n` +
        `  mmsim replay ${CLOUD} --algo lru,arc,s3fifo --size 1%,5%,10%,20%,50%\n` +
        `  mmsim replay ${CLOUD} --algo lru,fifo,belady --size 4897 --json\n` +
        `  mmsim replay ${CLOUD} --algo lru,examples/mru-cache/mru.mjs --size 1%,10% --chart mrc.svg\n` +
        `  mmsim replay ${SCAN} --algo lru,arc,kernel-lru,kernel-mglru --size 10%\n` +
        `  mmsim replay ${CLOUD} --convert cloud.oracleGeneral.bin\n`,
    )
    .action(async (trace: string, opts: ReplayOptions) => {
      setStatus(await replayCommand(trace, opts, io));
    });
}

/** Runs `mmsim replay`; returns the exit status. */
export async function replayCommand(traceArg: string, opts: ReplayOptions, io: CliIo): Promise<number> {
  const t0 = process.hrtime.bigint();
  const path = userPath(io.cwd, traceArg);
  const format = traceFormatOf(path, opts.format === undefined ? undefined : parseTraceFormat(opts.format));
  const read: TraceReadOptions = { format, params: opts.traceParams };

  if (opts.convert !== undefined) {
    const out = userPath(io.cwd, opts.convert);
    const { records, objects } = await writeOracleGeneral(out, readTrace(path, read));
    if (opts.json) io.stdout.write(jsonText({ schemaVersion: JSON_SCHEMA_VERSION, command: "replay", converted: { from: traceArg, to: opts.convert, records, objects } }));
    else io.stdout.write(`wrote ${opts.convert}: ${records} records (oracleGeneral), ${objects} distinct objects\n`);
    return 0;
  }

  const sizes = parseCacheSizes(opts.size);
  let names = opts.algo.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (names.length === 0) throw new ArgumentError("cli.replay", "--algo", "one algorithm or more, comma-separated", `"${opts.algo}"`);
  const notes: string[] = [];
  if (opts.algo === DEFAULT_ALGOS && format !== "oracleGeneral") {
    names = names.filter((n) => n !== "belady");
    notes.push(`belady left out: a ${format} trace has no next-access field (--convert writes an oracleGeneral copy)`);
  }
  const readahead = opts.kernelReadahead ?? "on";
  if (readahead !== "on" && readahead !== "off") throw new ArgumentError("cli.replay", "--kernel-readahead", "on or off", `"${readahead}"`);
  const layout = opts.kernelLayout ?? "scattered";
  if (layout !== "scattered" && layout !== "first-use") throw new ArgumentError("cli.replay", "--kernel-layout", "scattered or first-use", `"${layout}"`);
  const backing = opts.kernelBacking ?? "file";
  if (backing !== "file" && backing !== "anon") throw new ArgumentError("cli.replay", "--kernel-backing", "file or anon", `"${backing}"`);
  const kernelNames = names.filter((n) => kernelPolicyOf(n) !== undefined);

  // the working set, when a size is relative to it or a kernel cell needs its file's size
  let summary: (TraceSummary & { index?: ObjectIndex }) | undefined;
  if (needsWorkingSet(sizes) || kernelNames.length > 0) {
    const bar = progressBar(io, "replay [{bar}] counting objects: {value} records", knownRecords(path, format) ?? 1e12);
    try {
      summary = await scanTrace(path, read, { onBatch: (n) => bar?.update(n) });
    } finally {
      bar?.stop();
    }
  }
  const kernel: KernelCellOptions | undefined = summary !== undefined ? { objects: Math.max(1, summary.objects), readahead: readahead === "on", layout, backing } : undefined;
  const algos: CacheAlgorithmFactory[] = [];
  for (const n of names) algos.push(await resolveReplayAlgorithm(algoPath(n, io), kernel, n));
  const capacities = sizes.map((s) => resolveCacheSize(s, summary?.objects ?? 0));
  const cells = algos.flatMap((algorithm) => sizes.map((s, i) => ({ algorithm, capacity: capacities[i]!, size: s.text })));

  const total = summary?.records ?? knownRecords(path, format);
  // a kernel cell costs about what 1,000 baseline cells do (a miss is a whole read(2) through the kernel)
  const weight = cells.reduce((w, c) => w + (kernelPolicyOf(c.algorithm.name) !== undefined ? KERNEL_CELL_WEIGHT : 1), 0);
  const work = (total ?? statSync(path).size / ORACLE_GENERAL_RECORD_BYTES) * weight;
  const jobs = Math.max(1, Math.min(cells.length, opts.jobs !== undefined ? parsePositive(opts.jobs, "--jobs") : work < WORKER_MIN_WORK ? 1 : availableParallelism()));
  const bar = progressBar(io, total !== undefined ? "replay [{bar}] {percentage}% | {value}/{total} records × {cells} cells" : "replay {value} records × {cells} cells", total ?? 1e12, { cells: cells.length });
  let results: ReplayCellResult[];
  let replayed: TraceSummary;
  try {
    const workerFile = new URL("./replay-worker.js", import.meta.url);
    if (jobs > 1 && import.meta.url.endsWith(".js") && existsSync(fileURLToPath(workerFile))) {
      const refs = cells.map((c) => {
        const { ref, name } = algoRef(c.algorithm, names, algos, io);
        return { algorithm: ref, name, capacity: c.capacity, size: c.size };
      });
      ({ summary: replayed, results } = await replayInWorkers(workerFile, path, read, refs, kernel, jobs, (n) => bar?.update(n)));
    } else {
      ({ summary: replayed, results } = await replayTrace(path, cells, read, { index: summary?.index, onBatch: (n) => bar?.update(n) }));
    }
  } finally {
    bar?.stop();
  }
  for (let i = 0; i < sizes.length; i++) {
    const what = sizes[i]!.objects !== undefined ? `${capacities[i]} objects` : `${sizes[i]!.text} (${capacities[i]} objects)`;
    if (capacities[i]! > replayed.objects) notes.push(`a cache of ${what} holds more than the trace's ${replayed.objects} distinct objects: only compulsory misses remain`);
  }
  if (replayed.records !== replayed.requests) notes.push(`${replayed.records - replayed.requests} records of size 0 skipped, as libCacheSim skips them`);
  if (kernelNames.length > 0) {
    const order = layout === "first-use" ? "objects in order of first use" : "scattered by a fixed permutation";
    notes.push(
      backing === "anon"
        ? `kernel cells: each object is one page of a task's private anonymous mapping of ${summary!.objects} pages (${order}), written at its first request and loaded after, swapped to a non-rotational disk; ` +
            "a miss is a first touch or a major fault (do_swap_page); the cache size reached is the anonymous LRU lists' pages (mapped and in the swap cache), sampled every 1,024 requests once reclaim runs"
        : `kernel cells: each object is one page of an ext2 file of ${summary!.objects} pages (${order}), read with pread(2) through Linux 6.1's page cache, readahead ${readahead}; ` +
            "a miss is a request whose page was not in the page cache; the cache size reached is the file's page-cache pages, sampled every 1,024 requests once reclaim runs",
    );
  }

  const doc: ReplayJson = {
    schemaVersion: JSON_SCHEMA_VERSION,
    command: "replay",
    trace: { path: traceArg, format, ...replayed },
    sizes: sizes.map((s, i) => ({ size: s.text, capacity: capacities[i]! })),
    algorithms: algos.map((a) => a.name),
    cells: results,
    notes,
  };
  if (opts.chart) writeFileSync(userPath(io.cwd, opts.chart), await replayChartSvg(doc));
  if (opts.json) io.stdout.write(jsonText(doc));
  else io.stdout.write(replayTable(doc));
  if (opts.timing) io.stderr.write(`mmsim: host time: replay ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(1)} ms (${jobs} job${jobs === 1 ? "" : "s"})\n`);
  return 0;
}

/** A kernel cell weighs this many baseline cells when deciding on worker threads. */
const KERNEL_CELL_WEIGHT = 1000;

/** An --algo entry with a file made absolute: a user's cache file, or the module file of kernel:<file>. */
function algoPath(n: string, io: CliIo): string {
  if (n.startsWith("kernel:")) return `kernel:${resolve(userPath(io.cwd, n.slice("kernel:".length)))}`;
  return isAlgorithmPath(n) ? userPath(io.cwd, n) : n;
}

function parsePositive(text: string, what: string): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n < 1) throw new ArgumentError("cli.replay", what, "a positive whole number", `"${text}"`);
  return n;
}

/** Records in an uncompressed oracleGeneral file (its size / 24), or undefined. */
function knownRecords(path: string, format: TraceFormat): number | undefined {
  if (format !== "oracleGeneral") return undefined;
  try {
    const fd = openSync(path, "r");
    const head = new Uint8Array(4);
    readSync(fd, head, 0, 4, 0);
    closeSync(fd);
    return isZstd(head) ? undefined : Math.floor(statSync(path).size / ORACLE_GENERAL_RECORD_BYTES);
  } catch {
    return undefined;
  }
}

/** How a worker finds an algorithm again: its built-in name, or the file (absolute) it came from. */
function algoRef(a: CacheAlgorithmFactory, names: readonly string[], algos: readonly CacheAlgorithmFactory[], io: CliIo): { ref: string; name: string } {
  const n = names[algos.indexOf(a)]!;
  if (kernelPolicyOf(n) !== undefined) return { ref: algoPath(n, io), name: n };
  return { ref: isAlgorithmPath(n) ? resolve(userPath(io.cwd, n)) : a.name, name: a.name };
}

/** What the main thread sends a worker, and what it answers. */
export interface ReplayWorkerInput {
  readonly path: string;
  readonly read: TraceReadOptions;
  readonly cells: readonly { readonly algorithm: string; readonly name: string; readonly capacity: number; readonly size: string }[];
  /** What kernel cells need (undefined when the grid has none). */
  readonly kernel?: KernelCellOptions;
}
export type ReplayWorkerMessage =
  | { readonly kind: "progress"; readonly records: number }
  | { readonly kind: "done"; readonly summary: TraceSummary; readonly results: ReplayCellResult[] }
  | { readonly kind: "error"; readonly message: string; readonly trace?: { readonly file: string; readonly line: number; readonly problem: string } };

async function replayInWorkers(
  file: URL, path: string, read: TraceReadOptions, cells: ReplayWorkerInput["cells"], kernel: KernelCellOptions | undefined, jobs: number,
  onProgress: (records: number) => void,
): Promise<{ summary: TraceSummary; results: ReplayCellResult[] }> {
  const groups: number[][] = Array.from({ length: jobs }, () => []);
  cells.forEach((_, i) => groups[i % jobs]!.push(i));
  const progress = new Float64Array(jobs);
  const results: ReplayCellResult[] = new Array(cells.length);
  let summary: TraceSummary | undefined;
  await Promise.all(
    groups.map(
      (group, g) =>
        new Promise<void>((resolve, reject) => {
          const input: ReplayWorkerInput = { path, read, cells: group.map((i) => cells[i]!), kernel };
          const w = new Worker(file, { workerData: input });
          w.on("message", (m: ReplayWorkerMessage) => {
            if (m.kind === "progress") {
              progress[g] = m.records;
              onProgress(Math.min(...progress));
            } else if (m.kind === "done") {
              summary = m.summary;
              group.forEach((i, k) => (results[i] = m.results[k]!));
              resolve();
            } else reject(m.trace ? new TraceFormatError("cachesim.readTrace", m.trace.file, m.trace.line, m.trace.problem) : new Error(m.message));
          });
          w.on("error", reject);
        }),
    ),
  );
  return { summary: summary!, results };
}

/** The table: one row per algorithm, one column per size; each cell "miss ratio (misses)". */
export function replayTable(doc: ReplayJson): string {
  const t = doc.trace;
  const head = ["miss ratio (misses)", ...doc.sizes.map((s) => (s.size === String(s.capacity) ? `${s.capacity} objects` : `${s.size} = ${s.capacity} objects`))];
  const rows = doc.algorithms.map((a, ai) => [a, ...doc.sizes.map((_, si) => {
    const c = doc.cells[ai * doc.sizes.length + si]!;
    return `${c.missRatio.toFixed(4)} (${c.misses})`;
  })]);
  const widths = head.map((_, i) => Math.max(...[head, ...rows].map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ").trimEnd();
  const title = `${t.path} (${t.format}): ${t.requests} requests, ${t.objects} distinct objects${t.records !== t.requests ? ` (${t.records} records)` : ""}\n`;
  return title + [line(head), ...rows.map(line)].join("\n") + "\n" + kernelLines(doc) + doc.notes.map((n) => `note: ${n}\n`).join("");
}

/** One line per kernel cell: the cache size it reached, the disk's reads, refaults, reclaim and simulated time. */
function kernelLines(doc: ReplayJson): string {
  let out = "";
  for (const c of doc.cells) {
    const f = c.figures;
    if (f === undefined || f["cachePagesMean"] === undefined) continue;
    out +=
      `${c.algorithm} ${c.size === String(c.capacity) ? "" : `${c.size} = `}${c.capacity} pages: cache ${f["cachePagesMean"]} pages (mean; ${f["cachePagesMin"]}–${f["cachePagesMax"]}) ` +
      `on ${f["memoryMiB"]} MiB, ${f["pagesRead"]} pages read, ${f["refaults"]} refaults, ${f["pgscan"]} scanned / ${f["pgsteal"]} reclaimed ` +
      `(${f["pgstealDirect"]} direct), simulated ${(f["simulatedNs"]! / 1e9).toFixed(3)} s\n`;
  }
  return out;
}

/** Miss-ratio curves: miss ratio against cache size (objects, log scale), one line per algorithm. */
export async function replayChartSvg(doc: ReplayJson, libs?: ChartLibraries): Promise<string> {
  const { vega, vl } = libs ?? (await loadChartLibraries());
  const values = doc.cells.map((c) => ({ algorithm: c.algorithm, objects: c.capacity, missRatio: c.missRatio }));
  const spec = {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `mmsim replay: ${doc.trace.path.replace(/^.*[/\\]/, "")} (${doc.trace.requests} requests, ${doc.trace.objects} objects)`,
    width: 420,
    height: 280,
    data: { values },
    mark: { type: "line", point: true },
    encoding: {
      x: { field: "objects", type: "quantitative", scale: { type: doc.sizes.length > 1 ? "log" : "linear", nice: false }, title: "cache size (objects, log scale)" },
      y: { field: "missRatio", type: "quantitative", scale: { zero: false }, title: "miss ratio" },
      color: { field: "algorithm", type: "nominal", sort: doc.algorithms },
    },
  };
  const view = new vega.View(vega.parse(vl.compile(spec as Parameters<typeof vl.compile>[0]).spec), { renderer: "none" });
  return view.toSVG();
}
