// mmsim: the algorithm interface — structures valid after every batch, capacities checked, sizes parsed as libCacheSim, a user's algorithm from a file
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ArgumentError, ConfigError } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { CACHE_ALGORITHMS, builtinAlgorithm, resolveAlgorithm } from "./algorithms/catalog.ts";
import { Replay, parseCacheSizes, resolveCacheSize } from "./replay.ts";
import { SYNTHETIC_TRACES, syntheticObjects, syntheticTrace } from "./synthetic.ts";
import { TraceRecords } from "./trace-records.ts";

const MRU = fileURLToPath(new URL("../../../examples/mru-cache/mru.mjs", import.meta.url));

/** Feeds `rec` in batches of `batch`, calling `each` after every one. */
function feedInBatches(r: Replay, rec: TraceRecords, batch: number, each: () => void): void {
  const part = new TraceRecords(batch);
  for (let start = 0; start < rec.count; start += batch) {
    const n = Math.min(batch, rec.count - start);
    part.count = n;
    for (const col of ["timestamp", "idLo", "idHi", "size", "nextAccess"] as const) part[col].set(rec[col].subarray(start, start + n));
    r.feed(part);
    each();
  }
}

describe("every built-in algorithm", () => {
  it("keeps its structures valid after every batch, and never holds more than its capacity", () => {
    // The first 12,000 requests of each trace: every structure has filled, evicted and moved
    // objects between its lists many times by then (capacities up to 333), and validate()
    // after each of the 5 batches stays well under a second on a loaded machine.
    for (const name of ["shift", "scan", "zipf-1.1"]) {
      const rec = syntheticTrace({ ...SYNTHETIC_TRACES[name]!, requests: 12_000 });
      const r = new Replay(CACHE_ALGORITHMS.flatMap((algorithm) => [1, 7, 20, 333].map((capacity) => ({ algorithm, capacity }))));
      feedInBatches(r, rec, 2500, () => {
        for (const c of r.caches) {
          expect(c.validate(), `${name}: ${c.name} ${c.capacity}`).toEqual([]);
          expect(c.resident(), `${name}: ${c.name} ${c.capacity}`).toBeLessThanOrEqual(c.capacity);
        }
      });
      expect(r.index.validate()).toEqual([]);
    }
  });

  it("counts the same whatever the batch size (a batch boundary changes nothing)", () => {
    const rec = syntheticTrace({ ...SYNTHETIC_TRACES["zipf-0.8"]!, requests: 20_000 });
    const counts = [1, 97, 65536].map((batch) => {
      const r = new Replay(CACHE_ALGORITHMS.map((algorithm) => ({ algorithm, capacity: 500 })));
      feedInBatches(r, rec, batch, () => undefined);
      return r.results().map((x) => x.misses);
    });
    expect(counts[1]).toEqual(counts[0]);
    expect(counts[2]).toEqual(counts[0]);
  });

  it("skips requests of size 0, as libCacheSim's readers do", () => {
    const rec = new TraceRecords(4);
    rec.count = 4;
    rec.idLo.set([1, 2, 1, 2]);
    rec.size.set([10, 0, 10, 10]);
    rec.nextAccess.set([3, Infinity, Infinity, Infinity]);
    const r = new Replay([{ algorithm: builtinAlgorithm("lru")!, capacity: 1 }]);
    r.feed(rec);
    expect(r.records).toBe(4);
    expect(r.results()[0]).toMatchObject({ requests: 3, misses: 2, hits: 1 });
  });

  it("rejects a capacity that is not a whole number of objects from 1", () => {
    for (const a of CACHE_ALGORITHMS) {
      expect(() => a.create(0), a.name).toThrow(ArgumentError);
      expect(() => a.create(1.5), a.name).toThrow(/capacity: expected a whole number of objects from 1/);
    }
  });

  it("knows libCacheSim's names for them", () => {
    expect(builtinAlgorithm("TwoQ")?.name).toBe("2q");
    expect(builtinAlgorithm("S3-FIFO")?.name).toBe("s3fifo");
    expect(builtinAlgorithm("opt")?.name).toBe("belady");
    expect(CACHE_ALGORITHMS.map((a) => a.libCacheSimName)).toEqual(["lru", "fifo", "clock", "arc", "twoq", "s3fifo", "sieve", "lirs", "belady"]);
  });
});

describe("sizes", () => {
  it("parses objects, percentages and fractions; a percentage is the fraction libCacheSim would parse", () => {
    expect(parseCacheSizes("4897, 5%,0.05,12.5%,0.1%,100%")).toEqual([
      { text: "4897", objects: 4897 }, { text: "5%", fraction: "0.05" }, { text: "0.05", fraction: "0.05" },
      { text: "12.5%", fraction: "0.125" }, { text: "0.1%", fraction: "0.001" }, { text: "100%", fraction: "1.00" },
    ]);
    expect(resolveCacheSize({ text: "10%", fraction: "0.10" }, 48974)).toBe(4897);
    expect(() => parseCacheSizes("ten")).toThrow(/--size: expected objects \(4897\), a percentage/);
    expect(() => resolveCacheSize({ text: "1%", fraction: "0.01" }, 50)).toThrow(/a cache of at least one object, got 1% of 50 distinct objects = 0 objects/);
  });
});

describe("a user's algorithm from a file", () => {
  it("examples/mru-cache loads as a CacheAlgorithmFactory and evicts the most recently used object", async () => {
    const mru = await resolveAlgorithm(MRU);
    expect(mru.name).toBe("mru");
    const spec = SYNTHETIC_TRACES.scan!;
    const objs = syntheticObjects(spec);
    // a plain reference: a Set and the last object touched
    const cap = 300;
    const inCache = new Set<number>();
    let last = -1;
    let expected = 0;
    for (const o of objs) {
      if (!inCache.has(o)) {
        expected++;
        if (inCache.size === cap) inCache.delete(last);
        inCache.add(o);
      }
      last = o;
    }
    const r = new Replay([{ algorithm: mru, capacity: cap }]);
    r.feed(syntheticTrace(spec));
    expect(r.results()[0]!.misses).toBe(expected);
  });

  it("a file without a factory as its default export, or an unknown name, is a ConfigError that says what is expected", async () => {
    const dir = mkdtempSync(join(tmpdir(), "mmsim-algo-"));
    const f = join(dir, "nothing.mjs");
    writeFileSync(f, "export const x = 1;\n");
    await expect(resolveAlgorithm(f)).rejects.toThrow(ConfigError);
    await expect(resolveAlgorithm(f)).rejects.toThrow(/a default export with name, description and create\(capacity\).*got no default export/);
    await expect(resolveAlgorithm("lfu")).rejects.toThrow(/expected one of lru, fifo, clock, arc, 2q, s3fifo, sieve, lirs, belady, or a module file/);
  });
});
