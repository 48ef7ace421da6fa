// mmsim: 2Q, as libCacheSim's cache/eviction/TwoQ.c (no kernel counterpart)
/*
 * Johnson and Shasha's full 2Q as libCacheSim implements it (Ain-size-ratio=0.25,
 * Aout-size-ratio=0.5): a new object enters A1in (FIFO); evicted from there its id goes to
 * A1out (a FIFO of ghosts); a request whose id is in A1out enters Am (LRU). libCacheSim's
 * particulars, kept exactly:
 *  - |A1in| = ⌊0.25·c⌋, |A1out| = ⌊0.5·c⌋, |Am| = c − |A1in| (sizes truncated from doubles);
 *    an object is admitted only when 1 ≤ |A1in| (so a cache of fewer than 4 objects admits none);
 *  - A1in may grow past its size: eviction (when A1in + Am is full) takes A1in's tail only
 *    while A1in holds more than its size, else Am's tail;
 *  - a ghost hit goes through Am's own get, which evicts Am's tail when Am is at its size.
 * Invariants (validate): each queue closes and matches its counter and `where`; A1in + Am ≤ c.
 */
import { type CacheAlgorithm, type CacheAlgorithmFactory, type RequestBatch, checkCapacity, grownLength, growInt32, growUint8 } from "../cache-algorithm.ts";
import { qAddHead, qAlloc, qCheck, qDel, qMoveHead } from "./qlist.ts";

const AIN = 0;
const AOUT = 1;
const AM = 2;
const HEADS = 3;
const NOWHERE = 0;

export class TwoQ implements CacheAlgorithm {
  readonly name: string = "2q";
  readonly ainSize: number;
  readonly aoutSize: number;
  readonly amSize: number;
  private next: Int32Array;
  private prev: Int32Array;
  private where = new Uint8Array(HEADS + 1024);
  private ain = 0;
  private aout = 0;
  private am = 0;

  constructor(readonly capacity: number) {
    checkCapacity("cachesim.TwoQ", capacity);
    this.ainSize = Math.trunc(capacity * 0.25);
    this.aoutSize = Math.trunc(capacity * 0.5);
    this.amSize = capacity - this.ainSize;
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
    const where = this.where;
    const cap = this.capacity;
    let misses = 0;
    for (let i = 0, len = batch.length; i < len; i++) {
      const x = obj[i]! + HEADS;
      const w = where[x]!;
      // TwoQ_find
      if (w === AIN + 1) continue;
      if (w === AM + 1) {
        qMoveHead(this.next, this.prev, AM, x);
        continue;
      }
      misses++;
      const hitOnGhost = w === AOUT + 1;
      if (hitOnGhost) {
        qDel(this.next, this.prev, x);
        where[x] = NOWHERE;
        this.aout--;
      }
      // TwoQ_can_insert
      if (this.ainSize < 1) continue;
      while (this.ain + this.am + 1 > cap) this.evict();
      if (hitOnGhost) {
        // Am->get: LRU get with Am's own size
        if (this.amSize < 1) continue;
        while (this.am + 1 > this.amSize) this.dropTail(AM);
        qAddHead(this.next, this.prev, AM, x);
        where[x] = AM + 1;
        this.am++;
      } else {
        qAddHead(this.next, this.prev, AIN, x);
        where[x] = AIN + 1;
        this.ain++;
      }
    }
    return misses;
  }

  /** TwoQ_evict */
  private evict(): void {
    if (this.ain > this.ainSize) {
      const t = this.prev[AIN]!;
      qDel(this.next, this.prev, t);
      this.where[t] = NOWHERE;
      this.ain--;
      // Aout->get: a FIFO get with Aout's own size
      if (this.aoutSize >= 1) {
        while (this.aout + 1 > this.aoutSize) this.dropTail(AOUT);
        qAddHead(this.next, this.prev, AOUT, t);
        this.where[t] = AOUT + 1;
        this.aout++;
      }
      return;
    }
    this.dropTail(AM);
  }

  private dropTail(h: number): void {
    const t = this.prev[h]!;
    qDel(this.next, this.prev, t);
    this.where[t] = NOWHERE;
    if (h === AM) this.am--;
    else if (h === AOUT) this.aout--;
    else this.ain--;
  }

  resident(): number {
    return this.ain + this.am;
  }

  validate(): string[] {
    const on = (h: number) => (o: number) => this.where[o + HEADS] === h + 1;
    const p = [
      ...qCheck(this.next, this.prev, HEADS, AIN, this.ain, "2q A1in", on(AIN)),
      ...qCheck(this.next, this.prev, HEADS, AOUT, this.aout, "2q A1out", on(AOUT)),
      ...qCheck(this.next, this.prev, HEADS, AM, this.am, "2q Am", on(AM)),
    ];
    if (this.ain + this.am > this.capacity) p.push(`2q: ${this.ain + this.am} residents in a cache of ${this.capacity}`);
    return p;
  }
}

export const twoQ: CacheAlgorithmFactory = Object.freeze({
  name: "2q",
  description: "2Q: new objects in a FIFO (A1in), their ghosts in A1out, re-referenced ones in an LRU (Am)",
  libCacheSimName: "twoq",
  create: (capacity: number) => new TwoQ(capacity),
});
