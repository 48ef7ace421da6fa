// mmsim: deterministic synthetic traces — zipfian, scans, shifting working sets, loops (no kernel counterpart)
/*
 * Each trace is a pure function of its spec and seed: the draws come from core's Prandom (the
 * kernel's LFSR113) and the zipf table from IEEE double arithmetic, so the bytes are the same on
 * every machine (tests pin their SHA-256). Object ids are 2^60 + 7·k, above 2^53, so that a
 * replay that rounded ids through a double would merge objects and fail the counts. Sizes are
 * 4096, timestamps one second per 100 requests, and the next-access field is computed exactly.
 */
import { Prandom } from "@mmsim/core";
import { NEVER, TraceRecords } from "./trace-records.ts";

/** The kinds of synthetic trace. */
export type SyntheticSpec =
  /** Zipf(alpha) popularity over `objects` objects, object 0 the most popular. */
  | { readonly kind: "zipf"; readonly requests: number; readonly objects: number; readonly alpha: number; readonly seed: number }
  /** A zipf hot set, and every `every` requests a one-time sequential scan of `scan` new objects. */
  | { readonly kind: "scan"; readonly requests: number; readonly objects: number; readonly alpha: number; readonly every: number; readonly scan: number; readonly seed: number }
  /** Phases of `phase` requests, each uniform over a window of `window` objects that moves by `shift`. */
  | { readonly kind: "shift"; readonly requests: number; readonly window: number; readonly shift: number; readonly phase: number; readonly seed: number }
  /** A loop over `objects` objects, in order, again and again. */
  | { readonly kind: "loop"; readonly requests: number; readonly objects: number };

/** The id of synthetic object k: 2^60 + 7k, as two words. */
function idWords(k: number): { lo: number; hi: number } {
  const id = (1n << 60n) + 7n * BigInt(k);
  return { lo: Number(id & 0xffffffffn), hi: Number(id >> 32n) };
}

/** The cumulative zipf table: cdf[k] = Σ_{j≤k} (j+1)^-alpha / H. */
function zipfCdf(objects: number, alpha: number): Float64Array {
  const cdf = new Float64Array(objects);
  let sum = 0;
  for (let k = 0; k < objects; k++) {
    sum += 1 / Math.pow(k + 1, alpha);
    cdf[k] = sum;
  }
  for (let k = 0; k < objects; k++) cdf[k] = cdf[k]! / sum;
  return cdf;
}

/** The first k with cdf[k] ≥ u. */
function zipfDraw(cdf: Float64Array, u: number): number {
  let lo = 0;
  let hi = cdf.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cdf[mid]! >= u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The object numbers of a synthetic trace, request by request. */
export function syntheticObjects(spec: SyntheticSpec): Int32Array {
  const out = new Int32Array(spec.requests);
  switch (spec.kind) {
    case "zipf": {
      const rng = new Prandom(spec.seed);
      const cdf = zipfCdf(spec.objects, spec.alpha);
      for (let i = 0; i < spec.requests; i++) out[i] = zipfDraw(cdf, rng.nextFloat());
      break;
    }
    case "scan": {
      const rng = new Prandom(spec.seed);
      const cdf = zipfCdf(spec.objects, spec.alpha);
      let cold = spec.objects;
      let i = 0;
      while (i < spec.requests) {
        if (i > 0 && i % spec.every === 0) {
          for (let s = 0; s < spec.scan && i < spec.requests; s++) out[i++] = cold++;
          if (i >= spec.requests) break;
        }
        out[i++] = zipfDraw(cdf, rng.nextFloat());
      }
      break;
    }
    case "shift": {
      const rng = new Prandom(spec.seed);
      for (let i = 0; i < spec.requests; i++) {
        const base = Math.floor(i / spec.phase) * spec.shift;
        out[i] = base + rng.below(spec.window);
      }
      break;
    }
    case "loop":
      for (let i = 0; i < spec.requests; i++) out[i] = i % spec.objects;
      break;
  }
  return out;
}

/** A synthetic trace as one batch of records, with exact next-access fields. */
export function syntheticTrace(spec: SyntheticSpec): TraceRecords {
  const objs = syntheticObjects(spec);
  const n = objs.length;
  const rec = new TraceRecords(n);
  rec.count = n;
  let maxObj = 0;
  for (let i = 0; i < n; i++) if (objs[i]! > maxObj) maxObj = objs[i]!;
  const nextOf = new Float64Array(maxObj + 1).fill(NEVER);
  for (let i = n - 1; i >= 0; i--) {
    const k = objs[i]!;
    const { lo, hi } = idWords(k);
    rec.timestamp[i] = Math.floor(i / 100);
    rec.idLo[i] = lo;
    rec.idHi[i] = hi;
    rec.size[i] = 4096;
    rec.nextAccess[i] = nextOf[k]!;
    nextOf[k] = i + 1;
  }
  return rec;
}

/** The synthetic traces the tests replay against libCacheSim's counts (fixtures/synthetic-counts.json). */
export const SYNTHETIC_TRACES: Readonly<Record<string, SyntheticSpec>> = Object.freeze({
  "zipf-0.8": { kind: "zipf", requests: 60000, objects: 10000, alpha: 0.8, seed: 17 },
  "zipf-1.1": { kind: "zipf", requests: 40000, objects: 3000, alpha: 1.1, seed: 4 },
  "scan": { kind: "scan", requests: 60000, objects: 4000, alpha: 0.9, every: 6000, scan: 2500, seed: 9 },
  "shift": { kind: "shift", requests: 60000, window: 1500, shift: 700, phase: 8000, seed: 23 },
  "loop": { kind: "loop", requests: 30000, objects: 1200 },
});
