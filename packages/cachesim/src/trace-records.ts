// mmsim: a batch of trace records in typed arrays, the unit every trace reader yields (no kernel counterpart; libCacheSim's request_t)
/*
 * libCacheSim reads one `request_t` at a time; mmsim reads records in batches of up to
 * `capacity` into columns, so that a replay loop runs over typed arrays and allocates nothing.
 * A reader reuses one TraceRecords for every batch it yields: copy what you keep.
 *
 * Object ids are 64-bit unsigned integers (libCacheSim's `obj_id_t`), kept exact as two uint32
 * words (`idLo`, `idHi`): ids above 2^53 exist in real traces and a JS number cannot hold them.
 * The next-access field is the 1-based index of the next request to the same object, or NEVER
 * (oracleGeneral's -1, and INT64_MAX, which libCacheSim also reads as "never").
 */

/** The next-access value of a request whose object is never requested again. */
export const NEVER = Infinity;

/** 2^32, to join two uint32 words. */
export const TWO_POW_32 = 4294967296;

/** A batch of records (columns), reused by the reader for every batch. */
export class TraceRecords {
  /** Records held (the columns are valid below it). */
  count = 0;
  /** 0-based number, in the whole trace, of record 0 of this batch. */
  first = 0;
  /** Seconds (oracleGeneral's uint32 timestamp). */
  readonly timestamp: Uint32Array;
  /** Object id, low 32 bits. */
  readonly idLo: Uint32Array;
  /** Object id, high 32 bits. */
  readonly idHi: Uint32Array;
  /** Object size in bytes (a size of 0 is skipped by a replay, as libCacheSim does). */
  readonly size: Uint32Array;
  /** 1-based index of the next request to the same object, or NEVER; NaN when the format has no such field. */
  readonly nextAccess: Float64Array;

  constructor(readonly capacity: number) {
    this.timestamp = new Uint32Array(capacity);
    this.idLo = new Uint32Array(capacity);
    this.idHi = new Uint32Array(capacity);
    this.size = new Uint32Array(capacity);
    this.nextAccess = new Float64Array(capacity);
  }

  /** Record `i`'s object id as a bigint (for printing and tests; never in a replay loop). */
  idOf(i: number): bigint {
    return (BigInt(this.idHi[i]!) << 32n) | BigInt(this.idLo[i]!);
  }
}

/** Default records per batch: 64 Ki records (1.5 MiB of oracleGeneral). */
export const DEFAULT_BATCH = 65536;

/** Splits a uint64 (as a bigint or a safe integer) into the two words of TraceRecords. */
export function splitId(id: bigint | number): { lo: number; hi: number } {
  const b = BigInt(id);
  if (b < 0n || b > 0xffffffffffffffffn) throw new RangeError(`cachesim.splitId: object id ${b} is not a uint64`);
  return { lo: Number(b & 0xffffffffn), hi: Number(b >> 32n) };
}
