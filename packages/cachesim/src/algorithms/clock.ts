// mmsim: CLOCK (FIFO with reinsertion, 1-bit counter), as libCacheSim's cache/eviction/Clock.c (no kernel counterpart)
/*
 * libCacheSim's Clock (n-bit-counter=1): a hit sets the object's bit; eviction looks at the
 * tail, and while its bit is set clears it and moves it to the head. Kept as the classic ring
 * with a hand: moving the tail to the head is advancing the hand past it, and the new object
 * takes the evicted slot, which the hand then leaves behind — the same order, exactly, since
 * nothing but eviction removes an object. `state` is 0 (absent), 1 (resident, bit clear) or 2
 * (resident, bit set). Invariants (validate): `n` residents, each once in the ring.
 */
import { type CacheAlgorithm, type CacheAlgorithmFactory, type RequestBatch, checkCapacity, grownLength, growUint8 } from "../cache-algorithm.ts";
import { ringCheck } from "./fifo.ts";

export class Clock implements CacheAlgorithm {
  readonly name: string = "clock";
  private state = new Uint8Array(1024);
  private readonly ring: Int32Array;
  private n = 0;
  private hand = 0;

  constructor(readonly capacity: number) {
    checkCapacity("cachesim.Clock", capacity);
    this.ring = new Int32Array(capacity);
  }

  reserve(objects: number): void {
    if (objects > this.state.length) this.state = growUint8(this.state, grownLength(this.state.length, objects));
  }

  replay(batch: RequestBatch): number {
    const state = this.state;
    const ring = this.ring;
    const obj = batch.obj;
    const cap = this.capacity;
    let n = this.n;
    let hand = this.hand;
    let misses = 0;
    for (let i = 0, len = batch.length; i < len; i++) {
      const x = obj[i]!;
      const s = state[x]!;
      if (s !== 0) {
        // Clock_find: freq = min(freq + 1, 1)
        state[x] = 2;
        continue;
      }
      misses++;
      state[x] = 1;
      if (n < cap) {
        ring[n++] = x;
        continue;
      }
      // Clock_evict: clear and pass over set bits, evict the first clear one
      let v = ring[hand]!;
      while (state[v] === 2) {
        state[v] = 1;
        if (++hand === cap) hand = 0;
        v = ring[hand]!;
      }
      state[v] = 0;
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
    return ringCheck("clock", this.ring, this.n, (o) => this.state[o] !== 0, this.state);
  }
}

export const clock: CacheAlgorithmFactory = Object.freeze({
  name: "clock",
  description: "CLOCK (FIFO-reinsertion, one reference bit): a set bit buys one more trip round",
  libCacheSimName: "clock",
  create: (capacity: number) => new Clock(capacity),
});
