// mmsim: every baseline's miss count equals libCacheSim's, on the real cloudPhysics trace and on synthetic ones (fixtures/libcachesim-counts.json)
import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { CACHE_ALGORITHMS, type CacheAlgorithmFactory } from "./index.ts";
import { encodeOracleGeneral } from "./oracle-general.ts";
import { Replay, parseCacheSizes, replayTrace, resolveCacheSize, scanTrace } from "./replay.ts";
import { type SyntheticSpec, syntheticTrace } from "./synthetic.ts";
import { TraceRecords } from "./trace-records.ts";
import { readTrace } from "./trace-reader.ts";

interface FixtureTrace {
  readonly spec?: SyntheticSpec;
  readonly file?: string;
  readonly text?: "csv" | "txt";
  readonly params?: string;
  readonly sha256: string;
  readonly format: string;
  readonly requests: number;
  readonly sizes: number[];
  readonly counts: Record<string, Record<string, number>>;
  readonly commands: Record<string, string>;
  readonly fractionSizes?: Record<string, number>;
}

const fixtures = fileURLToPath(new URL("../fixtures/", import.meta.url));
const recorded = JSON.parse(readFileSync(join(fixtures, "libcachesim-counts.json"), "utf8")) as { traces: Record<string, FixtureTrace> };
const CLOUD = join(fixtures, "cloudPhysicsIO.oracleGeneral.bin.zst");

const sha256 = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");
const byName = (name: string): CacheAlgorithmFactory => CACHE_ALGORITHMS.find((a) => a.name === name)!;

/** Replays one batch through every algorithm the fixture has, at every size; checks the structures after. */
function countsOf(rec: TraceRecords, fx: FixtureTrace, batch = 4096): Record<string, Record<string, number>> {
  const algos = Object.keys(fx.counts);
  const cells = algos.flatMap((a) => fx.sizes.map((s) => ({ algorithm: byName(a), capacity: s })));
  const r = new Replay(cells);
  // feed in batches, to cross batch boundaries as a file replay does
  const part = new TraceRecords(batch);
  for (let start = 0; start < rec.count; start += batch) {
    const n = Math.min(batch, rec.count - start);
    part.count = n;
    part.first = start;
    part.timestamp.set(rec.timestamp.subarray(start, start + n));
    part.idLo.set(rec.idLo.subarray(start, start + n));
    part.idHi.set(rec.idHi.subarray(start, start + n));
    part.size.set(rec.size.subarray(start, start + n));
    part.nextAccess.set(rec.nextAccess.subarray(start, start + n));
    r.feed(part);
  }
  for (const c of r.caches) expect(c.validate(), c.name).toEqual([]);
  const out: Record<string, Record<string, number>> = {};
  for (const res of r.results()) (out[res.algorithm] ??= {})[String(res.capacity)] = res.misses;
  return out;
}

// The tests replay the real cloudPhysicsIO trace and synthetic ones through every algorithm: about a second alone,
// several on a loaded 2-core CI machine (one run hit the default 5 s), so a generous limit.
describe("exact to libCacheSim (cachesim --ignore-obj-size 1)", { timeout: 60_000 }, () => {
  it("the brief's figures: cloudPhysicsIO at 4,897 objects gives LRU 91,657, FIFO 91,716, Belady 71,620 misses", async () => {
    const cells = ["lru", "fifo", "belady"].map((a) => ({ algorithm: byName(a), capacity: 4897 }));
    const { summary, results } = await replayTrace(CLOUD, cells, { format: "oracleGeneral" });
    expect(summary).toEqual({ records: 113872, requests: 113872, objects: 48974 });
    expect(results.map((r) => [r.algorithm, r.misses])).toEqual([["lru", 91657], ["fifo", 91716], ["belady", 71620]]);
  });

  it("cloudPhysicsIO (the zstd copy of ../shared/traces' file): all nine algorithms at six sizes", async () => {
    const fx = recorded.traces.cloudPhysicsIO!;
    const chunks: Uint8Array[] = [];
    const all = new TraceRecords(fx.requests);
    for await (const rec of readTrace(CLOUD, { format: "oracleGeneral" })) {
      const b = new Uint8Array(rec.count * 24);
      encodeOracleGeneral(rec, rec.count, b, 0);
      chunks.push(b);
      for (const col of ["timestamp", "idLo", "idHi", "size", "nextAccess"] as const) all[col].set(rec[col].subarray(0, rec.count), rec.first);
    }
    all.count = fx.requests;
    expect(sha256(Buffer.concat(chunks))).toBe(fx.sha256);
    expect(countsOf(all, fx)).toEqual(fx.counts);
  });

  it("cloudPhysicsIO: 1%, 5%, 10%, 20%, 50% are the cache sizes libCacheSim makes of 0.01 … 0.5", async () => {
    const fx = recorded.traces.cloudPhysicsIO!;
    const { objects } = await scanTrace(CLOUD, { format: "oracleGeneral" });
    const pct = parseCacheSizes("1%,5%,10%,20%,50%").map((s) => resolveCacheSize(s, objects));
    const frac = parseCacheSizes("0.01,0.05,0.1,0.2,0.5").map((s) => resolveCacheSize(s, objects));
    expect(pct).toEqual(Object.values(fx.fractionSizes!));
    expect(frac).toEqual(pct);
  });

  for (const [name, fx] of Object.entries(recorded.traces)) {
    if (!fx.spec || fx.text) continue;
    it(`synthetic ${name} (${fx.spec.kind}, ${fx.requests} requests): the bytes libCacheSim read, and its counts at ${fx.sizes.join(", ")} objects`, () => {
      const rec = syntheticTrace(fx.spec!);
      const bytes = new Uint8Array(rec.count * 24);
      encodeOracleGeneral(rec, rec.count, bytes, 0);
      expect(sha256(bytes)).toBe(fx.sha256);
      expect(countsOf(rec, fx)).toEqual(fx.counts);
    });
  }

  for (const [name, fx] of Object.entries(recorded.traces)) {
    if (!fx.text) continue;
    it(`${name}: the same requests as libCacheSim's ${fx.text} reader takes them give its counts`, async () => {
      const rec = syntheticTrace(fx.spec!);
      const ids: string[] = [];
      for (let i = 0; i < rec.count; i++) ids.push(rec.idOf(i).toString());
      const text = fx.text === "csv" ? "time,obj_id,size\n" + ids.map((id, i) => `${rec.timestamp[i]},${id},${rec.size[i]}\n`).join("") : ids.map((id) => `${id}\n`).join("");
      expect(sha256(Buffer.from(text))).toBe(fx.sha256);
      const file = join(mkdtempSync(join(tmpdir(), "mmsim-cachesim-")), `${name}`);
      writeFileSync(file, text);
      const cells = Object.keys(fx.counts).flatMap((a) => fx.sizes.map((s) => ({ algorithm: byName(a), capacity: s })));
      const { results } = await replayTrace(file, cells, { format: fx.text, params: fx.params });
      const out: Record<string, Record<string, number>> = {};
      for (const r of results) (out[r.algorithm] ??= {})[String(r.capacity)] = r.misses;
      expect(out).toEqual(fx.counts);
    });
  }
});
