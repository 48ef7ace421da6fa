// mmsim: SIEVE, as libCacheSim's cache/eviction/Sieve.c (no kernel counterpart)
/*
 * One queue, newest at the head; a hit sets the object's visited bit. The hand walks from the
 * tail towards the head, clearing visited bits, and evicts the first unvisited object; it then
 * rests on that object's neighbour towards the head (none when it was the head: the next walk
 * starts at the tail). Invariants (validate): the queue closes and holds `n` objects; the hand
 * is on the queue or NONE.
 */
import { type CacheAlgorithm, type CacheAlgorithmFactory, type RequestBatch, checkCapacity, grownLength, growInt32, growUint8 } from "../cache-algorithm.ts";
import { qAlloc, qCheck } from "./qlist.ts";

const HEADS = 1;
const Q = 0;
const NONE = -1;

export class Sieve implements CacheAlgorithm {
  readonly name: string = "sieve";
  private next: Int32Array;
  private prev: Int32Array;
  private visited = new Uint8Array(HEADS + 1024);
  private n = 0;
  /** params->pointer: the slot the next eviction starts from, or NONE (the tail). */
  private hand = NONE;

  constructor(readonly capacity: number) {
    checkCapacity("cachesim.Sieve", capacity);
    ({ next: this.next, prev: this.prev } = qAlloc(HEADS, HEADS + 1024));
  }

  reserve(objects: number): void {
    if (HEADS + objects > this.next.length) {
      const len = grownLength(this.next.length, HEADS + objects);
      this.next = growInt32(this.next, len, 0);
      this.prev = growInt32(this.prev, len, -1);
      this.visited = growUint8(this.visited, len);
    }
  }

  replay(batch: RequestBatch): number {
    const next = this.next;
    const prev = this.prev;
    const visited = this.visited;
    const obj = batch.obj;
    const cap = this.capacity;
    let n = this.n;
    let hand = this.hand;
    let misses = 0;
    for (let i = 0, len = batch.length; i < len; i++) {
      const x = obj[i]! + HEADS;
      if (prev[x]! >= 0) {
        visited[x] = 1;
        continue;
      }
      misses++;
      if (n === cap) {
        // Sieve_evict
        let v = hand === NONE ? prev[Q]! : hand;
        while (visited[v] !== 0) {
          visited[v] = 0;
          v = prev[v] === Q ? prev[Q]! : prev[v]!;
        }
        const vp = prev[v]!;
        hand = vp === Q ? NONE : vp;
        const vn = next[v]!;
        next[vp] = vn;
        prev[vn] = vp;
        prev[v] = -1;
      } else n++;
      // Sieve_insert: at the head, unvisited
      visited[x] = 0;
      const first = next[Q]!;
      next[x] = first;
      prev[x] = Q;
      prev[first] = x;
      next[Q] = x;
    }
    this.n = n;
    this.hand = hand;
    return misses;
  }

  resident(): number {
    return this.n;
  }

  validate(): string[] {
    const p = qCheck(this.next, this.prev, HEADS, Q, this.n, "sieve", (o) => this.prev[o + HEADS]! >= 0);
    if (this.hand !== NONE && this.prev[this.hand]! < 0) p.push("sieve: the hand rests on an object not in the cache");
    return p;
  }
}

export const sieve: CacheAlgorithmFactory = Object.freeze({
  name: "sieve",
  description: "SIEVE: a hand sweeps from old to new, sparing visited objects once; new objects enter at the head",
  libCacheSimName: "sieve",
  create: (capacity: number) => new Sieve(capacity),
});
