// mmsim: replay throughput of the baselines on a multi-million-request trace, beside libCacheSim's cachesim on the same trace (issue 17's targets in the names)
/*
 * The trace: zipf(0.9) over 1,000,000 objects, 4,000,000 requests (synthetic, seeded), cache
 * 100,000 objects (10%). Two measures per algorithm:
 *  - "replay": the algorithm's loop over the requests already mapped to dense numbers
 *    (what one cell of a grid costs once the batch is read) — target ≥ 20 M req/s for LRU,
 *    FIFO and CLOCK;
 *  - "end to end": read the oracleGeneral file (24 B records), map the 64-bit ids, replay — what
 *    `mmsim replay` with one cell costs, comparable to cachesim's own figure.
 * And the real cloudPhysicsIO trace end to end (it fits the CPU's caches: the id table is small).
 * libCacheSim: set LIBCACHESIM_CACHESIM to the path of a built cachesim and this file runs
 *   cachesim <trace> oracleGeneral <algo> 100000 --ignore-obj-size 1
 * on the same file and prints its throughput (its "throughput … MQPS", which times the replay
 * loop including its reader) beside ours.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, bench, describe } from "vitest";
import { CACHE_ALGORITHMS, ObjectIndex, Replay, type RequestBatch, readTrace, syntheticTrace, writeOracleGeneral } from "@mmsim/cachesim";

const REQUESTS = 4_000_000;
const OBJECTS = 1_000_000;
const CAPACITY = 100_000;
const rec = syntheticTrace({ kind: "zipf", requests: REQUESTS, objects: OBJECTS, alpha: 0.9, seed: 2026 });
const index = new ObjectIndex(OBJECTS);
const batch: RequestBatch = { length: 0, obj: new Int32Array(REQUESTS), nextAccess: new Float64Array(REQUESTS) };
batch.length = index.mapRecords(rec, batch.obj, batch.nextAccess);
const file = join(mkdtempSync(join(tmpdir(), "mmsim-bench-")), "zipf.oracleGeneral.bin");
await writeOracleGeneral(file, [rec]);

// the real trace too (113,872 requests, 48,974 objects), uncompressed from the test fixture
const cloud = join(mkdtempSync(join(tmpdir(), "mmsim-bench-")), "cloudPhysicsIO.oracleGeneral.bin");
await writeOracleGeneral(cloud, readTrace(fileURLToPath(new URL("../fixtures/cloudPhysicsIO.oracleGeneral.bin.zst", import.meta.url)), { format: "oracleGeneral" }));
const CLOUD_REQUESTS = 113872;
const CLOUD_CAPACITY = 4897;

const measured: Record<string, { replay?: number; endToEnd?: number; cloud?: number }> = {};
const OPTS = { time: 0, iterations: 5, warmupIterations: 1 } as const;

/** One replay of the whole trace on a fresh cache; returns req/s measured by the host clock (bench only). */
function replayOnce(name: string): void {
  const a = CACHE_ALGORITHMS.find((x) => x.name === name)!;
  const cache = a.create(CAPACITY);
  cache.reserve(index.size);
  const t0 = performance.now();
  cache.replay(batch);
  const rate = REQUESTS / ((performance.now() - t0) / 1000);
  const m = (measured[name] ??= {});
  m.replay = Math.max(m.replay ?? 0, rate);
}

async function endToEnd(name: string): Promise<void> {
  const a = CACHE_ALGORITHMS.find((x) => x.name === name)!;
  const t0 = performance.now();
  const r = new Replay([{ algorithm: a, capacity: CAPACITY }]);
  for await (const b of readTrace(file, { format: "oracleGeneral" })) r.feed(b);
  const rate = REQUESTS / ((performance.now() - t0) / 1000);
  const m = (measured[name] ??= {});
  m.endToEnd = Math.max(m.endToEnd ?? 0, rate);
}

async function cloudEndToEnd(name: string): Promise<void> {
  const a = CACHE_ALGORITHMS.find((x) => x.name === name)!;
  const t0 = performance.now();
  const r = new Replay([{ algorithm: a, capacity: CLOUD_CAPACITY }]);
  for await (const b of readTrace(cloud, { format: "oracleGeneral" })) r.feed(b);
  const rate = CLOUD_REQUESTS / ((performance.now() - t0) / 1000);
  const m = (measured[name] ??= {});
  m.cloud = Math.max(m.cloud ?? 0, rate);
}

describe(`cloudPhysicsIO, ${CLOUD_REQUESTS} requests over 48,974 objects, cache ${CLOUD_CAPACITY} objects, end to end (req/s = hz × ${CLOUD_REQUESTS})`, () => {
  bench("lru end to end (libCacheSim's LRU: 4.2 M req/s on this machine)", () => cloudEndToEnd("lru"), { time: 0, iterations: 20, warmupIterations: 3 });
  bench("fifo end to end", () => cloudEndToEnd("fifo"), { time: 0, iterations: 20, warmupIterations: 3 });
  bench("clock end to end", () => cloudEndToEnd("clock"), { time: 0, iterations: 20, warmupIterations: 3 });
});

describe(`replay, zipf 0.9, ${REQUESTS / 1e6} M requests over ${OBJECTS / 1e6} M objects, cache ${CAPACITY} objects (one iteration = the whole trace: req/s = hz × ${REQUESTS})`, () => {
  bench("lru replay (target ≥ 20 M req/s)", () => replayOnce("lru"), OPTS);
  bench("fifo replay (target ≥ 20 M req/s)", () => replayOnce("fifo"), OPTS);
  bench("clock replay (target ≥ 20 M req/s)", () => replayOnce("clock"), OPTS);
  bench("sieve replay", () => replayOnce("sieve"), OPTS);
  bench("s3fifo replay", () => replayOnce("s3fifo"), OPTS);
  bench("arc replay", () => replayOnce("arc"), OPTS);
  bench("lru end to end: read oracleGeneral, map 64-bit ids, replay (libCacheSim's LRU ~5.5 M req/s here)", () => endToEnd("lru"), OPTS);
  bench("fifo end to end", () => endToEnd("fifo"), OPTS);
  bench("clock end to end", () => endToEnd("clock"), OPTS);
});

afterAll(() => {
  const cachesim = process.env.LIBCACHESIM_CACHESIM;
  const lines = [`\ncachesim replay throughput, ${REQUESTS / 1e6} M requests, cache ${CAPACITY} objects (best of the iterations, M req/s):`];
  lines.push("algorithm   mmsim replay   mmsim end to end   libCacheSim cachesim   target   | cloudPhysicsIO end to end: mmsim   libCacheSim");
  for (const [name, libName] of [["lru", "lru"], ["fifo", "fifo"], ["clock", "clock"], ["sieve", "sieve"], ["s3fifo", "s3fifo"], ["arc", "arc"]] as const) {
    const m = measured[name] ?? {};
    let lib = "(set LIBCACHESIM_CACHESIM)";
    let libCloud = "";
    if (cachesim) {
      const mqps = (trace: string, capacity: number) => {
        const out = execFileSync(cachesim, [trace, "oracleGeneral", libName, String(capacity), "--ignore-obj-size", "1"], { cwd: tmpdir(), encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
        return /throughput ([\d.]+) MQPS/.exec(out)?.[1] ?? "?";
      };
      lib = mqps(file, CAPACITY);
      if (m.cloud !== undefined) libCloud = mqps(cloud, CLOUD_CAPACITY);
    }
    const f = (x?: number) => (x === undefined ? "-" : (x / 1e6).toFixed(1));
    const target = ["lru", "fifo", "clock"].includes(name) ? "≥ 20" : "";
    lines.push(`${name.padEnd(10)}  ${f(m.replay).padStart(12)}   ${f(m.endToEnd).padStart(16)}   ${lib.padStart(20)}   ${target.padEnd(6)} | ${f(m.cloud).padStart(33)}   ${libCloud.padStart(11)}`);
  }
  console.log(lines.join("\n"));
  // cachesim allocates a 2^24-bucket table per run (several seconds of system time here)
}, 600_000);
