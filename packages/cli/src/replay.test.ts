// mmsim: `mmsim replay` — the grid's table, --json, --chart, a user's algorithm, --convert, and bad input
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { JSON_SCHEMA_VERSION, type ReplayJson } from "./json.ts";
import { EXIT_BAD_INPUT, EXIT_OK, main } from "./main.ts";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CLOUD = join(ROOT, "packages/cachesim/fixtures/cloudPhysicsIO.oracleGeneral.bin.zst");
const MRU = join(ROOT, "examples/mru-cache/mru.mjs");
const dir = mkdtempSync(join(tmpdir(), "mmsim-replay-"));

async function mmsim(args: readonly string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await main(args, { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, isTTY: false, cwd: dir });
  return { code, stdout, stderr };
}

describe("mmsim replay", () => {
  it("prints the grid: miss ratio and misses per algorithm and size, libCacheSim's counts", async () => {
    const r = await mmsim(["replay", CLOUD, "--algo", "lru,fifo,belady", "--size", "10%,4897"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(EXIT_OK);
    const lines = r.stdout.split("\n");
    expect(lines[0]).toBe(`${CLOUD} (oracleGeneral): 113872 requests, 48974 distinct objects`);
    expect(lines[1]).toMatch(/^miss ratio \(misses\)\s+10% = 4897 objects\s+4897 objects$/);
    expect(lines[2]).toMatch(/^lru\s+0\.8049 \(91657\)\s+0\.8049 \(91657\)$/);
    expect(lines[3]).toMatch(/^fifo\s+0\.8054 \(91716\)\s+0\.8054 \(91716\)$/);
    expect(lines[4]).toMatch(/^belady\s+0\.6290 \(71620\)\s+0\.6290 \(71620\)$/);
  });

  it("--json: one document with schemaVersion, the trace, the sizes and every cell; a size above the working set is said", async () => {
    const r = await mmsim(["replay", CLOUD, "--algo", "lru,s3fifo", "--size", "1%,60000", "--json"]);
    expect(r.code).toBe(EXIT_OK);
    const doc = JSON.parse(r.stdout) as ReplayJson;
    expect(doc.schemaVersion).toBe(JSON_SCHEMA_VERSION);
    expect(doc.command).toBe("replay");
    expect(doc.trace).toEqual({ path: CLOUD, format: "oracleGeneral", records: 113872, requests: 113872, objects: 48974 });
    expect(doc.sizes).toEqual([{ size: "1%", capacity: 489 }, { size: "60000", capacity: 60000 }]);
    expect(doc.cells.map((c) => [c.algorithm, c.capacity, c.misses])).toEqual([["lru", 489, 95420], ["lru", 60000, 48974], ["s3fifo", 489, 94559], ["s3fifo", 60000, 48974]]);
    expect(doc.cells[0]).toEqual({ algorithm: "lru", size: "1%", capacity: 489, requests: 113872, misses: 95420, hits: 18452, missRatio: 95420 / 113872 });
    expect(doc.notes).toEqual(["a cache of 60000 objects holds more than the trace's 48974 distinct objects: only compulsory misses remain"]);
  });

  it("a user's algorithm from a file, beside the built-in ones, and --chart draws the miss-ratio curves", async () => {
    const r = await mmsim(["replay", CLOUD, "--algo", `lru,${MRU}`, "--size", "0.01,0.1", "--chart", "mrc.svg", "--json"]);
    expect(r.stderr).toBe("");
    const doc = JSON.parse(r.stdout) as ReplayJson;
    expect(doc.algorithms).toEqual(["lru", "mru"]);
    expect(doc.cells.every((c) => c.misses > 48974 && c.misses <= 113872)).toBe(true);
    const svg = readFileSync(join(dir, "mrc.svg"), "utf8");
    expect(svg).toMatch(/^<svg/);
    expect(svg).toContain("miss ratio");
    expect(svg).toContain("mru");
  });

  it("--convert writes oracleGeneral from a csv trace; Belady then replays it, and needs it", async () => {
    const csv = join(dir, "t.csv");
    writeFileSync(csv, "time,id,size\n" + [1, 2, 3, 1, 2, 4, 1, 5, 2, 3].map((id, i) => `${i},${id},10\n`).join(""));
    const params = ["--trace-params", "obj-id-col=2,time-col=1,obj-size-col=3"];
    expect((await mmsim(["replay", csv, ...params, "--algo", "belady", "--size", "2"])).stderr).toMatch(/belady needs each request's next access, which only an oracleGeneral trace records/);
    const conv = await mmsim(["replay", csv, ...params, "--convert", "t.oracleGeneral.bin"]);
    expect(conv.stdout).toBe("wrote t.oracleGeneral.bin: 10 records (oracleGeneral), 5 distinct objects\n");
    const r = await mmsim(["replay", join(dir, "t.oracleGeneral.bin"), "--algo", "lru,belady", "--size", "2", "--json"]);
    const doc = JSON.parse(r.stdout) as ReplayJson;
    // 2 slots, 1 2 3 1 2 4 1 5 2 3: LRU misses all; OPT (every miss inserts, evicting the farthest
    // next use) hits only the 2nd and 3rd requests for object 1
    expect(doc.cells.map((c) => c.misses)).toEqual([10, 8]);
    // the default list leaves Belady out of a csv replay, and says so
    const all = await mmsim(["replay", csv, ...params, "--size", "2", "--json"]);
    expect((JSON.parse(all.stdout) as ReplayJson).notes[0]).toMatch(/^belady left out/);
  });

  it("bad input exits 2 with one line: a truncated trace names the record, an unknown algorithm lists the known", async () => {
    const cut = join(dir, "cut.oracleGeneral.bin");
    const bytes = Buffer.alloc(24 * 3 + 5, 0xff);
    for (let i = 0; i < 3; i++) bytes.writeUInt32LE(1, i * 24 + 12);
    writeFileSync(cut, bytes);
    const r = await mmsim(["replay", cut, "--size", "2"]);
    expect(r.code).toBe(EXIT_BAD_INPUT);
    expect(r.stderr).toMatch(/^mmsim: .*cut\.oracleGeneral\.bin:4: record 4 \(byte offset 72\) is truncated/);
    const u = await mmsim(["replay", CLOUD, "--algo", "lru,nope", "--size", "10"]);
    expect(u.code).toBe(EXIT_BAD_INPUT);
    expect(u.stderr).toContain('--algo: expected one of lru, fifo, clock, arc, 2q, s3fifo, sieve, lirs, belady, or a module file (./my-cache.mjs), got "nope"');
    const s = await mmsim(["replay", CLOUD, "--size", "0.00001"]);
    expect(s.code).toBe(EXIT_BAD_INPUT);
    expect(s.stderr).toContain("expected a cache of at least one object, got 0.00001 of 48974 distinct objects = 0 objects");
    const j = await mmsim(["replay", CLOUD, "--size", "ten", "--json"]);
    expect(j.code).toBe(EXIT_BAD_INPUT);
    expect(JSON.parse(j.stderr).error.kind).toBe("badInput");
  });
  // Kernel cells boot a 64 MiB board each and replay every miss as a whole read(2) (~10,000 per second of host time here).
  it("kernel cells beside the baselines: a loop larger than the cache misses everything under LRU, the classic LRU and MGLRU; the kernel's figures in the table and --json", { timeout: 120_000 }, async () => {
    const txt = join(dir, "loop.txt");
    writeFileSync(txt, Array.from({ length: 3000 }, (_, i) => `obj${i % 1000}\n`).join(""));
    const r = await mmsim(["replay", txt, "--algo", "lru,kernel-lru,kernel-mglru", "--size", "500", "--kernel-readahead", "off"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(EXIT_OK);
    const lines = r.stdout.split("\n");
    expect(lines[2]).toMatch(/^lru\s+1\.0000 \(3000\)$/);
    expect(lines[3]).toMatch(/^kernel-lru\s+1\.0000 \(3000\)$/);
    expect(lines[4]).toMatch(/^kernel-mglru\s+1\.0000 \(3000\)$/);
    expect(r.stdout).toMatch(/^kernel-lru 500 pages: cache \d+ pages \(mean; \d+–\d+\) on 64 MiB, \d+ pages read, \d+ refaults, \d+ scanned \/ \d+ reclaimed \(\d+ direct\), simulated \d+\.\d{3} s$/m);
    expect(r.stdout).toContain("note: kernel cells: each object is one page of an ext2 file of 1000 pages (scattered by a fixed permutation), read with pread(2) through Linux 6.1's page cache, readahead off");
    const j = await mmsim(["replay", txt, "--algo", "kernel-lru", "--size", "50%", "--json"]);
    const doc = JSON.parse(j.stdout) as ReplayJson;
    expect(doc.sizes).toEqual([{ size: "50%", capacity: 500 }]);
    const f = doc.cells[0]!.figures!;
    expect(doc.cells[0]!.misses).toBe(f["misses"]);
    expect(f["pagesRead"]).toBeGreaterThanOrEqual(f["misses"]!);
    expect(f["pgsteal"]).toBeGreaterThan(0);
  });

  it("bad input for kernel cells: an unknown reclaim policy, --kernel-readahead, --kernel-layout or --kernel-backing out of range, a module of another slot", async () => {
    const u = await mmsim(["replay", CLOUD, "--algo", "kernel-nope", "--size", "10"]);
    expect(u.code).toBe(EXIT_BAD_INPUT);
    expect(u.stderr).toContain("--algo: expected kernel-<reclaim policy> with a policy of lru, mglru, or kernel:<module file>, got kernel-nope");
    const ra = await mmsim(["replay", CLOUD, "--algo", "kernel-lru", "--size", "10", "--kernel-readahead", "maybe"]);
    expect(ra.code).toBe(EXIT_BAD_INPUT);
    expect(ra.stderr).toContain('--kernel-readahead: expected on or off, got "maybe"');
    const lay = await mmsim(["replay", CLOUD, "--algo", "kernel-lru", "--size", "10", "--kernel-layout", "sorted"]);
    expect(lay.code).toBe(EXIT_BAD_INPUT);
    const back = await mmsim(["replay", CLOUD, "--algo", "kernel-lru", "--size", "10", "--kernel-backing", "swap"]);
    expect(back.code).toBe(EXIT_BAD_INPUT);
    expect(back.stderr).toContain('--kernel-backing: expected file or anon, got "swap"');
    const slot = await mmsim(["replay", CLOUD, "--algo", `kernel:${join(ROOT, "examples/first-fit-slab/first-fit-slab.mjs")}`, "--size", "10"]);
    expect(slot.code).toBe(EXIT_BAD_INPUT);
    expect(slot.stderr).toContain('registers slot "slab"');
  });
});
