// Kernel: include/linux/mm_types.h (struct page), include/asm-generic/memory_model.h (pfn_to_page)
/*
 * MemMap is the simulated `mem_map`: one `struct page` per physical frame, stored as a struct of
 * typed arrays (one array per field, STYLE C6), allocated once at boot and never grown.
 *
 * Page index ("page"): simulator code passes a page around as a number, the index into these
 * arrays, where the kernel passes a `struct page *`. The conversion is the kernel's for
 * SPARSEMEM_VMEMMAP on arm64, whose vmemmap is offset by the first PFN of RAM:
 *
 *     page = pfn - basePfn          (pfn_to_page)
 *     pfn  = page + basePfn         (page_to_pfn)
 *
 * basePfn is the lowest PFN of memblock.memory (arm64: memstart_addr >> PAGE_SHIFT), and the
 * arrays span [basePfn, basePfn + nrPages) including any holes between banks (holes cost their
 * bytes, as FLATMEM's node_mem_map would; mmsim keeps one flat array for speed).
 *
 * List heads (STYLE C7): the `lruNext`/`lruPrev` link arrays have `nrListHeads` extra slots
 * after the last page. A list head is such a slot (`nrPages + k`), so every list is circular
 * like the kernel's `list_head` and the list.h verbs need no branch. A page that is on no list
 * has NIL links (the kernel's LIST_POISON after list_del).
 *
 * Initial state of every page (`__init_single_page()`): flags 0, refcount 1, mapcount -1
 * (unmapped, no page_type), private 0, not on a list, mapping 0 (NULL), index 0, memcg 0.
 */
import { ArgumentError, describeValue } from "./errors.ts";

/** "No page": what a lookup or an allocation returns when there is none. */
export const NIL_PFN = -1;
/** "No page" as a page index. */
export const NIL_PAGE = -1;

/** One per-frame array of MemMap: its kernel field, element width, and meaning. */
export interface MemMapField {
  readonly name: keyof MemMapArrays;
  readonly kernel: string;
  readonly bytes: number;
  readonly doc: string;
}

/** The per-frame arrays. */
export interface MemMapArrays {
  flags: Uint32Array;
  nodeZone: Uint16Array;
  refcount: Int32Array;
  mapcount: Int32Array;
  private: Int32Array;
  lruNext: Int32Array;
  lruPrev: Int32Array;
  mapping: Int32Array;
  index: Uint32Array;
  memcg: Uint16Array;
}

/** What MemMap is sized from. */
export interface MemMapOptions {
  /** First PFN covered (lowest PFN of RAM). */
  readonly basePfn: number;
  /** Frames covered, holes included. */
  readonly nrPages: number;
  /** List-head slots to reserve after the pages (free lists, pcp lists, LRU lists). */
  readonly nrListHeads: number;
}

/** Largest number of frames + heads a MemMap can index with Int32 links (2^31 - 1). */
export const MEMMAP_MAX_SLOTS = 0x7fffffff;

/** The simulated mem_map. */
export class MemMap implements MemMapArrays {
  /** Every per-frame array, in declaration order; bytesPerFrame() is computed from it. */
  static readonly FIELDS: readonly MemMapField[] = Object.freeze([
    { name: "flags", kernel: "page->flags (PG_* bits)", bytes: 4, doc: "bit n = PG_* flag n (page-flags.ts); 0 = none" },
    { name: "nodeZone", kernel: "page->flags upper fields (NODES_PGSHIFT, ZONES_PGSHIFT)", bytes: 2, doc: "(nid << ZONES_SHIFT) | zone id" },
    { name: "refcount", kernel: "page->_refcount", bytes: 4, doc: "references; 0 = free" },
    { name: "mapcount", kernel: "page->_mapcount / page->page_type (union)", bytes: 4, doc: "PTE mappings - 1 (-1 = unmapped); or a page_type with its bit cleared under PAGE_TYPE_BASE" },
    { name: "private", kernel: "page->private", bytes: 4, doc: "buddy order when PageBuddy; owner-defined otherwise" },
    { name: "lruNext", kernel: "page->lru.next (also buddy_list, pcp_list)", bytes: 4, doc: "next slot on the page's list; NIL (-1) when on none" },
    { name: "lruPrev", kernel: "page->lru.prev", bytes: 4, doc: "previous slot; NIL (-1) when on none" },
    { name: "mapping", kernel: "page->mapping", bytes: 4, doc: "id of an address_space (> 0) or anon_vma (< 0, PAGE_MAPPING_ANON); 0 = NULL" },
    { name: "index", kernel: "page->index", bytes: 4, doc: "offset in the mapping, in pages" },
    { name: "memcg", kernel: "page->memcg_data", bytes: 2, doc: "memory cgroup id; 0 = none (root)" },
  ]);

  /** Bytes of simulator memory per simulated frame, summed from FIELDS. */
  static bytesPerFrame(): number {
    let n = 0;
    for (const f of MemMap.FIELDS) n += f.bytes;
    return n;
  }

  readonly basePfn: number;
  readonly nrPages: number;
  readonly nrListHeads: number;
  /** One past the last PFN covered. */
  readonly endPfn: number;

  readonly flags: Uint32Array;
  readonly nodeZone: Uint16Array;
  readonly refcount: Int32Array;
  readonly mapcount: Int32Array;
  readonly private: Int32Array;
  readonly lruNext: Int32Array;
  readonly lruPrev: Int32Array;
  readonly mapping: Int32Array;
  readonly index: Uint32Array;
  readonly memcg: Uint16Array;

  /** Next list-head slot not yet handed out by allocListHeads(). */
  private nextHead = 0;

  /**
   * Allocates every array once; sizes never change afterwards.
   * @throws ArgumentError if a size is not a non-negative integer or the slots exceed 2^31 - 1
   */
  constructor(opts: MemMapOptions) {
    const { basePfn, nrPages, nrListHeads } = opts;
    for (const [k, v] of [["basePfn", basePfn], ["nrPages", nrPages], ["nrListHeads", nrListHeads]] as const) {
      if (!Number.isSafeInteger(v) || v < 0) throw new ArgumentError("core.MemMap", k, "an integer ≥ 0", describeValue(v));
    }
    if (nrPages + nrListHeads > MEMMAP_MAX_SLOTS || basePfn + nrPages > MEMMAP_MAX_SLOTS) {
      throw new ArgumentError("core.MemMap", "nrPages", `pages + list heads and the last PFN ≤ ${MEMMAP_MAX_SLOTS} (8 TiB of 4 KiB frames)`, `${nrPages} pages from PFN ${basePfn}`);
    }
    this.basePfn = basePfn;
    this.nrPages = nrPages;
    this.nrListHeads = nrListHeads;
    this.endPfn = basePfn + nrPages;
    this.flags = new Uint32Array(nrPages);
    this.nodeZone = new Uint16Array(nrPages);
    this.refcount = new Int32Array(nrPages).fill(1);
    this.mapcount = new Int32Array(nrPages).fill(-1);
    this.private = new Int32Array(nrPages);
    this.lruNext = new Int32Array(nrPages + nrListHeads).fill(NIL_PAGE);
    this.lruPrev = new Int32Array(nrPages + nrListHeads).fill(NIL_PAGE);
    this.mapping = new Int32Array(nrPages);
    this.index = new Uint32Array(nrPages);
    this.memcg = new Uint16Array(nrPages);
  }

  /** Per-frame bytes of this MemMap (same as the static figure). */
  bytesPerFrame(): number {
    return MemMap.bytesPerFrame();
  }

  /** Bytes held by all arrays, list-head slots included. */
  totalBytes(): number {
    return this.nrPages * MemMap.bytesPerFrame() + this.nrListHeads * 8;
  }

  /** Page index of a PFN (no range check). Kernel: `pfn_to_page()`. */
  pfnToPage(pfn: number): number {
    return pfn - this.basePfn;
  }

  /** PFN of a page index (no range check). Kernel: `page_to_pfn()`. */
  pageToPfn(page: number): number {
    return page + this.basePfn;
  }

  /** True when the PFN has a struct page here. Kernel: `pfn_valid()` (holes inside count as valid). */
  pfnValid(pfn: number): boolean {
    return pfn >= this.basePfn && pfn < this.endPfn;
  }

  /** Slot of list head `k` (0 ≤ k < nrListHeads). */
  headSlot(k: number): number {
    return this.nrPages + k;
  }

  /**
   * Hands out `n` consecutive list-head slots, each initialised as an empty list
   * (`INIT_LIST_HEAD`). Called at boot by each structure that owns lists.
   * @returns the slot of the first head; the others follow it
   * @throws ArgumentError when fewer than `n` heads remain (size the MemMap with more)
   */
  allocListHeads(n: number): number {
    if (!Number.isSafeInteger(n) || n < 0 || this.nextHead + n > this.nrListHeads) {
      throw new ArgumentError("core.MemMap.allocListHeads", "n", `≤ ${this.nrListHeads - this.nextHead} remaining list heads`, describeValue(n));
    }
    const first = this.nrPages + this.nextHead;
    for (let s = first; s < first + n; s++) {
      this.lruNext[s] = s;
      this.lruPrev[s] = s;
    }
    this.nextHead += n;
    return first;
  }

  /** List heads handed out so far. */
  get listHeadsUsed(): number {
    return this.nextHead;
  }
}
