// Kernel: mm/zsmalloc.c (v6.1) — zsmalloc's size classes (get_pages_per_zspage, get_size_class_index, class merging, huge_class_size) and the pool's page count (zs_get_total_pages, NR_ZSPAGES), approximated
/*
 * zsmalloc keeps compressed objects in "zspages" of 1..4 physical pages per size class: 255
 * classes 16 bytes apart from 32 to 4096 bytes (ZS_SIZE_CLASS_DELTA = PAGE_SIZE >> 8), each
 * with the zspage size that wastes least (get_pages_per_zspage); neighbouring classes with the
 * same pages per zspage and objects per zspage are merged into the larger one. An object of n
 * bytes takes n + ZS_HANDLE_SIZE in the class get_size_class_index(n + 8) names. Objects of
 * huge_class_size or more go to a class of one object per page: zram stores those uncompressed.
 *
 * The approximation (what mem_used_total reports): each class holds exactly
 * ceil(objects / objs_per_zspage) zspages — perfect packing, as if zs_compact ran after every
 * free. The kernel frees a zspage only when its last object goes, so after frees its
 * mem_used_total is higher than this by the fragmentation compaction would remove
 * (pages_compacted stays 0 here). The zspage pages are real pages from the page allocator
 * (zram's GFP: __GFP_KSWAPD_RECLAIM | __GFP_NOWARN | __GFP_HIGHMEM | __GFP_MOVABLE, then
 * GFP_NOIO on a retry), counted in NR_ZSPAGES, so compressed swap takes memory from the board
 * as it does on the real one.
 */
import {
  MAX_NR_ZONES, NIL_PFN, NR_ZSPAGES, PAGE_SIZE, type MemMap, type PageAllocator, type VmStat, pageToNid, pageZonenum,
} from "@mmsim/core";

/** Kernel: `ZS_MAX_ZSPAGE_ORDER` 2: up to 4 pages per zspage. */
export const ZS_MAX_PAGES_PER_ZSPAGE = 4;
/** Kernel: `ZS_MIN_ALLOC_SIZE` (max(32, 4 pages >> OBJ_INDEX_BITS)). */
export const ZS_MIN_ALLOC_SIZE = 32;
/** Kernel: `ZS_MAX_ALLOC_SIZE` (PAGE_SIZE). */
export const ZS_MAX_ALLOC_SIZE = PAGE_SIZE;
/** Kernel: `ZS_SIZE_CLASS_DELTA` (PAGE_SIZE >> CLASS_BITS 8). */
export const ZS_SIZE_CLASS_DELTA = 16;
/** Kernel: `ZS_SIZE_CLASSES`. */
export const ZS_SIZE_CLASSES = Math.ceil((ZS_MAX_ALLOC_SIZE - ZS_MIN_ALLOC_SIZE) / ZS_SIZE_CLASS_DELTA) + 1;
/** Kernel: `ZS_HANDLE_SIZE` (sizeof(unsigned long)). */
export const ZS_HANDLE_SIZE = 8;

/** Kernel: `get_pages_per_zspage()`: the zspage size (pages) with the highest used percentage. */
export function getPagesPerZspage(classSize: number): number {
  let maxUsedpc = 0;
  let maxUsedpcOrder = 1;
  for (let i = 1; i <= ZS_MAX_PAGES_PER_ZSPAGE; i++) {
    const zspageSize = i * PAGE_SIZE;
    const waste = zspageSize % classSize;
    const usedpc = Math.floor(((zspageSize - waste) * 100) / zspageSize);
    if (usedpc > maxUsedpc) {
      maxUsedpc = usedpc;
      maxUsedpcOrder = i;
    }
  }
  return maxUsedpcOrder;
}

/** Kernel: `get_size_class_index()`. */
export function getSizeClassIndex(size: number): number {
  let idx = 0;
  if (size > ZS_MIN_ALLOC_SIZE) idx = Math.ceil((size - ZS_MIN_ALLOC_SIZE) / ZS_SIZE_CLASS_DELTA);
  return Math.min(ZS_SIZE_CLASSES - 1, idx);
}

/** The classes of a pool, as zs_create_pool sets them up. */
export interface ZsClasses {
  /** For each class index: the index of the (merged) class that serves it. */
  readonly classOf: Uint8Array;
  /** For each class index: its object size, pages per zspage, objects per zspage. */
  readonly size: Uint16Array;
  readonly pagesPerZspage: Uint8Array;
  readonly objsPerZspage: Uint16Array;
  /** Objects of this many bytes or more land in a huge class. Kernel: `huge_class_size` (zs_huge_class_size). */
  readonly hugeClassSize: number;
}

/** Builds the class table from the largest class down, merging as zs_create_pool does. */
export function zsCreateClasses(): ZsClasses {
  const classOf = new Uint8Array(ZS_SIZE_CLASSES);
  const size = new Uint16Array(ZS_SIZE_CLASSES);
  const ppz = new Uint8Array(ZS_SIZE_CLASSES);
  const opz = new Uint16Array(ZS_SIZE_CLASSES);
  let huge = 0;
  let prev = -1;
  for (let i = ZS_SIZE_CLASSES - 1; i >= 0; i--) {
    let s = ZS_MIN_ALLOC_SIZE + i * ZS_SIZE_CLASS_DELTA;
    if (s > ZS_MAX_ALLOC_SIZE) s = ZS_MAX_ALLOC_SIZE;
    const pages = getPagesPerZspage(s);
    const objs = Math.floor((pages * PAGE_SIZE) / s);
    if (pages !== 1 && objs !== 1 && huge === 0) huge = s - (ZS_HANDLE_SIZE - 1);
    size[i] = s;
    ppz[i] = pages;
    opz[i] = objs;
    if (prev >= 0 && ppz[prev] === pages && opz[prev] === objs) {
      classOf[i] = prev; // can_merge: served by the larger class
      continue;
    }
    classOf[i] = i;
    prev = i;
  }
  return { classOf, size, pagesPerZspage: ppz, objsPerZspage: opz, hugeClassSize: huge };
}

/** One zs_pool's page accounting (perfect packing; see the header). */
export class ZsPool {
  readonly classes: ZsClasses;
  /** Objects per class. */
  private readonly objs: Float64Array;
  /** zspages per class. */
  private readonly zspages: Float64Array;
  /** The pfns of each class's zspage pages, a stack per class. */
  private readonly pfns: Int32Array[] = [];
  private readonly nrPfns: Int32Array;
  /** Kernel: `pool->pages_allocated`. */
  pagesAllocated = 0;

  constructor(
    private readonly mem: MemMap,
    private readonly pages: PageAllocator,
    private readonly vmstat: VmStat,
    private readonly cpu: () => number,
  ) {
    this.classes = zsCreateClasses();
    this.objs = new Float64Array(ZS_SIZE_CLASSES);
    this.zspages = new Float64Array(ZS_SIZE_CLASSES);
    this.nrPfns = new Int32Array(ZS_SIZE_CLASSES);
    for (let i = 0; i < ZS_SIZE_CLASSES; i++) this.pfns.push(new Int32Array(0));
  }

  /** The class an object of `size` bytes goes to (its handle included). */
  classFor(size: number): number {
    return this.classes.classOf[getSizeClassIndex(size + ZS_HANDLE_SIZE)]!;
  }

  /**
   * Room for one object of `size` bytes in class `cls` (classFor): a new zspage when the class's
   * are full. Kernel: `zs_malloc()` (alloc_zspage: pages_per_zspage pages, each NR_ZSPAGES).
   * @returns true, or false when a page could not be allocated with `gfp`
   */
  malloc(cls: number, gfp: number): boolean {
    const c = this.classes;
    if (this.objs[cls]! + 1 > this.zspages[cls]! * c.objsPerZspage[cls]!) {
      const n = c.pagesPerZspage[cls]!;
      let st = this.pfns[cls]!;
      if (st.length < this.nrPfns[cls]! + n) {
        const g = new Int32Array(Math.max(16, st.length * 2, this.nrPfns[cls]! + n));
        g.set(st);
        this.pfns[cls] = st = g;
      }
      const base = this.nrPfns[cls]!;
      for (let i = 0; i < n; i++) {
        const pfn = this.pages.allocPages(gfp, 0, this.cpu());
        if (pfn === NIL_PFN) {
          for (let k = 0; k < i; k++) this.freePage(st[base + k]!);
          return false;
        }
        st[base + i] = pfn;
        this.zoneStat(pfn, 1);
      }
      this.nrPfns[cls] = base + n;
      this.zspages[cls]!++;
      this.pagesAllocated += n;
    }
    this.objs[cls]!++;
    return true;
  }

  /** One object of class `cls` is freed; a zspage no longer needed goes back. Kernel: `zs_free()` (+ compaction, see the header). */
  free(cls: number): void {
    const c = this.classes;
    this.objs[cls]!--;
    if (this.objs[cls]! <= (this.zspages[cls]! - 1) * c.objsPerZspage[cls]!) {
      const n = c.pagesPerZspage[cls]!;
      const st = this.pfns[cls]!;
      for (let i = 0; i < n; i++) this.freePage(st[--this.nrPfns[cls]!]!);
      this.zspages[cls]!--;
      this.pagesAllocated -= n;
    }
  }

  /** Frees every zspage (zs_destroy_pool). */
  destroy(): void {
    for (let cls = 0; cls < ZS_SIZE_CLASSES; cls++) {
      const st = this.pfns[cls]!;
      while (this.nrPfns[cls]! > 0) this.freePage(st[--this.nrPfns[cls]!]!);
      this.objs[cls] = 0;
      this.zspages[cls] = 0;
    }
    this.pagesAllocated = 0;
  }

  /** Objects in class `cls` (tests). */
  objects(cls: number): number {
    return this.objs[cls]!;
  }

  private freePage(pfn: number): void {
    this.zoneStat(pfn, -1);
    this.pages.freePages(pfn, 0, this.cpu());
  }

  private zoneStat(pfn: number, delta: number): void {
    const page = this.mem.pfnToPage(pfn);
    this.vmstat.modZonePageState(pageToNid(this.mem, page) * MAX_NR_ZONES + pageZonenum(this.mem, page), NR_ZSPAGES, delta);
  }
}
