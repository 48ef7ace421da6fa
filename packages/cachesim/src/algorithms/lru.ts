// mmsim: LRU, as libCacheSim's cache/eviction/LRU.c (no kernel counterpart)
/*
 * One queue, newest at the head: a hit moves the object to the head, a miss inserts it there,
 * eviction takes the tail. Invariants (validate): the queue closes, holds `n` objects, each
 * linked, and n ≤ capacity.
 */
import { type CacheAlgorithm, type CacheAlgorithmFactory, type RequestBatch, checkCapacity, grownLength, growInt32 } from "../cache-algorithm.ts";
import { qAlloc, qCheck } from "./qlist.ts";

/** Sentinel slots before the object slots. */
const HEADS = 1;
const Q = 0;

export class Lru implements CacheAlgorithm {
  readonly name: string = "lru";
  private next: Int32Array;
  private prev: Int32Array;
  private n = 0;

  constructor(readonly capacity: number) {
    checkCapacity("cachesim.Lru", capacity);
    ({ next: this.next, prev: this.prev } = qAlloc(HEADS, HEADS + 1024));
  }

  reserve(objects: number): void {
    if (HEADS + objects > this.next.length) {
      const len = grownLength(this.next.length, HEADS + objects);
      this.next = growInt32(this.next, len, 0);
      this.prev = growInt32(this.prev, len, -1);
    }
  }

  replay(batch: RequestBatch): number {
    const next = this.next;
    const prev = this.prev;
    const obj = batch.obj;
    const cap = this.capacity;
    let n = this.n;
    let misses = 0;
    for (let i = 0, len = batch.length; i < len; i++) {
      const x = obj[i]! + HEADS;
      const p = prev[x]!;
      if (p >= 0) {
        // hit: move_obj_to_head
        if (p === Q) continue;
        const nx = next[x]!;
        next[p] = nx;
        prev[nx] = p;
      } else {
        misses++;
        if (n === cap) {
          // LRU_evict: the tail
          const t = prev[Q]!;
          const tp = prev[t]!;
          next[tp] = Q;
          prev[Q] = tp;
          prev[t] = -1;
        } else n++;
      }
      const first = next[Q]!;
      next[x] = first;
      prev[x] = Q;
      prev[first] = x;
      next[Q] = x;
    }
    this.n = n;
    return misses;
  }

  resident(): number {
    return this.n;
  }

  validate(): string[] {
    const p = qCheck(this.next, this.prev, HEADS, Q, this.n, "lru", (o) => this.prev[o + HEADS]! >= 0);
    if (this.n > this.capacity) p.push(`lru: ${this.n} objects in a cache of ${this.capacity}`);
    return p;
  }
}

export const lru: CacheAlgorithmFactory = Object.freeze({
  name: "lru",
  description: "least recently used: a hit moves the object to the head, the tail is evicted",
  libCacheSimName: "lru",
  create: (capacity: number) => new Lru(capacity),
});
