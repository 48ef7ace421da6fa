#!/usr/bin/env node
// mmsim: records libCacheSim's miss counts for the fixture traces (run by hand; see fixtures/README.md)
/*
 * Usage: node packages/cachesim/scripts/libcachesim-counts.mjs <path to libCacheSim's cachesim> [cloudPhysics trace]
 * (build @mmsim/cachesim first: it reads dist/). Writes every synthetic trace as oracleGeneral
 * (and the "scan" trace also as csv and txt) into a scratch directory, runs
 *   cachesim <trace> <format> <algo> <sizes> --ignore-obj-size 1 --num-thread 2
 * once per algorithm and trace, and writes fixtures/libcachesim-counts.json. cachesim prints
 * miss ratios to 4 places only; the counts come from its result line, which a one-line local
 * patch of bin/cachesim/main.c extends with `, <n_miss> miss` (fixtures/README.md shows it).
 */
import { Buffer } from "node:buffer";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { SYNTHETIC_TRACES, syntheticTrace, writeOracleGeneral } from "../dist/index.js";

const [cachesim, cloud] = process.argv.slice(2);
if (!cachesim) {
  console.error("usage: libcachesim-counts.mjs <cachesim binary> [cloudPhysicsIO.oracleGeneral.bin]");
  process.exit(2);
}
const here = fileURLToPath(new URL("..", import.meta.url));
const scratch = "/tmp/mmsim-libcachesim-fixtures";
mkdirSync(scratch, { recursive: true });

const ALGOS = { lru: "lru", fifo: "fifo", clock: "clock", arc: "arc", "2q": "twoq", s3fifo: "s3fifo", sieve: "sieve", lirs: "lirs", belady: "belady" };
const SYNTH_SIZES = [1, 3, 15, 64, 256, 1000, 3000];
const CLOUD_SIZES = [10, 489, 2448, 4897, 9794, 24487];

function run(trace, format, algo, sizes, params) {
  const args = [trace, format, algo, sizes.join(","), "--ignore-obj-size", "1", "--num-thread", "2"];
  if (params) args.push("-t", params);
  const out = execFileSync(cachesim, args, { cwd: scratch, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  const counts = {};
  let requests;
  for (const line of out.split("\n")) {
    const m = /cache size\s+(\d+)\w*, (\d+) req, .*, (\d+) miss$/.exec(line);
    if (m) {
      counts[m[1]] = Number(m[3]);
      requests = Number(m[2]);
    }
  }
  if (Object.keys(counts).length !== sizes.length) throw new Error(`cachesim ${args.join(" ")}: expected ${sizes.length} result lines, got:\n${out}`);
  return { counts, requests, command: `cachesim ${args.map((a) => (a.includes(" ") || a.includes(";") ? `"${a}"` : a)).join(" ").replace(trace, "<trace>")}` };
}

const sha256 = (buf) => createHash("sha256").update(buf).digest("hex");
const result = { libCacheSim: { repository: "1a1a11a/libCacheSim", commit: "aa0fc40 (2024-10-07)", binary: "cachesim, CMAKE_BUILD_TYPE=Release" }, traces: {} };

for (const [name, spec] of Object.entries(SYNTHETIC_TRACES)) {
  const rec = syntheticTrace(spec);
  const file = join(scratch, `${name}.oracleGeneral.bin`);
  await writeOracleGeneral(file, [rec]);
  const entry = { spec, sha256: sha256(readFileSync(file)), format: "oracleGeneral", sizes: SYNTH_SIZES, counts: {}, commands: {} };
  for (const [ours, theirs] of Object.entries(ALGOS)) {
    const r = run(file, "oracleGeneral", theirs, SYNTH_SIZES);
    entry.requests = r.requests;
    entry.counts[ours] = r.counts;
    entry.commands[ours] = r.command;
  }
  result.traces[name] = entry;
  if (name === "scan") {
    // the same requests as text: csv (header, numeric ids) and txt (one id per line)
    const ids = [];
    for (let i = 0; i < rec.count; i++) ids.push(((BigInt(rec.idHi[i]) << 32n) | BigInt(rec.idLo[i])).toString());
    const csv = "time,obj_id,size\n" + ids.map((id, i) => `${rec.timestamp[i]},${id},${rec.size[i]}\n`).join("");
    const txt = ids.map((id) => `${id}\n`).join("");
    for (const [fmt, text, params] of [["csv", csv, "time-col=1,obj-id-col=2,obj-size-col=3,has-header=true"], ["txt", txt, undefined]]) {
      const f = join(scratch, `${name}.${fmt}`);
      writeFileSync(f, text);
      const e = { spec, text: fmt, sha256: sha256(Buffer.from(text)), format: fmt, params, sizes: SYNTH_SIZES, counts: {}, commands: {} };
      for (const [ours, theirs] of Object.entries(ALGOS)) {
        if (ours === "belady") continue;
        const r = run(f, fmt, theirs, SYNTH_SIZES, params);
        e.requests = r.requests;
        e.counts[ours] = r.counts;
        e.commands[ours] = r.command;
      }
      result.traces[`${name}.${fmt}`] = e;
    }
  }
}
if (cloud) {
  const entry = { file: "cloudPhysicsIO.oracleGeneral.bin", sha256: sha256(readFileSync(cloud)), format: "oracleGeneral", sizes: CLOUD_SIZES, counts: {}, commands: {} };
  for (const [ours, theirs] of Object.entries(ALGOS)) {
    const r = run(cloud, "oracleGeneral", theirs, CLOUD_SIZES);
    entry.requests = r.requests;
    entry.counts[ours] = r.counts;
    entry.commands[ours] = r.command;
  }
  // the fractions libCacheSim resolves against the working set, for mmsim's % sizes
  const frac = execFileSync(cachesim, [cloud, "oracleGeneral", "lru", "0.01,0.05,0.1,0.2,0.5", "--ignore-obj-size", "1"], { cwd: scratch, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
  entry.fractionSizes = Object.fromEntries([...frac.matchAll(/cache size\s+(\d+)/g)].map((m, i) => [["0.01", "0.05", "0.1", "0.2", "0.5"][i], Number(m[1])]));
  result.traces.cloudPhysicsIO = entry;
}
writeFileSync(join(here, "fixtures/libcachesim-counts.json"), JSON.stringify(result, null, 1) + "\n");
console.log(`wrote ${join(here, "fixtures/libcachesim-counts.json")}`);
