// mmsim: Belady's OPT, as libCacheSim's cache/eviction/Belady.c (no kernel counterpart)
/*
 * Evicts the resident object whose next request is farthest in the future, read from the
 * trace's next-access field (oracleGeneral). libCacheSim keeps a max priority queue of next
 * access times updated on every hit; here it is a binary max-heap in typed arrays with each
 * object's heap position. Objects never requested again (NEVER = Infinity) tie at the top; which
 * of them goes first cannot change a count, since none is requested again.
 * Invariants (validate): the heap property holds, `pos` and the heap agree, n ≤ capacity.
 */
import { type CacheAlgorithm, type CacheAlgorithmFactory, type RequestBatch, checkCapacity, grownLength, growInt32 } from "../cache-algorithm.ts";

export class Belady implements CacheAlgorithm {
  readonly name: string = "belady";
  /** Heap index of each object, -1 when absent. */
  private pos = new Int32Array(1024).fill(-1);
  private readonly heapObj: Int32Array;
  private readonly heapKey: Float64Array;
  private n = 0;

  constructor(readonly capacity: number) {
    checkCapacity("cachesim.Belady", capacity);
    this.heapObj = new Int32Array(capacity);
    this.heapKey = new Float64Array(capacity);
  }

  reserve(objects: number): void {
    if (objects > this.pos.length) this.pos = growInt32(this.pos, grownLength(this.pos.length, objects), -1);
  }

  replay(batch: RequestBatch): number {
    const pos = this.pos;
    const obj = batch.obj;
    const nextAccess = batch.nextAccess;
    const cap = this.capacity;
    let misses = 0;
    for (let i = 0, len = batch.length; i < len; i++) {
      const x = obj[i]!;
      const key = nextAccess[i]!;
      const at = pos[x]!;
      if (at >= 0) {
        // Belady_find: pqueue_change_priority to the new next access (later: up the max-heap)
        const old = this.heapKey[at]!;
        this.heapKey[at] = key;
        if (key > old) this.siftUp(at);
        else this.siftDown(at);
        continue;
      }
      misses++;
      if (this.n === cap) {
        // Belady_evict: pop the farthest
        pos[this.heapObj[0]!] = -1;
        const last = --this.n;
        if (last > 0) {
          this.heapObj[0] = this.heapObj[last]!;
          this.heapKey[0] = this.heapKey[last]!;
          pos[this.heapObj[0]!] = 0;
          this.siftDown(0);
        }
      }
      const k = this.n++;
      this.heapObj[k] = x;
      this.heapKey[k] = key;
      pos[x] = k;
      this.siftUp(k);
    }
    return misses;
  }

  private siftUp(k: number): void {
    const ho = this.heapObj;
    const hk = this.heapKey;
    const pos = this.pos;
    const o = ho[k]!;
    const key = hk[k]!;
    while (k > 0) {
      const parent = (k - 1) >> 1;
      if (hk[parent]! >= key) break;
      ho[k] = ho[parent]!;
      hk[k] = hk[parent]!;
      pos[ho[k]!] = k;
      k = parent;
    }
    ho[k] = o;
    hk[k] = key;
    pos[o] = k;
  }

  private siftDown(k: number): void {
    const ho = this.heapObj;
    const hk = this.heapKey;
    const pos = this.pos;
    const n = this.n;
    const o = ho[k]!;
    const key = hk[k]!;
    for (;;) {
      let c = 2 * k + 1;
      if (c >= n) break;
      if (c + 1 < n && hk[c + 1]! > hk[c]!) c++;
      if (hk[c]! <= key) break;
      ho[k] = ho[c]!;
      hk[k] = hk[c]!;
      pos[ho[k]!] = k;
      k = c;
    }
    ho[k] = o;
    hk[k] = key;
    pos[o] = k;
  }

  resident(): number {
    return this.n;
  }

  validate(): string[] {
    const p: string[] = [];
    for (let k = 0; k < this.n; k++) {
      if (this.pos[this.heapObj[k]!] !== k) p.push(`belady: object ${this.heapObj[k]} at heap slot ${k} has position ${this.pos[this.heapObj[k]!]}`);
      if (k > 0 && this.heapKey[(k - 1) >> 1]! < this.heapKey[k]!) p.push(`belady: heap order broken at slot ${k}`);
    }
    let count = 0;
    for (let o = 0; o < this.pos.length; o++) if (this.pos[o]! >= 0) count++;
    if (count !== this.n) p.push(`belady: ${count} objects have a heap position, the heap holds ${this.n}`);
    return p;
  }
}

export const belady: CacheAlgorithmFactory = Object.freeze({
  name: "belady",
  description: "Belady's OPT: evicts the object requested farthest in the future (needs oracleGeneral's next-access field)",
  libCacheSimName: "belady",
  needsNextAccess: true,
  create: (capacity: number) => new Belady(capacity),
});
