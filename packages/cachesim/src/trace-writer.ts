// mmsim: write an oracleGeneral trace from any trace, with its next-access field computed (no kernel counterpart; libCacheSim's traceConv)
/*
 * Two passes over the output, in bounded memory: the records are written as they come (the
 * next-access field -1), then the file is read back from its end one block at a time while a
 * table of "the next request for this object" (one double per distinct object) fills each
 * record's field, and the block is written back in place. The next-access field counts every
 * record of the file, 1-based, as libCacheSim's readers and traceConv do.
 */
import { open } from "node:fs/promises";
import { ObjectIndex } from "./object-index.ts";
import { ORACLE_GENERAL_RECORD_BYTES, encodeOracleGeneral } from "./oracle-general.ts";
import { NEVER, TWO_POW_32, type TraceRecords } from "./trace-records.ts";

/** Records per block of the backward pass. */
const BLOCK_RECORDS = 65536;

/**
 * Writes the records to `path` as oracleGeneral, computing every next-access field.
 * @returns the records written and the distinct objects among them
 */
export async function writeOracleGeneral(path: string, source: AsyncIterable<TraceRecords> | Iterable<TraceRecords>): Promise<{ records: number; objects: number }> {
  const index = new ObjectIndex();
  const fh = await open(path, "w+");
  try {
    let records = 0;
    let buf = new Uint8Array(0);
    for await (const rec of source) {
      const bytes = rec.count * ORACLE_GENERAL_RECORD_BYTES;
      if (buf.length < bytes) buf = new Uint8Array(bytes);
      encodeOracleGeneral(rec, rec.count, buf, 0);
      // the backward pass fills the field: -1 for now
      const view = new DataView(buf.buffer, 0, bytes);
      for (let i = 0; i < rec.count; i++) {
        view.setInt32(i * ORACLE_GENERAL_RECORD_BYTES + 16, -1, true);
        view.setInt32(i * ORACLE_GENERAL_RECORD_BYTES + 20, -1, true);
        index.lookupOrAdd(rec.idLo[i]!, rec.idHi[i]!);
      }
      await fh.write(buf, 0, bytes, records * ORACLE_GENERAL_RECORD_BYTES);
      records += rec.count;
    }
    const nextOf = new Float64Array(index.size).fill(NEVER);
    const block = new Uint8Array(BLOCK_RECORDS * ORACLE_GENERAL_RECORD_BYTES);
    const view = new DataView(block.buffer);
    for (let end = records; end > 0; ) {
      const start = Math.max(0, end - BLOCK_RECORDS);
      const n = end - start;
      await fh.read(block, 0, n * ORACLE_GENERAL_RECORD_BYTES, start * ORACLE_GENERAL_RECORD_BYTES);
      for (let i = n - 1; i >= 0; i--) {
        const at = i * ORACLE_GENERAL_RECORD_BYTES;
        const obj = index.lookup(view.getUint32(at + 4, true), view.getUint32(at + 8, true));
        const next = nextOf[obj]!;
        if (next !== NEVER) {
          view.setUint32(at + 16, next % TWO_POW_32, true);
          view.setUint32(at + 20, Math.floor(next / TWO_POW_32), true);
        }
        nextOf[obj] = start + i + 1;
      }
      await fh.write(block, 0, n * ORACLE_GENERAL_RECORD_BYTES, start * ORACLE_GENERAL_RECORD_BYTES);
      end = start;
    }
    return { records, objects: index.size };
  } finally {
    await fh.close();
  }
}
