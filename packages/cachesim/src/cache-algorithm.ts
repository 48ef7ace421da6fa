// mmsim: the one interface every cache algorithm implements, built-in or a user's file (no kernel counterpart; libCacheSim's cache_t)
/*
 * libCacheSim semantics, which every built-in algorithm keeps and a user's should:
 *  - the capacity counts objects (cachesim --ignore-obj-size 1: every object has size 1);
 *  - a request is a hit when the object is resident; every miss inserts the object (after
 *    evicting as the algorithm decides) unless the algorithm's own admission rule refuses;
 *  - compulsory misses count (no warm-up).
 *
 * Objects arrive as dense numbers 0, 1, 2, … (ObjectIndex: the 64-bit ids mapped in order of
 * first appearance), so per-object state lives in typed arrays indexed by the number; before
 * each batch `reserve(objects)` says how many numbers exist, and an algorithm grows its arrays
 * then (by doubling), never inside `replay`.
 */
import { ArgumentError } from "@mmsim/core";

/** The requests of one batch, as a replay hands them to every algorithm. */
export interface RequestBatch {
  /** Requests held (the arrays are longer). */
  length: number;
  /** Dense object number of each request. */
  readonly obj: Int32Array;
  /** 1-based index in the trace of the next request for the same object; NEVER (Infinity) if none; NaN when the trace has no such field. */
  readonly nextAccess: Float64Array;
}

/** A cache simulated over a stream of requests. */
export interface CacheAlgorithm {
  /** Its name in tables (e.g. "lru"). */
  readonly name: string;
  /** Capacity in objects. */
  readonly capacity: number;
  /** Makes per-object state valid for object numbers below `objects` (called before each batch). */
  reserve(objects: number): void;
  /** Replays the batch's requests in order; returns how many missed. */
  replay(batch: RequestBatch): number;
  /** Objects resident now. */
  resident(): number;
  /** Checks the algorithm's structures (lists closed, counters match them); returns the problems found. */
  validate(): string[];
  /**
   * Figures beyond the misses, by name (a kernel cell's refaults, pages scanned and reclaimed,
   * simulated time: @mmsim/machine's KernelReplayCache); the replay's results carry them as
   * `figures`. Optional: the baselines have none.
   */
  figures?(): Readonly<Record<string, number>>;
}

/** How a replay makes an algorithm: the unit a user's file exports. */
export interface CacheAlgorithmFactory {
  /** The name `--algo` takes (lower-case, e.g. "s3fifo"). */
  readonly name: string;
  /** One line for help texts. */
  readonly description: string;
  /** libCacheSim's cachesim name for the same algorithm, when there is one (e.g. "twoq"). */
  readonly libCacheSimName?: string;
  /** True when it reads the next-access field (only oracleGeneral traces have one). */
  readonly needsNextAccess?: boolean;
  /** A cache of `capacity` objects (≥ 1). */
  create(capacity: number): CacheAlgorithm;
}

/** Whether a value (a module's default export) is a CacheAlgorithmFactory. */
export function isCacheAlgorithmFactory(x: unknown): x is CacheAlgorithmFactory {
  const f = x as CacheAlgorithmFactory | undefined;
  return typeof f === "object" && f !== null && typeof f.name === "string" && typeof f.create === "function" && typeof f.description === "string";
}

/** Checks a capacity at the API edge. */
export function checkCapacity(site: string, capacity: number): void {
  if (!Number.isSafeInteger(capacity) || capacity < 1 || capacity > 0x3fffffff) {
    throw new ArgumentError(site, "capacity", "a whole number of objects from 1 to 2^30 − 1", String(capacity));
  }
}

/**
 * A base for an algorithm written one request at a time (a user's, typically): implement
 * `access` and `grow`; `replay` calls `access` for each request. The built-in algorithms
 * implement `replay` themselves, so that each runs its own monomorphic loop.
 */
export abstract class PerRequestCache implements CacheAlgorithm {
  abstract readonly name: string;
  private objects = 0;

  constructor(readonly capacity: number) {
    checkCapacity("cachesim.PerRequestCache", capacity);
  }

  /** One request: true on a hit. On a miss, insert the object (evicting first when full). */
  abstract access(obj: number, nextAccess: number): boolean;
  /** Grow per-object state from `from` objects to `to` (typed arrays: copy into larger ones). */
  abstract grow(from: number, to: number): void;
  abstract resident(): number;

  validate(): string[] {
    return [];
  }

  reserve(objects: number): void {
    if (objects > this.objects) {
      this.grow(this.objects, objects);
      this.objects = objects;
    }
  }

  replay(batch: RequestBatch): number {
    let misses = 0;
    const obj = batch.obj;
    const next = batch.nextAccess;
    for (let i = 0; i < batch.length; i++) if (!this.access(obj[i]!, next[i]!)) misses++;
    return misses;
  }
}

/** Per-object arrays sized for `objects` numbers plus `extra` leading slots, grown by doubling. */
export function grownLength(current: number, needed: number): number {
  let n = Math.max(current, 1024);
  while (n < needed) n *= 2;
  return n;
}

/** A copy of `a` with length `n`, new slots set to `fill`. */
export function growInt32(a: Int32Array, n: number, fill: number): Int32Array<ArrayBuffer> {
  const b = new Int32Array(n);
  b.set(a);
  if (fill !== 0) b.fill(fill, a.length);
  return b;
}

/** A copy of `a` with length `n` (new slots 0). */
export function growUint8(a: Uint8Array, n: number): Uint8Array<ArrayBuffer> {
  const b = new Uint8Array(n);
  b.set(a);
  return b;
}
