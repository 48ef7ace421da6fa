// mmsim: an example of a user's own cache algorithm for `mmsim replay`, loaded from a file (no kernel counterpart)
/*
 * MRU — evict the most recently used object — the algorithm that wins on loops larger than the
 * cache, where LRU misses every time. It keeps the semantics every baseline keeps (capacity in
 * objects, every miss inserts, compulsory misses count) and the house style: per-object state in
 * typed arrays indexed by the dense object number, grown by `grow`, nothing allocated per request.
 *
 * Use it:   mmsim replay <trace> --algo lru,./examples/mru-cache/mru.mjs --size 1%,10%
 * The default export is a CacheAlgorithmFactory: { name, description, create(capacity) }.
 * `PerRequestCache` runs `access(obj, nextAccess)` for each request; an algorithm that wants its
 * own loop implements `replay(batch)` instead (see @mmsim/cachesim's Lru).
 */
import { PerRequestCache, growInt32 } from "@mmsim/cachesim";

export class Mru extends PerRequestCache {
  name = "mru";
  /** 1 + the slot of each resident object in `slots`, 0 when absent. */
  where = new Int32Array(0);
  slots;
  n = 0;
  /** The slot of the most recently used object. */
  last = -1;

  constructor(capacity) {
    super(capacity);
    this.slots = new Int32Array(capacity);
  }

  grow(_from, to) {
    this.where = growInt32(this.where, Math.max(to, this.where.length * 2), 0);
  }

  access(obj) {
    const w = this.where[obj];
    if (w !== 0) {
      this.last = w - 1;
      return true;
    }
    let slot;
    if (this.n < this.capacity) slot = this.n++;
    else {
      // evict the most recently used object and take its slot
      slot = this.last;
      this.where[this.slots[slot]] = 0;
    }
    this.slots[slot] = obj;
    this.where[obj] = slot + 1;
    this.last = slot;
    return false;
  }

  resident() {
    return this.n;
  }
}

export default {
  name: "mru",
  description: "MRU: evicts the most recently used object (an example of a user's algorithm)",
  create: (capacity) => new Mru(capacity),
};
