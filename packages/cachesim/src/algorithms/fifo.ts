// mmsim: FIFO, as libCacheSim's cache/eviction/FIFO.c (no kernel counterpart)
/*
 * Insertion order only: a hit changes nothing, a miss evicts the oldest. A queue whose only
 * removals are at the tail is a ring: `ring` holds the residents oldest-first from `hand`.
 * Invariants (validate): `n` residents are marked, each exactly once in the ring.
 */
import { type CacheAlgorithm, type CacheAlgorithmFactory, type RequestBatch, checkCapacity, grownLength, growUint8 } from "../cache-algorithm.ts";

export class Fifo implements CacheAlgorithm {
  readonly name: string = "fifo";
  /** 1 while the object is resident. */
  private resident8 = new Uint8Array(1024);
  /** Residents, oldest at `hand` once the ring is full. */
  private readonly ring: Int32Array;
  private n = 0;
  private hand = 0;

  constructor(readonly capacity: number) {
    checkCapacity("cachesim.Fifo", capacity);
    this.ring = new Int32Array(capacity);
  }

  reserve(objects: number): void {
    if (objects > this.resident8.length) this.resident8 = growUint8(this.resident8, grownLength(this.resident8.length, objects));
  }

  replay(batch: RequestBatch): number {
    const res = this.resident8;
    const ring = this.ring;
    const obj = batch.obj;
    const cap = this.capacity;
    let n = this.n;
    let hand = this.hand;
    let misses = 0;
    for (let i = 0, len = batch.length; i < len; i++) {
      const x = obj[i]!;
      if (res[x] !== 0) continue;
      misses++;
      res[x] = 1;
      if (n < cap) {
        ring[n++] = x;
        continue;
      }
      // FIFO_evict: the tail is the slot under the hand; the new object takes it (the head)
      res[ring[hand]!] = 0;
      ring[hand] = x;
      if (++hand === cap) hand = 0;
    }
    this.n = n;
    this.hand = hand;
    return misses;
  }

  resident(): number {
    return this.n;
  }

  validate(): string[] {
    return ringCheck("fifo", this.ring, this.n, (o) => this.resident8[o] !== 0, this.resident8);
  }
}

/** The ring's first `n` slots are distinct marked residents, and no other object is marked. */
export function ringCheck(name: string, ring: Int32Array, n: number, marked: (o: number) => boolean, marks: Uint8Array): string[] {
  const problems: string[] = [];
  const seen = new Set<number>();
  for (let i = 0; i < n; i++) {
    const o = ring[i]!;
    if (seen.has(o)) problems.push(`${name}: object ${o} twice in the ring`);
    seen.add(o);
    if (!marked(o)) problems.push(`${name}: object ${o} in the ring is not marked resident`);
  }
  let count = 0;
  for (let o = 0; o < marks.length; o++) if (marks[o] !== 0) count++;
  if (count !== n) problems.push(`${name}: ${count} objects marked resident, ${n} in the ring`);
  return problems;
}

export const fifo: CacheAlgorithmFactory = Object.freeze({
  name: "fifo",
  description: "first in, first out: hits change nothing, the oldest object is evicted",
  libCacheSimName: "fifo",
  create: (capacity: number) => new Fifo(capacity),
});
