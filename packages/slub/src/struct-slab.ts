// Kernel: mm/slab.h (struct slab, SLUB part; v6.1) — the slab table, and the word store where free pointers live
/*
 * In 6.1 `struct slab` overlays the `struct page` of a slab's first page. mmsim keeps it in a
 * table of its own, a struct of arrays indexed by *slab id*, because slabs are not pages: a
 * slab is 2^order pages, and its fields (freelist, inuse, objects, frozen, slab_cache,
 * slab_list, next/slabs for the CPU partial chain) would not fit MemMap's arrays. The table
 * grows by doubling and recycles the ids of freed slabs. Each page of a live slab links back
 * to it through `MemMap.private[page] = id + 1` (0 = no slab), the way `virt_to_slab()` finds
 * the slab from any address in it; `private` belongs to the page's owner while the page is
 * allocated, and is reset to 0 before the pages go back.
 *
 * Some ids are list heads, not slabs (`cache[id] = HEAD`): kmem_cache_node's `partial` and
 * `full` lists and shrink's scratch lists are circular lists over `listNext`/`listPrev`, so the
 * core list.h verbs apply unchanged.
 *
 * Free pointers of caches without slub_debug live in one word store `fpw` (Float64Array):
 * object `i` of slab `id` owns word `fpBase[id] + i`, which holds what the kernel stores at
 * `object + s->offset` while the object is free: the next free object's address (0 = NULL, < 0
 * = a wild pointer). An id keeps its word range when it is recycled, and gets a larger one
 * only when a slab with more objects reuses it. Debug caches keep their objects' real bytes
 * instead (`bytes[id]`, one Uint8Array per slab) and their free pointers inside them.
 */
import { NIL_PAGE, growTypedArray } from "@mmsim/core";

/** `cache[id]` of an unused id. */
export const SLAB_UNUSED = -1;
/** `cache[id]` of a list head. */
export const SLAB_HEAD = -2;
/** "No slab" (the kernel's NULL struct slab *). */
export const NIL_SLAB = -1;


/** Every slab of one allocator (all caches), as arrays indexed by slab id. */
export class SlubSlabTable {
  /** Slots allocated. */
  cap = 0;
  /** Ids ever handed out (the high-water mark). */
  top = 0;
  /** First PFN of the slab; -1 when unused. */
  pfn: Int32Array = new Int32Array(0);
  /** `slab_cache` (cache id), SLAB_UNUSED or SLAB_HEAD. */
  cache: Int32Array = new Int32Array(0);
  /** Order of the slab's pages (the cache's `oo` or `min` order). */
  order: Int32Array = new Int32Array(0);
  /** `slab_nid()`. */
  nid: Int32Array = new Int32Array(0);
  /** `objects` (u15 in the kernel). */
  objects: Int32Array = new Int32Array(0);
  /** `inuse` (u16 in the kernel): objects not on `freelist`. */
  inuse: Int32Array = new Int32Array(0);
  /** `frozen`: 1 while a CPU owns the slab (its CPU slab, or on its partial chain). */
  frozen: Uint8Array = new Uint8Array(0);
  /** `freelist`: first free object (address; 0 = NULL; < 0 = wild). */
  freelist: Float64Array = new Float64Array(0);
  /** Address of object 0: the slab's first byte + red_left_pad (`fixup_red_left()`). */
  base: Float64Array = new Float64Array(0);
  /** `slab_list` on a node's partial or full list (or a head's own links); NIL_PAGE when on none. */
  listNext: Int32Array = new Int32Array(0);
  listPrev: Int32Array = new Int32Array(0);
  /** `next`: the next slab on a CPU partial chain; NIL_SLAB at the end. */
  next: Int32Array = new Int32Array(0);
  /** `slabs`: slabs on the CPU partial chain from this one to its end. */
  slabs: Int32Array = new Int32Array(0);
  /** First word of the slab's range in `fpw`, and the range's length. */
  fpBase: Int32Array = new Int32Array(0);
  fpCap: Int32Array = new Int32Array(0);
  /** The slab's bytes, for debug caches only. */
  readonly bytes: (Uint8Array | undefined)[] = [];
  /** Free pointers of non-debug caches; see the file header. */
  fpw: Float64Array = new Float64Array(0);
  /** Words of fpw handed out. */
  fpTop = 0;
  /** Ids of freed slabs, ready for reuse (a stack). */
  private freeIds: Int32Array = new Int32Array(0);
  private nFree = 0;
  /** Slabs in use (not heads). */
  live = 0;

  private grow(n: number): void {
    this.pfn = growTypedArray(this.pfn, n, -1);
    this.cache = growTypedArray(this.cache, n, SLAB_UNUSED);
    this.order = growTypedArray(this.order, n, 0);
    this.nid = growTypedArray(this.nid, n, 0);
    this.objects = growTypedArray(this.objects, n, 0);
    this.inuse = growTypedArray(this.inuse, n, 0);
    const fr = new Uint8Array(n);
    fr.set(this.frozen);
    this.frozen = fr;
    this.freelist = growTypedArray(this.freelist, n);
    this.base = growTypedArray(this.base, n);
    this.listNext = growTypedArray(this.listNext, n, NIL_PAGE);
    this.listPrev = growTypedArray(this.listPrev, n, NIL_PAGE);
    this.next = growTypedArray(this.next, n, NIL_SLAB);
    this.slabs = growTypedArray(this.slabs, n, 0);
    this.fpBase = growTypedArray(this.fpBase, n, 0);
    this.fpCap = growTypedArray(this.fpCap, n, 0);
    this.freeIds = growTypedArray(this.freeIds, n, 0);
    this.cap = n;
  }

  /** Takes an id for a new slab (recycled if possible). The caller fills every field. */
  allocSlab(): number {
    let id: number;
    if (this.nFree > 0) id = this.freeIds[--this.nFree]!;
    else {
      if (this.top === this.cap) this.grow(Math.max(64, this.cap * 2));
      id = this.top++;
    }
    this.live++;
    return id;
  }

  /** Gives a slab's id back. */
  freeSlab(id: number): void {
    this.cache[id] = SLAB_UNUSED;
    this.pfn[id] = -1;
    this.frozen[id] = 0;
    this.freelist[id] = 0;
    this.next[id] = NIL_SLAB;
    this.listNext[id] = NIL_PAGE;
    this.listPrev[id] = NIL_PAGE;
    this.bytes[id] = undefined;
    this.freeIds[this.nFree++] = id;
    this.live--;
  }

  /** Takes an id for a list head, initialised as an empty list (`INIT_LIST_HEAD`). */
  allocHead(): number {
    if (this.top === this.cap) this.grow(Math.max(64, this.cap * 2));
    const id = this.top++;
    this.cache[id] = SLAB_HEAD;
    this.listNext[id] = id;
    this.listPrev[id] = id;
    return id;
  }

  /** Makes sure slab `id` owns at least `n` free-pointer words. */
  reserveWords(id: number, n: number): void {
    if (this.fpCap[id]! >= n) return;
    if (this.fpTop + n > this.fpw.length) {
      let len = Math.max(1024, this.fpw.length * 2);
      while (len < this.fpTop + n) len *= 2;
      this.fpw = growTypedArray(this.fpw, len);
    }
    this.fpBase[id] = this.fpTop;
    this.fpCap[id] = n;
    this.fpTop += n;
  }

  /** Bytes of simulator memory held by the table and the word store (for benchmarks). */
  byteSize(): number {
    let b = this.cap * (4 * 13 + 1 + 8 * 2) + this.fpw.length * 8;
    for (let i = 0; i < this.top; i++) b += this.bytes[i]?.length ?? 0;
    return b;
  }
}
