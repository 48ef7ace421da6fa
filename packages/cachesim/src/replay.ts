// mmsim: replay a trace through a grid of cache algorithms and sizes in one pass (no kernel counterpart; libCacheSim's simulate_with_multi_caches)
/*
 * One pass over the trace feeds every cell (algorithm × capacity): each batch of records is
 * read once, its ids mapped once to dense numbers (ObjectIndex), and each cell replays the
 * batch in its own loop. libCacheSim runs each cell on its own thread, each re-reading the
 * trace; the counts are the same, since a cell depends on nothing but the requests.
 *
 * Sizes as libCacheSim's cachesim takes them: a whole number is objects; a number with a point
 * is a fraction of the working set (distinct objects), `(uint64_t)(wss * atof(text))`; mmsim
 * adds `N%`, the same as the fraction N/100 written as a decimal (1% is 0.01). A fraction needs
 * the working set first: `scanTrace` counts it in a first pass (as libCacheSim's
 * cal_working_set_size), and its index is reused by the replay.
 */
import { ArgumentError, TraceFormatError } from "@mmsim/core";
import type { CacheAlgorithm, CacheAlgorithmFactory, RequestBatch } from "./cache-algorithm.ts";
import { ObjectIndex } from "./object-index.ts";
import { type TraceReadOptions, readTrace, traceFormatOf } from "./trace-reader.ts";
import type { TraceRecords } from "./trace-records.ts";

/** A size as given: objects, or a fraction of the working set. */
export interface CacheSizeSpec {
  /** As written (e.g. "5%", "0.05", "4897"). */
  readonly text: string;
  /** Objects, when given as a whole number. */
  readonly objects?: number;
  /** The fraction of the working set, as the decimal text libCacheSim would parse (e.g. "0.05"). */
  readonly fraction?: string;
}

/** What the first pass found. */
export interface TraceSummary {
  /** Records in the file. */
  readonly records: number;
  /** Requests replayed: records of size 0 are skipped, as libCacheSim skips them. */
  readonly requests: number;
  /** Distinct objects among the requests (the working set). */
  readonly objects: number;
}

/** One cell of the grid, after the replay. */
export interface ReplayCellResult {
  readonly algorithm: string;
  /** As the user wrote it (e.g. "5%"). */
  readonly size: string;
  /** Capacity in objects. */
  readonly capacity: number;
  readonly requests: number;
  readonly misses: number;
  readonly hits: number;
  /** misses / requests (0 when there are no requests). */
  readonly missRatio: number;
  /** The algorithm's own figures (CacheAlgorithm.figures), when it has any. */
  readonly figures?: Readonly<Record<string, number>>;
}

/** One cell to run. */
export interface ReplayCell {
  readonly algorithm: CacheAlgorithmFactory;
  readonly capacity: number;
  /** As written (default: the capacity). */
  readonly size?: string;
}

/**
 * Parses `--size 1%,5%,4897,0.1`.
 * @throws ArgumentError naming the entry that is neither
 */
export function parseCacheSizes(text: string): CacheSizeSpec[] {
  const out: CacheSizeSpec[] = [];
  for (const raw of text.split(",")) {
    const t = raw.trim();
    if (t === "") continue;
    let m: RegExpExecArray | null;
    if ((m = /^(\d+(?:\.\d+)?)%$/.exec(t))) out.push({ text: t, fraction: percentToFraction(m[1]!) });
    else if (/^\d+$/.test(t)) out.push({ text: t, objects: Number(t) });
    else if (/^\d*\.\d+$/.test(t)) out.push({ text: t, fraction: t });
    else throw new ArgumentError("cachesim.parseCacheSizes", "--size", "objects (4897), a percentage of the distinct objects (5%) or a fraction (0.05), comma-separated", `"${t}"`);
  }
  if (out.length === 0) throw new ArgumentError("cachesim.parseCacheSizes", "--size", "at least one size", `"${text}"`);
  return out;
}

/** "12.5" (percent) → "0.125": the decimal point moved two places, so the double is the one libCacheSim parses. */
function percentToFraction(p: string): string {
  const [int, frac = ""] = p.split(".");
  const digits = int!.padStart(3, "0") + frac;
  const point = digits.length - frac.length - 2;
  return `${digits.slice(0, point)}.${digits.slice(point)}`.replace(/^0+(?=\d)/, "");
}

/**
 * A size in objects: a count as given, a fraction as ⌊objects × fraction⌋ (libCacheSim's
 * `(uint64_t)(wss * atof(token))`).
 * @throws ArgumentError when it comes to 0 objects
 */
export function resolveCacheSize(spec: CacheSizeSpec, objects: number): number {
  const n = spec.objects ?? Math.floor(objects * Number.parseFloat(spec.fraction!));
  if (n < 1 || !Number.isSafeInteger(n)) {
    throw new ArgumentError("cachesim.resolveCacheSize", "--size", "a cache of at least one object", `${spec.text} of ${objects} distinct objects = ${n} objects`);
  }
  return n;
}

/** Whether a size needs the working set (a fraction or percentage). */
export function needsWorkingSet(specs: readonly CacheSizeSpec[]): boolean {
  return specs.some((s) => s.fraction !== undefined);
}

/**
 * Runs cells over batches of records: one ObjectIndex, one request batch, every cell fed in
 * turn. Use it directly for traces in memory; `replayTrace` drives it from a file.
 */
export class Replay {
  readonly index: ObjectIndex;
  readonly caches: CacheAlgorithm[];
  readonly misses: Float64Array;
  records = 0;
  requests = 0;
  private batch: RequestBatch & { obj: Int32Array; nextAccess: Float64Array };

  constructor(
    readonly cells: readonly ReplayCell[],
    index?: ObjectIndex,
  ) {
    this.index = index ?? new ObjectIndex();
    this.caches = cells.map((c) => c.algorithm.create(c.capacity));
    this.misses = new Float64Array(cells.length);
    this.batch = { length: 0, obj: new Int32Array(0), nextAccess: new Float64Array(0) };
  }

  /** Replays one batch of records through every cell. */
  feed(rec: TraceRecords): void {
    if (this.batch.obj.length < rec.count) this.growBatch(rec.capacity);
    const b = this.batch;
    b.length = this.index.mapRecords(rec, b.obj, b.nextAccess);
    this.records += rec.count;
    this.requests += b.length;
    const objects = this.index.size;
    for (let c = 0; c < this.caches.length; c++) {
      const cache = this.caches[c]!;
      cache.reserve(objects);
      this.misses[c]! += cache.replay(b);
    }
  }

  private growBatch(capacity: number): void {
    this.batch = { length: 0, obj: new Int32Array(capacity), nextAccess: new Float64Array(capacity) };
  }

  /** The cells' results so far. */
  results(): ReplayCellResult[] {
    return this.cells.map((cell, c) => {
      const misses = this.misses[c]!;
      return {
        algorithm: this.caches[c]!.name,
        size: cell.size ?? String(cell.capacity),
        capacity: cell.capacity,
        requests: this.requests,
        misses,
        hits: this.requests - misses,
        missRatio: this.requests === 0 ? 0 : misses / this.requests,
        ...(this.caches[c]!.figures ? { figures: this.caches[c]!.figures!() } : {}),
      };
    });
  }
}

/** Progress callbacks of a pass over a trace. */
export interface PassObserver {
  /** After each batch: records read so far in this pass. */
  onBatch?(records: number): void;
}

/**
 * First pass: counts records, requests and distinct objects (the working set), keeping the
 * ObjectIndex for the replay.
 */
export async function scanTrace(path: string, read: TraceReadOptions = {}, observer: PassObserver = {}): Promise<TraceSummary & { index: ObjectIndex }> {
  const index = new ObjectIndex();
  let records = 0;
  let requests = 0;
  for await (const rec of readTrace(path, read)) {
    const { idLo, idHi, size } = rec;
    for (let i = 0; i < rec.count; i++) {
      if (size[i] === 0) continue;
      index.lookupOrAdd(idLo[i]!, idHi[i]!);
      requests++;
    }
    records += rec.count;
    observer.onBatch?.(records);
  }
  return { records, requests, objects: index.size, index };
}

/**
 * Replays a trace file through the cells in one pass.
 * @throws TraceFormatError on a misformatted trace, or when an algorithm needs the next-access
 *   field and the trace's format has none
 */
export async function replayTrace(
  path: string,
  cells: readonly ReplayCell[],
  read: TraceReadOptions = {},
  observer: PassObserver & { index?: ObjectIndex } = {},
): Promise<{ summary: TraceSummary; results: ReplayCellResult[] }> {
  const format = traceFormatOf(path, read.format);
  const oracle = cells.find((c) => c.algorithm.needsNextAccess);
  if (oracle && format !== "oracleGeneral") {
    throw new TraceFormatError(
      "cachesim.replayTrace", path, 0,
      `${oracle.algorithm.name} needs each request's next access, which only an oracleGeneral trace records; convert this ${format} trace first (writeOracleGeneral, or \`mmsim replay ${path} --convert out.oracleGeneral.bin\`)`,
    );
  }
  const replay = new Replay(cells, observer.index);
  for await (const rec of readTrace(path, { ...read, format })) {
    replay.feed(rec);
    observer.onBatch?.(replay.records);
  }
  return { summary: { records: replay.records, requests: replay.requests, objects: replay.index.size }, results: replay.results() };
}
