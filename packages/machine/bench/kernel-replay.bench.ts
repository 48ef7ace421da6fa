// mmsim: the kernel replay of `mmsim replay --algo kernel-lru` (kernel-replay.ts): requests per second of host time through 6.1's page cache — hits (the inline filemap_read path) and a trace that misses (whole read(2)s through readahead, the disk and reclaim); issue 17's target for the classic LRU: ≥ 5 M req/s
import { type KernelReplayCell, KernelReplayFactory } from "@mmsim/machine";
import { bench, describe } from "vitest";

const OBJECTS = 40_000;
const REQUESTS = 1 << 20;

/** A skewed trace (u³ over the objects, a fixed LCG): a few hot objects, a long tail. */
function skewed(objects: number, n: number, seed: number): Int32Array {
  const a = new Int32Array(n);
  let x = seed;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const u = (x >>> 8) / (1 << 24);
    a[i] = Math.min(objects - 1, Math.floor(objects * u * u * u));
  }
  return a;
}

function replay(c: KernelReplayCell, obj: Int32Array): number {
  let misses = 0;
  for (let s = 0; s < obj.length; s += 65_536) {
    const part = obj.subarray(s, Math.min(obj.length, s + 65_536));
    misses += c.replay({ length: part.length, obj: part });
  }
  return misses;
}

const trace = skewed(OBJECTS, REQUESTS, 12345);
// every object read once first: the cache holds the whole file, so the timed replays only hit
const all = new Int32Array(OBJECTS).map((_, i) => i);
const hitCells = new Map<string, KernelReplayCell>();
for (const reclaim of ["lru", "mglru"]) {
  const c = (await KernelReplayFactory.load({ reclaim, objects: OBJECTS })).create(OBJECTS + 8192);
  replay(c, all);
  hitCells.set(reclaim, c);
}
// a cache of 10 % of the objects: about a third of the skewed trace's requests miss
const missTrace = skewed(OBJECTS, 100_000, 777);
const missFactory = await KernelReplayFactory.load({ reclaim: "lru", objects: OBJECTS, readahead: false });

describe("kernel replay (requests through 6.1's page cache, one pread(2) of a page each)", () => {
  bench("kernel-lru, 1 M requests that hit (lookup + folio_mark_accessed inline; target ≥ 5 M req/s)", () => {
    replay(hitCells.get("lru")!, trace);
  }, { iterations: 5, warmupIterations: 1, time: 0, warmupTime: 0 });
  bench("kernel-mglru, 1 M requests that hit", () => {
    replay(hitCells.get("mglru")!, trace);
  }, { iterations: 5, warmupIterations: 1, time: 0, warmupTime: 0 });
  bench("kernel-lru at 10 % of 40,000 objects, 100,000 skewed requests (~⅓ miss: whole read(2)s), boot and calibration included", () => {
    replay(missFactory.create(OBJECTS / 10), missTrace);
  }, { iterations: 3, warmupIterations: 0, time: 0, warmupTime: 0 });
});
