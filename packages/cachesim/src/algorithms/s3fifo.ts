// mmsim: S3-FIFO, as libCacheSim's cache/eviction/S3FIFO.c (no kernel counterpart)
/*
 * Yang et al.'s S3-FIFO as libCacheSim implements it (fifo-size-ratio=0.10,
 * ghost-size-ratio=0.90, move-to-main-threshold=2): a small FIFO S for new objects, a main FIFO
 * M with reinsertion, and a ghost FIFO G of ids evicted from S. libCacheSim's particulars, kept
 * exactly:
 *  - |S| = ⌊c·0.1⌋, |M| = c − |S|, |G| = ⌊c·0.9⌋ (no ghost when 0); an object is admitted only
 *    when 1 ≤ |S|, and a new one is put in S only when 1 < |S| (so caches below 20 objects hold
 *    nothing but ghost-hit objects, which never exist there: every request misses);
 *  - a hit counts in the object's freq (unbounded in S); eviction, when S + M is full, evicts
 *    from M when M is over its size or S is empty, else from S;
 *  - S's tail with freq ≥ 2 moves to M's head with freq 0 (and S goes on), else its id enters G
 *    (G evicts its own tail when full) and that is the eviction;
 *  - M's tail with freq ≥ 1 is reinserted at M's head with freq min(freq, 3) − 1, else evicted;
 *  - a ghost hit enters M's head directly, freq 0.
 * Each object is in at most one of S, M, G (`where`). Invariants (validate): each queue closes
 * and matches its counter and `where`; S + M ≤ c; G ≤ |G|.
 */
import { type CacheAlgorithm, type CacheAlgorithmFactory, type RequestBatch, checkCapacity, grownLength, growInt32, growUint8 } from "../cache-algorithm.ts";
import { qAddHead, qAlloc, qCheck, qDel } from "./qlist.ts";

const S = 0;
const M = 1;
const G = 2;
const HEADS = 3;
const NOWHERE = 0;
const MOVE_TO_MAIN_THRESHOLD = 2;

export class S3Fifo implements CacheAlgorithm {
  readonly name: string = "s3fifo";
  readonly smallSize: number;
  readonly mainSize: number;
  readonly ghostSize: number;
  private next: Int32Array;
  private prev: Int32Array;
  private where = new Uint8Array(HEADS + 1024);
  /** S3FIFO.freq: hits while resident (saturating far beyond the thresholds 1, 2 and 3). */
  private freq = new Int32Array(HEADS + 1024);
  private small = 0;
  private main = 0;
  private ghost = 0;

  constructor(readonly capacity: number) {
    checkCapacity("cachesim.S3Fifo", capacity);
    // (int64_t)cache_size * 0.10 and (int64_t)(cache_size * 0.90), truncated
    this.smallSize = Math.trunc(capacity * 0.1);
    this.mainSize = capacity - this.smallSize;
    this.ghostSize = Math.trunc(capacity * 0.9);
    ({ next: this.next, prev: this.prev } = qAlloc(HEADS, HEADS + 1024));
  }

  reserve(objects: number): void {
    if (HEADS + objects > this.next.length) {
      const len = grownLength(this.next.length, HEADS + objects);
      this.next = growInt32(this.next, len, 0);
      this.prev = growInt32(this.prev, len, -1);
      this.where = growUint8(this.where, len);
      this.freq = growInt32(this.freq, len, 0);
    }
  }

  replay(batch: RequestBatch): number {
    const obj = batch.obj;
    const where = this.where;
    const freq = this.freq;
    const cap = this.capacity;
    let misses = 0;
    for (let i = 0, len = batch.length; i < len; i++) {
      const x = obj[i]! + HEADS;
      const w = where[x]!;
      // S3FIFO_find
      if (w === S + 1 || w === M + 1) {
        if (freq[x]! < 0x3fffffff) freq[x]!++;
        continue;
      }
      misses++;
      const hitOnGhost = w === G + 1;
      if (hitOnGhost) {
        qDel(this.next, this.prev, x);
        where[x] = NOWHERE;
        this.ghost--;
      }
      // S3FIFO_can_insert
      if (this.smallSize < 1) continue;
      while (this.small + this.main + 1 > cap) this.evict();
      // S3FIFO_insert
      if (hitOnGhost) {
        qAddHead(this.next, this.prev, M, x);
        where[x] = M + 1;
        this.main++;
      } else {
        if (1 >= this.smallSize) continue;
        qAddHead(this.next, this.prev, S, x);
        where[x] = S + 1;
        this.small++;
      }
      freq[x] = 0;
    }
    return misses;
  }

  private evict(): void {
    if (this.main > this.mainSize || this.small === 0) this.evictMain();
    else this.evictSmall();
  }

  /** S3FIFO_evict_fifo */
  private evictSmall(): void {
    const next = this.next;
    const prev = this.prev;
    while (this.small > 0) {
      const t = prev[S]!;
      qDel(next, prev, t);
      this.small--;
      if (this.freq[t]! >= MOVE_TO_MAIN_THRESHOLD) {
        qAddHead(next, prev, M, t);
        this.where[t] = M + 1;
        this.main++;
        this.freq[t] = 0;
        continue;
      }
      this.where[t] = NOWHERE;
      if (this.ghostSize > 0) {
        // ghost->get: a FIFO get with the ghost's own size
        while (this.ghost + 1 > this.ghostSize) {
          const g = prev[G]!;
          qDel(next, prev, g);
          this.where[g] = NOWHERE;
          this.ghost--;
        }
        qAddHead(next, prev, G, t);
        this.where[t] = G + 1;
        this.ghost++;
      }
      return;
    }
  }

  /** S3FIFO_evict_main */
  private evictMain(): void {
    const next = this.next;
    const prev = this.prev;
    while (this.main > 0) {
      const t = prev[M]!;
      const f = this.freq[t]!;
      qDel(next, prev, t);
      if (f >= 1) {
        qAddHead(next, prev, M, t);
        this.freq[t] = Math.min(f, 3) - 1;
        continue;
      }
      this.where[t] = NOWHERE;
      this.main--;
      return;
    }
  }

  resident(): number {
    return this.small + this.main;
  }

  validate(): string[] {
    const on = (h: number) => (o: number) => this.where[o + HEADS] === h + 1;
    const p = [
      ...qCheck(this.next, this.prev, HEADS, S, this.small, "s3fifo S", on(S)),
      ...qCheck(this.next, this.prev, HEADS, M, this.main, "s3fifo M", on(M)),
      ...qCheck(this.next, this.prev, HEADS, G, this.ghost, "s3fifo G", on(G)),
    ];
    if (this.small + this.main > this.capacity) p.push(`s3fifo: ${this.small + this.main} residents in a cache of ${this.capacity}`);
    if (this.ghost > this.ghostSize) p.push(`s3fifo: ${this.ghost} ghosts, the ghost FIFO holds ${this.ghostSize}`);
    return p;
  }
}

export const s3fifo: CacheAlgorithmFactory = Object.freeze({
  name: "s3fifo",
  description: "S3-FIFO: a small FIFO filters one-hit wonders, a main FIFO with reinsertion, a ghost FIFO",
  libCacheSimName: "s3fifo",
  create: (capacity: number) => new S3Fifo(capacity),
});
