// mmsim: LIRS, as libCacheSim's cache/eviction/LIRS.c (no kernel counterpart)
/*
 * Jiang and Zhang's LIRS as libCacheSim implements it, over three LRU stacks: S (the LIRS
 * stack: LIR blocks, resident HIR blocks and non-resident HIR blocks), Q (resident HIR blocks)
 * and NH (the non-resident HIR blocks of S, in the order they left the cache). libCacheSim's
 * particulars, kept exactly:
 *  - hirs_limit = max(1, ⌊0.01·c⌋), lirs_limit = c − hirs_limit (a cache of one object admits
 *    nothing: lirs_limit is 0);
 *  - S and Q are separate caches, so an object in both has two records: `isLir`/`inCache` are
 *    those of its S record (a Q record is always a resident HIR);
 *  - LIRS_can_insert evicts (LIR blocks for a non-resident HIR in S, HIR blocks for a new object
 *    when both parts are full), then the eviction loop of cache_get_base calls LIRS_evict while
 *    the counted occupancy is full, then LIRS_insert;
 *  - S is pruned (HIR blocks at its bottom removed, non-resident ones also from NH) after a LIR
 *    hit and after every LIR eviction, but never its last (head) block;
 *  - after each request, while S holds more than 2c records, NH's oldest leaves S and NH.
 * Per object: three link pairs (one per stack) and two flags. Invariants (validate): each stack
 * closes and matches its counter; every Q and NH member is marked as such.
 */
import { MmBugError } from "@mmsim/core";
import { type CacheAlgorithm, type CacheAlgorithmFactory, type RequestBatch, checkCapacity, grownLength, growInt32, growUint8 } from "../cache-algorithm.ts";
import { qAddHead, qAlloc, qCheck, qDel, qMoveHead } from "./qlist.ts";

/** Each stack has its own link arrays; one sentinel each, slot 0. */
const H = 0;
const HEADS = 1;

export class Lirs implements CacheAlgorithm {
  readonly name: string = "lirs";
  readonly hirsLimit: number;
  readonly lirsLimit: number;
  private sNext: Int32Array;
  private sPrev: Int32Array;
  private qNext: Int32Array;
  private qPrev: Int32Array;
  private nhNext: Int32Array;
  private nhPrev: Int32Array;
  /** The S record's LIRS.is_LIR and LIRS.in_cache. */
  private isLir = new Uint8Array(HEADS + 1024);
  private inCache = new Uint8Array(HEADS + 1024);
  private lirsCount = 0;
  private hirsCount = 0;
  private nonresident = 0;
  /** cache->occupied_byte, as LIRS.c counts it. */
  private occupied = 0;
  /** Records in S (LRU_s->occupied_byte), Q and NH. */
  private sCount = 0;
  private qCount = 0;
  private nhCount = 0;

  constructor(readonly capacity: number) {
    checkCapacity("cachesim.Lirs", capacity);
    this.hirsLimit = Math.max(1, Math.trunc(0.01 * capacity));
    this.lirsLimit = capacity - this.hirsLimit;
    ({ next: this.sNext, prev: this.sPrev } = qAlloc(HEADS, HEADS + 1024));
    ({ next: this.qNext, prev: this.qPrev } = qAlloc(HEADS, HEADS + 1024));
    ({ next: this.nhNext, prev: this.nhPrev } = qAlloc(HEADS, HEADS + 1024));
  }

  reserve(objects: number): void {
    if (HEADS + objects > this.sNext.length) {
      const len = grownLength(this.sNext.length, HEADS + objects);
      this.sNext = growInt32(this.sNext, len, 0);
      this.sPrev = growInt32(this.sPrev, len, -1);
      this.qNext = growInt32(this.qNext, len, 0);
      this.qPrev = growInt32(this.qPrev, len, -1);
      this.nhNext = growInt32(this.nhNext, len, 0);
      this.nhPrev = growInt32(this.nhPrev, len, -1);
      this.isLir = growUint8(this.isLir, len);
      this.inCache = growUint8(this.inCache, len);
    }
  }

  replay(batch: RequestBatch): number {
    const obj = batch.obj;
    let misses = 0;
    for (let i = 0, len = batch.length; i < len; i++) {
      const x = obj[i]! + HEADS;
      if (!this.find(x)) {
        misses++;
        if (this.canInsert(x)) {
          while (this.occupied + 1 > this.capacity) this.evict(x);
          this.insert(x);
        }
      }
      this.limitStack();
    }
    return misses;
  }

  private inS(x: number): boolean {
    return this.sPrev[x]! >= 0;
  }

  private inQ(x: number): boolean {
    return this.qPrev[x]! >= 0;
  }

  /** LIRS_find with update_cache: both stacks promote the object, then the hit cases. */
  private find(x: number): boolean {
    const s = this.inS(x);
    const q = this.inQ(x);
    if (s) qMoveHead(this.sNext, this.sPrev, H, x);
    if (q) qMoveHead(this.qNext, this.qPrev, H, x);
    if (s) {
      if (this.isLir[x] !== 0) {
        this.prune();
        return true;
      }
      if (this.inCache[x] !== 0) {
        this.hitResidentHirInS(x, q);
        return true;
      }
      return false;
    }
    if (q) {
      this.hitResidentHirInQ(x);
      return true;
    }
    return false;
  }

  /** LIRS_can_insert (it evicts). */
  private canInsert(x: number): boolean {
    if (1 > this.capacity) return false;
    const s = this.inS(x);
    const q = this.inQ(x);
    if (s && this.isLir[x] === 0 && this.inCache[x] === 0) {
      while (this.lirsCount + 1 > this.lirsLimit) this.evictLir();
      if (this.nhRemove(x)) this.nonresident--;
      return true;
    }
    if (!s && !q) {
      if (1 > this.lirsLimit || 1 > this.hirsLimit) return false;
      if (this.lirsCount + 1 > this.lirsLimit && this.hirsCount + 1 > this.hirsLimit) {
        while (this.hirsCount + 1 > this.hirsLimit) this.evictHir();
      }
      return true;
    }
    lirsBug("a state libCacheSim's LIRS_can_insert handles", x, "in Q but missed");
  }

  /** LIRS_evict */
  private evict(x: number): void {
    const s = this.inS(x);
    const q = this.inQ(x);
    if (s && this.isLir[x] === 0 && this.inCache[x] === 0) {
      while (this.hirsCount >= this.hirsLimit) this.evictHir();
      this.evictLir();
    }
    if (!s && !q) {
      if (this.lirsCount + 1 > this.lirsLimit && this.hirsCount + 1 > this.hirsLimit) this.evictHir();
    }
  }

  /** LIRS_insert */
  private insert(x: number): void {
    const s = this.inS(x);
    const q = this.inQ(x);
    if (s && this.isLir[x] === 0 && this.inCache[x] === 0) {
      this.isLir[x] = 1;
      this.inCache[x] = 1;
      this.lirsCount++;
      this.occupied++;
    }
    if (!s && !q) {
      if (this.lirsCount + 1 <= this.lirsLimit) {
        this.sInsert(x, 1);
        this.lirsCount++;
      } else {
        this.sInsert(x, 0);
        this.qInsert(x);
        this.hirsCount++;
      }
      this.occupied++;
    }
  }

  /** LIRS_prune: HIR records at the bottom of S go (never the head). */
  private prune(): void {
    for (;;) {
      const t = this.sPrev[H]!;
      if (t === this.sNext[H] || t === H) return;
      if (this.isLir[t] !== 0) return;
      if (this.inCache[t] === 0 && this.nhRemove(t)) this.nonresident--;
      qDel(this.sNext, this.sPrev, t);
      this.sCount--;
    }
  }

  /** hit_RD_HIRinS: a resident HIR block in S becomes LIR. */
  private hitResidentHirInS(x: number, inQ: boolean): void {
    if (inQ) {
      this.hirsCount--;
      qDel(this.qNext, this.qPrev, x);
      this.qCount--;
      this.occupied--;
    }
    while (this.lirsCount + 1 > this.lirsLimit) this.evictLir();
    this.isLir[x] = 1;
    this.lirsCount++;
    this.occupied++;
  }

  /** hit_RD_HIRinQ: a resident HIR block only in Q gets an S record. */
  private hitResidentHirInQ(x: number): void {
    while (this.lirsCount + 1 > this.lirsLimit) this.evictLir();
    this.sInsert(x, 0);
  }

  /** evictLIR: S's bottom block leaves S and becomes a resident HIR block in Q. */
  private evictLir(): void {
    const t = this.sPrev[H]!;
    if (t === H) lirsBug("a block in S to evict", -1, "S is empty (libCacheSim would crash here)");
    this.lirsCount--;
    qDel(this.sNext, this.sPrev, t);
    this.sCount--;
    this.occupied--;
    if (1 <= this.hirsLimit) {
      while (this.hirsCount + 1 > this.hirsLimit) this.evictHir();
      this.qInsert(t);
      this.hirsCount++;
      this.occupied++;
    }
    this.prune();
  }

  /** evictHIR: Q's bottom block leaves the cache; its S record, if any, becomes non-resident. */
  private evictHir(): void {
    const t = this.qPrev[H]!;
    if (t === H) lirsBug("a block in Q to evict", -1, "Q is empty (libCacheSim would crash here)");
    this.hirsCount--;
    qDel(this.qNext, this.qPrev, t);
    this.qCount--;
    if (this.inS(t)) {
      this.inCache[t] = 0;
      if (this.nhPrev[t]! >= 0) lirsBug("a block not yet in NH", t, "already in NH");
      qAddHead(this.nhNext, this.nhPrev, H, t);
      this.nhCount++;
      this.nonresident++;
    }
    this.occupied--;
  }

  /** limitStack: S holds at most 2c records, dropping the oldest non-resident ones. */
  private limitStack(): void {
    while (this.sCount > 2 * this.capacity) {
      const t = this.nhPrev[H]!;
      if (t === H) return;
      this.nonresident--;
      if (this.inS(t)) {
        qDel(this.sNext, this.sPrev, t);
        this.sCount--;
      }
      qDel(this.nhNext, this.nhPrev, t);
      this.nhCount--;
    }
  }

  private sInsert(x: number, lir: number): void {
    qAddHead(this.sNext, this.sPrev, H, x);
    this.sCount++;
    this.isLir[x] = lir;
    this.inCache[x] = 1;
  }

  private qInsert(x: number): void {
    if (this.inQ(x)) lirsBug("a block not yet in Q", x, "already in Q");
    qAddHead(this.qNext, this.qPrev, H, x);
    this.qCount++;
  }

  private nhRemove(x: number): boolean {
    if (this.nhPrev[x]! < 0) return false;
    qDel(this.nhNext, this.nhPrev, x);
    this.nhCount--;
    return true;
  }

  resident(): number {
    return this.occupied;
  }

  validate(): string[] {
    return [
      ...qCheck(this.sNext, this.sPrev, HEADS, H, this.sCount, "lirs S", (o) => this.sPrev[o + HEADS]! >= 0),
      ...qCheck(this.qNext, this.qPrev, HEADS, H, this.qCount, "lirs Q", (o) => this.qPrev[o + HEADS]! >= 0),
      ...qCheck(this.nhNext, this.nhPrev, HEADS, H, this.nhCount, "lirs NH", (o) => this.nhPrev[o + HEADS]! >= 0),
    ];
  }
}

/** A state libCacheSim's LIRS.c never reaches (it would crash or duplicate a record there): stop, naming it. */
function lirsBug(expected: string, slot: number, got: string): never {
  throw new MmBugError("cachesim.Lirs", `expected ${expected}, got ${slot >= 0 ? `object ${slot - HEADS} ${got}` : got}`);
}

export const lirs: CacheAlgorithmFactory = Object.freeze({
  name: "lirs",
  description: "LIRS: blocks ranked by inter-reference recency; 1% of the cache holds HIR blocks",
  libCacheSimName: "lirs",
  create: (capacity: number) => new Lirs(capacity),
});
