// mmsim: the kernel replay of a cache trace (kernel-replay.ts) on small synthetic traces — the inline hit path against the whole read(2), a loop larger than the cache, a scan through a hot set under the classic LRU and MGLRU, the cache size reached, determinism, every validator after the replay, bad input
import { ArgumentError } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { type KernelReplayCache, KernelReplayFactory, type KernelReplayOptions, fileLayout, kernelReplayMemoryMiB } from "./kernel-replay.ts";
import type { KernelAnonReplayCache } from "./kernel-replay-anon.ts";

/** Replays `obj` in batches of 4,096 (as a trace reader hands them); returns the misses. */
function replay(c: KernelReplayCache | KernelAnonReplayCache, obj: Int32Array): number {
  let misses = 0;
  for (let s = 0; s < obj.length; s += 4096) {
    const part = obj.subarray(s, Math.min(obj.length, s + 4096));
    c.reserve(Math.max(...part) + 1);
    misses += c.replay({ length: part.length, obj: part });
  }
  return misses;
}

async function cell(capacity: number, options: Partial<KernelReplayOptions> & { objects: number }): Promise<KernelReplayCache> {
  return (await KernelReplayFactory.load({ reclaim: "lru", ...options })).create(capacity) as KernelReplayCache;
}

async function anonCell(capacity: number, options: Partial<KernelReplayOptions> & { objects: number }): Promise<KernelAnonReplayCache> {
  return (await KernelReplayFactory.load({ reclaim: "lru", ...options, backing: "anon" })).create(capacity) as KernelAnonReplayCache;
}

/** `passes` times over objects [from, from + n), in order. */
function loop(from: number, n: number, passes: number): Int32Array {
  const a = new Int32Array(n * passes);
  for (let i = 0; i < a.length; i++) a[i] = from + (i % n);
  return a;
}

/** A skewed random trace (u³ over `objects`: a few hot objects, a long tail), from a fixed LCG. */
function skewed(objects: number, n: number): Int32Array {
  const a = new Int32Array(n);
  let x = 12345;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    const u = (x >>> 8) / (1 << 24);
    a[i] = Math.min(objects - 1, Math.floor(objects * u * u * u));
  }
  return a;
}

describe("kernel replay", () => {
  // Each test boots a 64 MiB board (~0.1–0.3 s) and replays a few tens of thousands of requests; a miss is a whole
  // read(2) through readahead, the disk and reclaim (~10,000 per second of host time on a loaded 2-core machine).
  it("the inline hit path gives the figures the whole read(2) gives, request for request", { timeout: 120_000 }, async () => {
    const trace = skewed(6000, 30_000);
    const a = await cell(1500, { objects: 6000 });
    const b = await cell(1500, { objects: 6000, inlineHits: false });
    const ma = replay(a, trace);
    const mb = replay(b, trace);
    expect(ma).toBe(mb);
    const fa = a.figures();
    const fb = b.figures();
    expect(fa.fastHits).toBeGreaterThan(5000);
    expect(fb.fastHits).toBe(0);
    const { fastHits: _a, slowReads: _b, ...ra } = fa;
    const { fastHits: _c, slowReads: _d, ...rb } = fb;
    expect(ra).toEqual(rb);
    expect(fa.refaults).toBeGreaterThan(0);
    expect(a.validate()).toEqual([]);
  });

  it("a loop larger than the cache misses on every request under the classic LRU; one that fits misses only its first pass", { timeout: 120_000 }, async () => {
    const big = await cell(1000, { objects: 2000, readahead: false });
    const missesBig = replay(big, loop(0, 2000, 5));
    // every page read once per pass goes out before the loop comes back to it (use-once: PG_referenced, then
    // reclaimed clean from the inactive list); refaults never activate (their distance exceeds the active list)
    expect(missesBig).toBe(10_000);
    expect(big.figures().refaults).toBeGreaterThan(7000);
    const small = await cell(1000, { objects: 2000, readahead: false });
    expect(replay(small, loop(0, 600, 5))).toBe(600);
    expect(small.figures().cachePagesEnd).toBe(600);
  });

  it("a scan through a hot set: the classic LRU keeps most of the twice-used hot set active; MGLRU, its refs tiers not yet fed by refaults, loses it", { timeout: 120_000 }, async () => {
    const run = async (reclaim: string) => {
      const c = await cell(1000, { objects: 6600, readahead: false, reclaim });
      expect(replay(c, loop(0, 300, 3))).toBe(300); // the hot set, three times: a miss each the first time only
      expect(replay(c, loop(600, 6000, 1))).toBe(6000); // a scan of six caches' worth, once each
      return { hot: replay(c, loop(0, 300, 1)), f: c.figures() };
    };
    const lru = await run("lru");
    // a pure LRU of 1,000 objects misses all 300 after the scan; the classic LRU activated them at their second use
    // (pgactivate) and the use-once scan pages went out from the inactive list — all but those shrink_active_list
    // deactivated on the way (measured: 148 of 300)
    expect(lru.f.activations).toBeGreaterThanOrEqual(280);
    expect(lru.hot).toBeLessThan(0.6 * 300);
    const mglru = await run("mglru");
    // 6.1's MGLRU keeps read(2)'s accesses as refs (folio_inc_refs) and protects a tier only when its refaults
    // exceed the first tier's (the PID controller): no refaults before this scan, so the hot set ages out with it
    expect(mglru.f.activations).toBe(0);
    expect(mglru.hot).toBeGreaterThan(lru.hot);
  });

  it("the board is calibrated so that the file's cache holds about `capacity` pages once reclaim runs; more RAM for a larger cache", { timeout: 120_000 }, async () => {
    for (const capacity of [1000, 6000]) {
      const c = await cell(capacity, { objects: 20_000, readahead: false });
      replay(c, skewed(20_000, 30_000));
      const f = c.figures();
      expect(f.memoryMiB).toBe(kernelReplayMemoryMiB(capacity));
      expect(f.pgsteal).toBeGreaterThan(0);
      // the cache swings between kswapd's watermarks (about 60 pages apart on these boards) and the calibration is
      // three damped rounds of a noisy measurement: within 15 %
      expect(Math.abs(f.cachePagesMean - capacity) / capacity).toBeLessThan(0.15);
      expect(f.calibrationRounds).toBeGreaterThanOrEqual(1);
    }
    expect(kernelReplayMemoryMiB(100)).toBe(64);
    expect(kernelReplayMemoryMiB(100_000)).toBeGreaterThan(100_000 / 256);
  });

  it("is deterministic: the same trace gives the same figures", { timeout: 120_000 }, async () => {
    const trace = skewed(5000, 20_000);
    const a = await cell(800, { objects: 5000, reclaim: "mglru" });
    const b = await cell(800, { objects: 5000, reclaim: "mglru" });
    expect(replay(a, trace)).toBe(replay(b, trace));
    expect(a.figures()).toEqual(b.figures());
  });

  it("anonymous backing: a loop that fits misses only its first pass; one larger than the cache misses nearly always, in major faults read from the swap disk", { timeout: 120_000 }, async () => {
    const small = await anonCell(1000, { objects: 2000 });
    expect(replay(small, loop(0, 600, 4))).toBe(600); // the first touches (compulsory): every later load hits
    expect(small.figures().pagesRead).toBe(0);
    const big = await anonCell(1000, { objects: 2000 });
    const misses = replay(big, loop(0, 2000, 4));
    const f = big.figures();
    // 2,000 first touches, then the loop comes back to pages swapped out since: major faults (do_swap_page),
    // each reading its page and (VMA readahead) some of its neighbours in the mapping — scattered objects, so
    // a neighbour read ahead is sometimes the next request's (a swap-cache hit, a minor fault)
    expect(misses).toBeGreaterThan(0.9 * 8000);
    expect(misses).toBeLessThanOrEqual(8000);
    expect(f.pagesRead).toBeGreaterThanOrEqual(misses - 2000);
    expect(f.refaults).toBeGreaterThan(0.5 * (misses - 2000)); // workingset_refault_anon: the shadows the swap slots keep
    expect(f.pgsteal).toBeGreaterThan(4000);
    // the board is calibrated with stores (a trace's first touches dirty its pages, so its evictions write to
    // swap); this loop of loads after its first pass settles lower (measured 769 pages)
    expect(Math.abs(f.cachePagesMean - 1000) / 1000, `cache ${f.cachePagesMean}`).toBeLessThan(0.3);
    expect(big.validate()).toEqual([]);
  });

  it("anonymous backing is deterministic, and the same trace under MGLRU differs from the classic LRU", { timeout: 120_000 }, async () => {
    const trace = skewed(4000, 12_000);
    const a = await anonCell(800, { objects: 4000 });
    const b = await anonCell(800, { objects: 4000 });
    expect(replay(a, trace)).toBe(replay(b, trace));
    expect(a.figures()).toEqual(b.figures());
    const g = await anonCell(800, { objects: 4000, reclaim: "mglru" });
    replay(g, trace);
    expect(g.figures()).not.toEqual(a.figures());
    expect(g.validate()).toEqual([]);
  });

  it("the layout is a permutation, fixed by its seed; first-use is the identity", () => {
    const p = fileLayout(1000, "scattered", 1);
    expect([...p].sort((x, y) => x - y)).toEqual([...Array(1000).keys()]);
    expect(fileLayout(1000, "scattered", 1)).toEqual(p);
    expect(fileLayout(1000, "scattered", 2)).not.toEqual(p);
    expect([...fileLayout(5, "first-use", 1)]).toEqual([0, 1, 2, 3, 4]);
  });

  it("bad input: an unknown policy, a module of another slot, objects beyond the file", { timeout: 60_000 }, async () => {
    await expect(KernelReplayFactory.load({ reclaim: "nosuch", objects: 10 })).rejects.toThrow(/kernel-<reclaim policy> with a policy of lru, mglru/);
    await expect(KernelReplayFactory.load({ reclaim: "lru", objects: 0 })).rejects.toThrow(ArgumentError);
    const c = await cell(100, { objects: 10 });
    expect(() => c.reserve(11)).toThrow(/at most the 10 objects the file was made for/);
  });
});
