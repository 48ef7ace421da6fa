// mmsim: libCacheSim's oracleGeneral binary trace format, read and written (no kernel counterpart; libCacheSim oracleGeneralBin.h)
/*
 * A record is 24 bytes, little-endian, packed (`struct.pack("<IQIq")`):
 *
 *   offset 0  uint32  timestamp (seconds)
 *   offset 4  uint64  object id
 *   offset 12 uint32  object size (bytes)
 *   offset 16 int64   next-access index: the 1-based index of the next request for the same
 *                     object (the first request of the file is 1), -1 if none
 *
 * libCacheSim reads INT64_MAX as "none" too, and skips records of size 0 (reader option
 * ignore_size_zero_req, on in cachesim). mmsim reads both as libCacheSim does and rejects
 * what libCacheSim would silently misread: a file that ends inside a record, a next-access
 * value that is negative other than -1, not after the record's own index, or beyond 2^53.
 */
import { TraceFormatError } from "@mmsim/core";
import { NEVER, TWO_POW_32, TraceRecords } from "./trace-records.ts";

/** Bytes per oracleGeneral record. */
export const ORACLE_GENERAL_RECORD_BYTES = 24;

/**
 * Parses oracleGeneral records from a stream of byte chunks, carrying a record split across
 * chunks over to the next one. One parser per trace.
 */
export class OracleGeneralParser {
  /** Bytes of a record split across chunks. */
  private readonly carry = new Uint8Array(ORACLE_GENERAL_RECORD_BYTES);
  private carried = 0;
  /** Records parsed so far (the 0-based number of the next one). */
  records = 0;

  constructor(
    readonly file: string,
    readonly out: TraceRecords,
  ) {}

  /**
   * Parses as many whole records of `chunk` (after what was carried) as fit in `out`, starting
   * at byte `pos` of the chunk; returns the chunk position to resume from (= chunk.length when
   * the chunk is used up). The caller yields `out` whenever it is full.
   */
  parse(chunk: Uint8Array, pos: number): number {
    const out = this.out;
    if (this.carried > 0) {
      const need = ORACLE_GENERAL_RECORD_BYTES - this.carried;
      const take = Math.min(need, chunk.length - pos);
      this.carry.set(chunk.subarray(pos, pos + take), this.carried);
      this.carried += take;
      pos += take;
      if (this.carried < ORACLE_GENERAL_RECORD_BYTES) return pos;
      this.decode(new DataView(this.carry.buffer, this.carry.byteOffset, ORACLE_GENERAL_RECORD_BYTES), 0, out.count);
      out.count++;
      this.carried = 0;
      if (out.count === out.capacity) return pos;
    }
    const view = new DataView(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    let n = out.count;
    const room = out.capacity - n;
    const whole = Math.min(room, Math.floor((chunk.length - pos) / ORACLE_GENERAL_RECORD_BYTES));
    for (let k = 0; k < whole; k++) {
      this.decode(view, pos, n);
      n++;
      pos += ORACLE_GENERAL_RECORD_BYTES;
    }
    out.count = n;
    if (n < out.capacity && pos < chunk.length) {
      // the start of a record the next chunk completes
      this.carry.set(chunk.subarray(pos), 0);
      this.carried = chunk.length - pos;
      pos = chunk.length;
    }
    return pos;
  }

  /** At the end of the input: a carried partial record means the file is truncated. */
  finish(): void {
    if (this.carried > 0) {
      const record = this.records + 1;
      throw new TraceFormatError(
        "cachesim.readTrace", this.file, record,
        `record ${record} (byte offset ${this.records * ORACLE_GENERAL_RECORD_BYTES}) is truncated: the trace ends after ${this.carried} of its ${ORACLE_GENERAL_RECORD_BYTES} bytes ` +
          `(an oracleGeneral file is a whole number of 24-byte records; was it cut short, or is it another format?)`,
      );
    }
  }

  private decode(view: DataView, at: number, i: number): void {
    const out = this.out;
    out.timestamp[i] = view.getUint32(at, true);
    out.idLo[i] = view.getUint32(at + 4, true);
    out.idHi[i] = view.getUint32(at + 8, true);
    out.size[i] = view.getUint32(at + 12, true);
    const lo = view.getUint32(at + 16, true);
    const hi = view.getUint32(at + 20, true);
    const self = ++this.records;
    if ((hi === 0xffffffff && lo === 0xffffffff) || (hi === 0x7fffffff && lo === 0xffffffff)) {
      out.nextAccess[i] = NEVER;
    } else if (hi < 0x200000) {
      const next = hi * TWO_POW_32 + lo;
      if (next <= self) this.badNext(self, lo, hi);
      out.nextAccess[i] = next;
    } else {
      this.badNext(self, lo, hi);
    }
  }

  private badNext(record: number, lo: number, hi: number): never {
    const v = BigInt.asIntN(64, (BigInt(hi) << 32n) | BigInt(lo));
    const what = v < 0n ? `${v} (negative, and not -1)` : v >= 2n ** 53n ? `${v} (beyond 2^53)` : `${v}, which is not after the record's own index ${record}`;
    throw new TraceFormatError(
      "cachesim.readTrace", this.file, record,
      `record ${record} (byte offset ${(record - 1) * ORACLE_GENERAL_RECORD_BYTES}): the next-access field is ${what}; ` +
        `oracleGeneral holds the 1-based index of the next request for the object, or -1 (is the file another format, or its next-access field 0-based?)`,
    );
  }
}

/**
 * Encodes records [0, count) of `rec` into `out` (24 bytes each) from byte `at`; NEVER and NaN
 * are written as -1.
 */
export function encodeOracleGeneral(rec: TraceRecords, count: number, out: Uint8Array, at: number): void {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  for (let i = 0; i < count; i++) {
    view.setUint32(at, rec.timestamp[i]!, true);
    view.setUint32(at + 4, rec.idLo[i]!, true);
    view.setUint32(at + 8, rec.idHi[i]!, true);
    view.setUint32(at + 12, rec.size[i]!, true);
    const next = rec.nextAccess[i]!;
    if (next === NEVER || next !== next) {
      view.setUint32(at + 16, 0xffffffff, true);
      view.setUint32(at + 20, 0xffffffff, true);
    } else {
      view.setUint32(at + 16, next % TWO_POW_32, true);
      view.setUint32(at + 20, Math.floor(next / TWO_POW_32), true);
    }
    at += ORACLE_GENERAL_RECORD_BYTES;
  }
}
