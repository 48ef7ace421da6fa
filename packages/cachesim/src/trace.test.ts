// mmsim: the trace formats — oracleGeneral read and written, zstd, csv and txt, 64-bit ids, streaming, errors that name the record
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TraceFormatError } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { ObjectIndex } from "./object-index.ts";
import { OracleGeneralParser, encodeOracleGeneral } from "./oracle-general.ts";
import { SYNTHETIC_TRACES, syntheticTrace } from "./synthetic.ts";
import { detectDelimiter, detectHeader, parseTextTraceParams, parseUint64C, splitCsv } from "./text-trace.ts";
import { detectTraceFormat, readTrace } from "./trace-reader.ts";
import { NEVER, TraceRecords, splitId } from "./trace-records.ts";
import { writeOracleGeneral } from "./trace-writer.ts";

const dir = mkdtempSync(join(tmpdir(), "mmsim-trace-"));
const CLOUD_ZST = fileURLToPath(new URL("../fixtures/cloudPhysicsIO.oracleGeneral.bin.zst", import.meta.url));

/** oracleGeneral bytes of (id, next) records, timestamps 1, 2, …, size 512. */
function oracleBytes(recs: [bigint, bigint][]): Buffer {
  const b = Buffer.alloc(recs.length * 24);
  recs.forEach(([id, next], i) => {
    b.writeUInt32LE(i + 1, i * 24);
    b.writeBigUInt64LE(id, i * 24 + 4);
    b.writeUInt32LE(512, i * 24 + 12);
    b.writeBigInt64LE(next, i * 24 + 16);
  });
  return b;
}

async function collect(path: string, opts: Parameters<typeof readTrace>[1] = {}): Promise<{ ids: bigint[]; next: number[]; size: number[]; ts: number[] }> {
  const out = { ids: [] as bigint[], next: [] as number[], size: [] as number[], ts: [] as number[] };
  for await (const rec of readTrace(path, opts)) {
    for (let i = 0; i < rec.count; i++) {
      out.ids.push(rec.idOf(i));
      out.next.push(rec.nextAccess[i]!);
      out.size.push(rec.size[i]!);
      out.ts.push(rec.timestamp[i]!);
    }
  }
  return out;
}

async function failure(p: Promise<unknown>): Promise<TraceFormatError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(TraceFormatError);
  return e as TraceFormatError;
}

describe("oracleGeneral", () => {
  it("reads ids above 2^53 exactly, and keeps 2^60 and 2^60 + 1 apart", async () => {
    const big = 1n << 60n;
    const f = join(dir, "big.oracleGeneral.bin");
    writeFileSync(f, oracleBytes([[big, 3n], [big + 1n, -1n], [big, -1n], [0xffffffffffffffffn, -1n]]));
    const r = await collect(f);
    expect(r.ids).toEqual([big, big + 1n, big, 0xffffffffffffffffn]);
    expect(r.next).toEqual([3, NEVER, NEVER, NEVER]);
    const index = new ObjectIndex();
    const words = r.ids.map((id) => splitId(id));
    expect(words.map((w) => index.lookupOrAdd(w.lo, w.hi))).toEqual([0, 1, 0, 2]);
    expect(index.idOf(1)).toBe(big + 1n);
    expect(index.validate()).toEqual([]);
  });

  it("reads INT64_MAX as never, as libCacheSim does", async () => {
    const f = join(dir, "max.oracleGeneral.bin");
    writeFileSync(f, oracleBytes([[5n, 0x7fffffffffffffffn]]));
    expect((await collect(f)).next).toEqual([NEVER]);
  });

  it("a truncated file is an error naming the record and its byte offset", async () => {
    const f = join(dir, "cut.oracleGeneral.bin");
    writeFileSync(f, oracleBytes([[1n, -1n], [2n, -1n], [3n, -1n]]).subarray(0, 24 * 2 + 10));
    const e = await failure(collect(f));
    expect(e.line).toBe(3);
    expect(e.message).toContain("record 3 (byte offset 48) is truncated: the trace ends after 10 of its 24 bytes");
  });

  it("a next-access field that is not a later 1-based index is an error naming the record", async () => {
    const f = join(dir, "zero.oracleGeneral.bin");
    writeFileSync(f, oracleBytes([[1n, 2n], [1n, 2n]]));
    const e = await failure(collect(f));
    expect(e.line).toBe(2);
    expect(e.message).toContain("record 2 (byte offset 24): the next-access field is 2, which is not after the record's own index 2");
    writeFileSync(f, oracleBytes([[1n, -7n]]));
    expect((await failure(collect(f))).message).toContain("-7 (negative, and not -1)");
  });

  it("parses the same records whatever the chunk boundaries (a record split across reads)", () => {
    const rec = syntheticTrace({ kind: "zipf", requests: 3000, objects: 500, alpha: 1, seed: 3 });
    const bytes = new Uint8Array(rec.count * 24);
    encodeOracleGeneral(rec, rec.count, bytes, 0);
    for (const step of [1, 7, 23, 24, 25, 1000]) {
      const out = new TraceRecords(50);
      const p = new OracleGeneralParser("<mem>", out);
      const ids: number[] = [];
      const next: number[] = [];
      for (let at = 0; at < bytes.length; at += step) {
        const chunk = bytes.slice(at, Math.min(bytes.length, at + step));
        let pos = 0;
        while (pos < chunk.length) {
          pos = p.parse(chunk, pos);
          if (out.count === out.capacity) {
            for (let i = 0; i < out.count; i++) {
              ids.push(out.idLo[i]!);
              next.push(out.nextAccess[i]!);
            }
            out.count = 0;
          }
        }
      }
      p.finish();
      for (let i = 0; i < out.count; i++) {
        ids.push(out.idLo[i]!);
        next.push(out.nextAccess[i]!);
      }
      expect(ids, `step ${step}`).toEqual([...rec.idLo]);
      expect(next, `step ${step}`).toEqual([...rec.nextAccess]);
    }
  });

  it("writes oracleGeneral with every next-access computed: a csv trace converted gives the bytes of the same trace made directly", async () => {
    const rec = syntheticTrace(SYNTHETIC_TRACES.scan!);
    const direct = new Uint8Array(rec.count * 24);
    encodeOracleGeneral(rec, rec.count, direct, 0);
    const csv = join(dir, "scan.csv");
    let text = "time,obj_id,size\n";
    for (let i = 0; i < rec.count; i++) text += `${rec.timestamp[i]},${rec.idOf(i)},${rec.size[i]}\n`;
    writeFileSync(csv, text);
    const out = join(dir, "scan.oracleGeneral.bin");
    const w = await writeOracleGeneral(out, readTrace(csv, { params: "obj-id-col=2,time-col=1,obj-size-col=3,obj-id-is-num=true", batch: 1000 }));
    expect(w.records).toBe(rec.count);
    expect(Buffer.compare(readFileSync(out), Buffer.from(direct))).toBe(0);
  });
});

describe("zstd", () => {
  it("reads a zstd-compressed trace (by its magic number, whatever its name), streamed", async () => {
    let n = 0;
    let batches = 0;
    for await (const rec of readTrace(CLOUD_ZST, { format: "oracleGeneral", batch: 10000 })) {
      n += rec.count;
      batches++;
    }
    expect(n).toBe(113872);
    expect(batches).toBe(12);
  });

  it("a truncated zstd file is an error that says so", async () => {
    const f = join(dir, "cut.oracleGeneral.bin.zst");
    writeFileSync(f, readFileSync(CLOUD_ZST).subarray(0, 200000));
    const e = await failure(collect(f));
    expect(e.message).toMatch(/zstd stream is corrupt or truncated/);
  });
});

describe("csv and txt (libCacheSim's readers)", () => {
  it("parses libCacheSim's trace parameters", () => {
    expect(parseTextTraceParams("obj-id-col=5,time-col=2,obj-size-col=4,delimiter=,,has-header=true")).toEqual({ objIdCol: 5, timeCol: 2, objSizeCol: 4, delimiter: ",", hasHeader: true });
    expect(parseTextTraceParams("obj_id_col=1;delimiter=\\t;obj-id-is-num=1")).toEqual({ objIdCol: 1, delimiter: "\t", objIdIsNum: true });
    expect(() => parseTextTraceParams("obj-col=1")).toThrow(/unknown trace parameter "obj-col"/);
    expect(() => parseTextTraceParams("obj-id-col=x")).toThrow(/1-based column number/);
  });

  it("detects the delimiter and the header as libCacheSim does, and splits quoted fields", () => {
    expect(detectDelimiter("a,b,c")).toBe(",");
    expect(detectDelimiter("1\t2\t3")).toBe("\t");
    expect(detectDelimiter("1|2")).toBe("|");
    expect(detectHeader("time,obj_id,size")).toBe(true);
    expect(detectHeader("1,2,3")).toBe(false);
    expect(splitCsv(' 1 , "a,b" ,"x""y"', ",")).toEqual(["1", "a,b", 'x"y']);
  });

  it("parses ids as C's strtoull(s, 0) when obj-id-is-num", () => {
    expect(parseUint64C("0x10")).toBe(16n);
    expect(parseUint64C("010")).toBe(8n);
    expect(parseUint64C("18446744073709551615")).toBe(0xffffffffffffffffn);
    expect(parseUint64C("abc")).toBeUndefined();
  });

  it("txt: one id per line, blank lines skipped, ids compared as strings", async () => {
    const f = join(dir, "ids.txt");
    writeFileSync(f, "7\n\n8\n07\n7\n");
    const r = await collect(f);
    expect(r.ids).toEqual([1n, 2n, 3n, 1n]);
    const n = await collect(f, { params: "obj-id-is-num=true" });
    expect(n.ids).toEqual([7n, 8n, 7n, 7n]);
  });

  it("csv: a count column repeats the row, a size of 0 is kept for the replay to skip", async () => {
    const f = join(dir, "cnt.csv");
    writeFileSync(f, "ts,id,size,cnt\n1,10,5,2\n2,11,0,1\n");
    const r = await collect(f, { params: "time-col=1,obj-id-col=2,obj-size-col=3,cnt-col=4,obj-id-is-num=true" });
    expect(r.ids).toEqual([10n, 10n, 11n]);
    expect(r.size).toEqual([5, 5, 0]);
    expect(r.ts).toEqual([1, 1, 2]);
  });

  it("csv errors name the line: no obj-id-col, too few fields, a size that is not a number", async () => {
    const f = join(dir, "bad.csv");
    writeFileSync(f, "1,10,5\n2,11\n");
    expect((await failure(collect(f))).message).toMatch(/needs its object-id column: give the trace parameter obj-id-col=N/);
    expect((await failure(collect(f, { params: "obj-id-col=2,obj-size-col=3" }))).message).toContain("line 2 (record 2): has no column for obj-size-col");
    writeFileSync(f, "1,10,x\n");
    const e = await failure(collect(f, { params: "obj-id-col=2,obj-size-col=3" }));
    expect(e.line).toBe(1);
    expect(e.message).toContain('obj-size-col is "x", not a non-negative number');
  });

  it("the format follows the name as libCacheSim's detect_trace_type reads it, and an unknown one is said", async () => {
    expect(detectTraceFormat("/x/cloudPhysicsIO.oracleGeneral.bin.zst")).toBe("oracleGeneral");
    expect(detectTraceFormat("a.csv.zst")).toBe("csv");
    expect(detectTraceFormat("a.txt")).toBe("txt");
    expect(detectTraceFormat("a.bin")).toBeUndefined();
    const f = join(dir, "what.bin");
    writeFileSync(f, "");
    expect((await failure(collect(f))).message).toMatch(/cannot tell the trace format from the file name/);
    expect((await failure(collect(join(dir, "missing.txt")))).message).toMatch(/cannot open the trace/);
    expect((await failure(collect(dir, { format: "txt" }))).message).toMatch(/is a directory, not a trace file/);
  });
});

describe("streaming", () => {
  it(
    "a trace of 2 M requests (48 MB) is read in bounded memory: array buffers grow by a few MB, not the file's size",
    async () => {
      const N = 2_000_000;
      const f = join(dir, "long.oracleGeneral.bin");
      // written batch by batch too, so neither side holds the trace
      async function* batches() {
        const rec = new TraceRecords(65536);
        for (let start = 0; start < N; start += rec.capacity) {
          rec.count = Math.min(rec.capacity, N - start);
          for (let i = 0; i < rec.count; i++) {
            rec.timestamp[i] = start + i;
            rec.idLo[i] = (start + i) % 5000;
            rec.idHi[i] = 1;
            rec.size[i] = 1;
          }
          yield rec;
        }
      }
      const w = await writeOracleGeneral(f, batches());
      expect(w).toEqual({ records: N, objects: 5000 });
      const base = process.memoryUsage().arrayBuffers;
      let peak = 0;
      let n = 0;
      let lastNext = 0;
      for await (const rec of readTrace(f)) {
        n += rec.count;
        lastNext = rec.nextAccess[rec.count - 1]!;
        peak = Math.max(peak, process.memoryUsage().arrayBuffers - base);
      }
      expect(n).toBe(N);
      expect(lastNext).toBe(NEVER);
      expect(peak).toBeLessThan(16 * 1024 * 1024);
    },
    // writing and reading 48 MB twice: about 2 s here; generous for a loaded CI machine
    60_000,
  );
});
