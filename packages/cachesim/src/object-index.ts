// mmsim: 64-bit object ids → dense object numbers 0, 1, 2, … in order of first appearance (no kernel counterpart; libCacheSim's hashtable)
/*
 * libCacheSim hashes the 64-bit id in every cache. mmsim maps each id once per replay to a dense
 * number, so that every algorithm keeps its per-object state in flat typed arrays indexed by it
 * (no hashing, no objects per request). The table is open addressing with linear probing, each
 * slot four uint32 words (id low, id high, number + 1, padding) so that a probe reads one cache
 * line, at most half full, doubled when it would pass that; it never deletes. Memory: 16 bytes
 * per slot, 2 to 4 slots per object, plus 8 bytes per object for `idLo`/`idHi` by number.
 *
 * Invariant (validate): every dense number below `size` is in the table exactly once, under its
 * id words, and `idLo`/`idHi` of that number hold them.
 */
import { TraceRecords } from "./trace-records.ts";

/** Words per table slot: id low word, id high word, dense number + 1 (0: empty), padding. */
const STRIDE = 4;

/** The id table of one replay. */
export class ObjectIndex {
  /** Distinct objects seen. */
  size = 0;
  private mask: number;
  /** The slots, interleaved so that a probe touches one cache line (STRIDE words each). */
  private table: Uint32Array;
  /** The id words of each dense number (grown by doubling). */
  idLo: Uint32Array;
  idHi: Uint32Array;

  constructor(expectedObjects = 1 << 16) {
    let slots = 1024;
    while (slots < expectedObjects * 2) slots *= 2;
    this.mask = slots - 1;
    this.table = new Uint32Array(slots * STRIDE);
    this.idLo = new Uint32Array(slots >>> 1);
    this.idHi = new Uint32Array(slots >>> 1);
  }

  /** The dense number of an id, added when new. */
  lookupOrAdd(lo: number, hi: number): number {
    const mask = this.mask;
    const t = this.table;
    let h = hashId(lo, hi) & mask;
    for (;;) {
      const at = h * STRIDE;
      const v = t[at + 2]!;
      if (v === 0) break;
      if (t[at] === lo && t[at + 1] === hi) return v - 1;
      h = (h + 1) & mask;
    }
    const n = this.size++;
    const at = h * STRIDE;
    t[at] = lo;
    t[at + 1] = hi;
    t[at + 2] = n + 1;
    if (n >= this.idLo.length) this.growIds();
    this.idLo[n] = lo;
    this.idHi[n] = hi;
    if (this.size * 2 > mask + 1) this.rehash();
    return n;
  }

  /** The dense number of an id, or -1. */
  lookup(lo: number, hi: number): number {
    const t = this.table;
    let h = hashId(lo, hi) & this.mask;
    for (;;) {
      const at = h * STRIDE;
      const v = t[at + 2]!;
      if (v === 0) return -1;
      if (t[at] === lo && t[at + 1] === hi) return v - 1;
      h = (h + 1) & this.mask;
    }
  }

  /**
   * Maps records [0, rec.count) to dense numbers in `obj` (the requests a replay runs: records
   * of size 0 are skipped, as libCacheSim's readers skip them) and copies their next-access
   * field to `next`; returns how many requests it wrote.
   */
  mapRecords(rec: TraceRecords, obj: Int32Array, next: Float64Array): number {
    const n = rec.count;
    const lo = rec.idLo;
    const hi = rec.idHi;
    const size = rec.size;
    const na = rec.nextAccess;
    let k = 0;
    for (let i = 0; i < n; i++) {
      if (size[i] === 0) continue;
      obj[k] = this.lookupOrAdd(lo[i]!, hi[i]!);
      next[k] = na[i]!;
      k++;
    }
    return k;
  }

  /** Object `n`'s id as a bigint. */
  idOf(n: number): bigint {
    return (BigInt(this.idHi[n]!) << 32n) | BigInt(this.idLo[n]!);
  }

  /** Bytes the table holds now. */
  bytes(): number {
    return this.table.byteLength + this.idLo.byteLength + this.idHi.byteLength;
  }

  /** Checks the invariant; returns the problems found. */
  validate(): string[] {
    const problems: string[] = [];
    let seen = 0;
    const t = this.table;
    for (let h = 0; h <= this.mask; h++) {
      const at = h * STRIDE;
      if (t[at + 2] === 0) continue;
      const v = t[at + 2]! - 1;
      seen++;
      if (v >= this.size || this.idLo[v] !== t[at] || this.idHi[v] !== t[at + 1]) problems.push(`slot ${h}: number ${v} does not match its id words`);
      if (this.lookup(t[at]!, t[at + 1]!) !== v) problems.push(`slot ${h}: id of number ${v} is not found by lookup`);
    }
    if (seen !== this.size) problems.push(`${seen} numbers in the table, size is ${this.size}`);
    return problems;
  }

  private growIds(): void {
    const lo = new Uint32Array(this.idLo.length * 2);
    const hi = new Uint32Array(this.idHi.length * 2);
    lo.set(this.idLo);
    hi.set(this.idHi);
    this.idLo = lo;
    this.idHi = hi;
  }

  private rehash(): void {
    const slots = (this.mask + 1) * 2;
    const mask = slots - 1;
    const t = new Uint32Array(slots * STRIDE);
    for (let n = 0; n < this.size; n++) {
      const lo = this.idLo[n]!;
      const hi = this.idHi[n]!;
      let h = hashId(lo, hi) & mask;
      while (t[h * STRIDE + 2] !== 0) h = (h + 1) & mask;
      t[h * STRIDE] = lo;
      t[h * STRIDE + 1] = hi;
      t[h * STRIDE + 2] = n + 1;
    }
    this.mask = mask;
    this.table = t;
  }
}

/** A 32-bit mix of the two id words (murmur3's fmix32 of lo ^ hi·φ). */
function hashId(lo: number, hi: number): number {
  let h = (lo ^ Math.imul(hi, 0x9e3779b1)) | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}
