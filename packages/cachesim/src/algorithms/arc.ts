// mmsim: ARC, as libCacheSim's cache/eviction/ARC.c (no kernel counterpart)
/*
 * Megiddo and Modha's ARC as libCacheSim implements it: T1 (seen once) and T2 (seen at least
 * twice) hold the residents, B1 and B2 the ghosts of their evictions; p, a double, is T1's target
 * size. libCacheSim's particulars, kept exactly:
 *  - eviction runs only when the cache is full (cache_get_base), so the ghost lists are trimmed
 *    only then (case IV of the paper: B1 when |T1|+|B1| would pass c, else B2 when the directory
 *    holds 2c);
 *  - on a ghost hit p moves by max(|B2|/|B1|, 1) (B1) or max(|B1|/|B2|, 1) (B2), in double
 *    arithmetic, counted before the ghost leaves its list, and the object enters T2;
 *  - REPLACE evicts T1's tail when T1 is non-empty and |T1| > p, or |T1| = p on a B2 hit, or T2
 *    is empty; otherwise T2's tail.
 * Each object is on at most one list (`where`). Invariants (validate): each list closes and
 * matches its counter and `where`; |T1| + |T2| ≤ c.
 */
import { type CacheAlgorithm, type CacheAlgorithmFactory, type RequestBatch, checkCapacity, grownLength, growInt32, growUint8 } from "../cache-algorithm.ts";
import { qAddHead, qAlloc, qCheck, qDel, qMoveHead } from "./qlist.ts";

const T1 = 0;
const T2 = 1;
const B1 = 2;
const B2 = 3;
const HEADS = 4;
/** `where` values: on no list, or on list h as h + 1. */
const NOWHERE = 0;

export class Arc implements CacheAlgorithm {
  readonly name: string = "arc";
  private next: Int32Array;
  private prev: Int32Array;
  private where = new Uint8Array(HEADS + 1024);
  private t1 = 0;
  private t2 = 0;
  private b1 = 0;
  private b2 = 0;
  private p = 0;
  private inB1 = false;
  private inB2 = false;
  private nReq = 0;
  private vtimeLastReqInGhost = -1;

  constructor(readonly capacity: number) {
    checkCapacity("cachesim.Arc", capacity);
    ({ next: this.next, prev: this.prev } = qAlloc(HEADS, HEADS + 1024));
  }

  reserve(objects: number): void {
    if (HEADS + objects > this.next.length) {
      const len = grownLength(this.next.length, HEADS + objects);
      this.next = growInt32(this.next, len, 0);
      this.prev = growInt32(this.prev, len, -1);
      this.where = growUint8(this.where, len);
    }
  }

  replay(batch: RequestBatch): number {
    const obj = batch.obj;
    const cap = this.capacity;
    let misses = 0;
    for (let i = 0, len = batch.length; i < len; i++) {
      const x = obj[i]! + HEADS;
      this.nReq++;
      if (this.find(x)) continue;
      misses++;
      while (this.t1 + this.t2 + 1 > cap) this.evict();
      this.insert(x);
    }
    return misses;
  }

  /** ARC_find with update_cache: true on a hit in T1 or T2. */
  private find(x: number): boolean {
    const w = this.where[x]!;
    if (w === NOWHERE) return false;
    this.inB1 = false;
    this.inB2 = false;
    if (w === B1 + 1) {
      this.vtimeLastReqInGhost = this.nReq;
      this.inB1 = true;
      const delta = Math.max(this.b2 / this.b1, 1);
      this.p = Math.min(this.p + delta, this.capacity);
      this.b1--;
      qDel(this.next, this.prev, x);
      this.where[x] = NOWHERE;
      return false;
    }
    if (w === B2 + 1) {
      this.vtimeLastReqInGhost = this.nReq;
      this.inB2 = true;
      const delta = Math.max(this.b1 / this.b2, 1);
      this.p = Math.max(this.p - delta, 0);
      this.b2--;
      qDel(this.next, this.prev, x);
      this.where[x] = NOWHERE;
      return false;
    }
    if (w === T1 + 1) {
      this.t1--;
      this.t2++;
      this.where[x] = T2 + 1;
    }
    qMoveHead(this.next, this.prev, T2, x);
    return true;
  }

  private ghostHitNow(): boolean {
    return this.vtimeLastReqInGhost === this.nReq && (this.inB1 || this.inB2);
  }

  private insert(x: number): void {
    if (this.ghostHitNow()) {
      this.where[x] = T2 + 1;
      qAddHead(this.next, this.prev, T2, x);
      this.t2++;
      this.inB1 = false;
      this.inB2 = false;
      this.vtimeLastReqInGhost = -1;
    } else {
      this.where[x] = T1 + 1;
      qAddHead(this.next, this.prev, T1, x);
      this.t1++;
    }
  }

  private evict(): void {
    if (this.ghostHitNow()) this.replace();
    else this.evictMissOnAllQueues();
  }

  /** _ARC_replace */
  private replace(): void {
    const cond1 = this.t1 > 0;
    const cond2 = this.t1 > this.p;
    const cond3 = this.t1 === this.p && this.inB2;
    const cond4 = this.t2 === 0;
    if ((cond1 && (cond2 || cond3)) || cond4) {
      this.moveTail(T1, B1);
      this.t1--;
      this.b1++;
    } else {
      this.moveTail(T2, B2);
      this.t2--;
      this.b2++;
    }
  }

  /** _ARC_evict_miss_on_all_queues (case IV) */
  private evictMissOnAllQueues(): void {
    if (this.t1 + this.b1 + 1 > this.capacity) {
      if (this.b1 > 0) {
        this.dropTail(B1);
        this.b1--;
        this.replace();
      } else {
        this.dropTail(T1);
        this.t1--;
      }
    } else {
      if (this.t1 + this.b1 + this.t2 + this.b2 >= this.capacity * 2 && this.b2 > 0) {
        this.dropTail(B2);
        this.b2--;
      }
      this.replace();
    }
  }

  private moveTail(from: number, to: number): void {
    const t = this.prev[from]!;
    qDel(this.next, this.prev, t);
    qAddHead(this.next, this.prev, to, t);
    this.where[t] = to + 1;
  }

  private dropTail(from: number): void {
    const t = this.prev[from]!;
    qDel(this.next, this.prev, t);
    this.where[t] = NOWHERE;
  }

  resident(): number {
    return this.t1 + this.t2;
  }

  validate(): string[] {
    const on = (h: number) => (o: number) => this.where[o + HEADS] === h + 1;
    const p = [
      ...qCheck(this.next, this.prev, HEADS, T1, this.t1, "arc T1", on(T1)),
      ...qCheck(this.next, this.prev, HEADS, T2, this.t2, "arc T2", on(T2)),
      ...qCheck(this.next, this.prev, HEADS, B1, this.b1, "arc B1", on(B1)),
      ...qCheck(this.next, this.prev, HEADS, B2, this.b2, "arc B2", on(B2)),
    ];
    if (this.t1 + this.t2 > this.capacity) p.push(`arc: ${this.t1 + this.t2} residents in a cache of ${this.capacity}`);
    return p;
  }
}

export const arc: CacheAlgorithmFactory = Object.freeze({
  name: "arc",
  description: "ARC: recency (T1) and frequency (T2) lists sized adaptively from ghost hits",
  libCacheSimName: "arc",
  create: (capacity: number) => new Arc(capacity),
});
