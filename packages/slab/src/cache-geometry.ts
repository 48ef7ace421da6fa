// Kernel: mm/slab.c (v6.1): __kmem_cache_create's size and alignment, cache_estimate, calculate_slab_order, set_{objfreelist,off,on}_slab_cache, enable_cpucache's table
/*
 * How SLAB lays out a cache, computed once at creation from the object size, the alignment
 * slab_common calculated, and the flags. Pure functions: no state, no allocation of slabs.
 *
 * arm64, 4 KiB pages, 6.1:
 *   - KMALLOC_MIN_SIZE = ARCH_KMALLOC_MINALIGN = 128, so SLAB_OBJ_MIN_SIZE = 16 and
 *     FREELIST_BYTE_INDEX = ((PAGE_SIZE >> 8) <= 16) = 1: freelist_idx_t is one byte and a slab
 *     holds at most SLAB_OBJ_MAX_NUM = 255 objects (a compile-time choice, not per cache);
 *   - KMALLOC_SHIFT_HIGH = PAGE_SHIFT + 1 (6.1 sends larger kmallocs to the page allocator for
 *     SLAB too), KMALLOC_MAX_CACHE_SIZE = 8192; KMALLOC_SHIFT_MAX = MAX_ORDER + PAGE_SHIFT - 1 = 22,
 *     so calculate_slab_order tries orders 0..KMALLOC_MAX_ORDER = 10;
 *   - cache_line_size() = 64 (Cortex-A57's CTR_EL0.CWG), the colour step.
 *
 * Freelist placement, tried in this order (__kmem_cache_create):
 *   1. CFLGS_OBJFREELIST_SLAB: the index array lives inside a free object (no ctor, not
 *      SLAB_TYPESAFE_BY_RCU, init_on_free off, and num bytes fit in the object);
 *   2. CFLGS_OFF_SLAB: the array is kmalloc'ed, when that kmalloc cache is small enough
 *      (≤ size / 2) and the on-slab left-over could not hold the array anyway;
 *   3. on-slab: the array takes the last freelist_size bytes of the slab.
 */
import { __GFP_COMP, __GFP_DMA, __GFP_DMA32, __GFP_RECLAIMABLE, PAGE_SIZE, SLAB_CACHE_DMA, SLAB_CACHE_DMA32, SLAB_NOLEAKTRACE, SLAB_POISON, SLAB_RECLAIM_ACCOUNT, SLAB_RED_ZONE, SLAB_STORE_USER, SLAB_TYPESAFE_BY_RCU } from "@mmsim/core";
import { SLAB_OBJ_MAX_NUM } from "./kmem-cache.ts";

/** sizeof(void *) on arm64. Kernel: `BYTES_PER_WORD`. */
export const BYTES_PER_WORD = 8;
/** max(BYTES_PER_WORD, __alignof__(unsigned long long)). Kernel: `REDZONE_ALIGN`. */
export const REDZONE_ALIGN = 8;
/** Kernel: `SLAB_OBJ_MIN_SIZE` = min(KMALLOC_MIN_SIZE, 16) with KMALLOC_MIN_SIZE 128. */
export const SLAB_OBJ_MIN_SIZE = 16;
/** sizeof(freelist_idx_t): 1 (FREELIST_BYTE_INDEX). */
export const FREELIST_IDX_SIZE = 1;
/** cache_line_size() of the reference CPU: the colour step. */
export const CACHE_LINE_SIZE = 64;
/** Kernel: `KMALLOC_MAX_ORDER` = KMALLOC_SHIFT_MAX - PAGE_SHIFT = 22 - 12. */
export const KMALLOC_MAX_ORDER = 10;
/** Kernel: `KMALLOC_MAX_CACHE_SIZE` = 1 << KMALLOC_SHIFT_HIGH = 1 << (PAGE_SHIFT + 1). */
export const KMALLOC_MAX_CACHE_SIZE = 8192;
/** Kernel: `SLAB_MAX_ORDER_HI` (slab_max_order above 32 MiB of RAM). */
export const SLAB_MAX_ORDER_HI = 1;
/** Kernel: `SLAB_MAX_ORDER_LO`. */
export const SLAB_MAX_ORDER_LO = 0;
/** Cache flag: the freelist lives inside a free object. Kernel: `CFLGS_OBJFREELIST_SLAB`. */
export const CFLGS_OBJFREELIST_SLAB = 0x40000000;
/** Cache flag: the freelist is kmalloc'ed off the slab. Kernel: `CFLGS_OFF_SLAB`. */
export const CFLGS_OFF_SLAB = 0x80000000;
/** Flags that turn on SLAB's DEBUG code for a cache in mmsim (CONFIG_DEBUG_SLAB's SLAB_DEBUG_FLAGS). */
export const SLAB_DEBUG_FLAGS = SLAB_RED_ZONE | SLAB_POISON | SLAB_STORE_USER;

/** Where an OFF_SLAB freelist would come from: the kmalloc caches the allocator already has. */
export interface FreelistCacheLookup {
  /** kmalloc_slab(bytes): the normal kmalloc cache for `bytes`, or -1 if there is none (yet). */
  find(bytes: number): number;
  /** That cache's `size`. */
  size(cacheId: number): number;
  /** OFF_SLAB(that cache). */
  offSlab(cacheId: number): boolean;
}

/** What __kmem_cache_create decides. */
export interface CacheLayout {
  /** Bytes per object slot (size). */
  readonly size: number;
  readonly align: number;
  /** Flags in effect: debug flags dropped when alignment forbids them, CFLGS_* added (unsigned). */
  readonly flags: number;
  readonly num: number;
  readonly gfporder: number;
  readonly colour: number;
  readonly colourOff: number;
  readonly freelistSize: number;
  readonly allocflags: number;
  /** obj_offset: 8 with SLAB_RED_ZONE, else 0. */
  readonly objOffset: number;
  /** The kmalloc cache OFF_SLAB freelists come from, or -1. */
  readonly freelistCache: number;
  /** Bytes per slab not used by objects (or the on-slab freelist). */
  readonly leftOver: number;
}

/** Objects per slab and left-over bytes at one order. Kernel: `cache_estimate()`. */
export function cacheEstimate(gfporder: number, bufferSize: number, flags: number): { num: number; leftOver: number } {
  const slabSize = PAGE_SIZE * 2 ** gfporder;
  if ((flags & (CFLGS_OBJFREELIST_SLAB | CFLGS_OFF_SLAB)) !== 0) {
    return { num: Math.floor(slabSize / bufferSize), leftOver: slabSize % bufferSize };
  }
  return { num: Math.floor(slabSize / (bufferSize + FREELIST_IDX_SIZE)), leftOver: slabSize % (bufferSize + FREELIST_IDX_SIZE) };
}

/** The inputs of calculate_slab_order that come from the cache. */
interface OrderInput {
  /** cachep->size while calculate_slab_order runs: still slab_common's object size. */
  readonly cachepSize: number;
  readonly slabMaxOrder: number;
  readonly lookup: FreelistCacheLookup;
}

/**
 * Picks the slab order and objects per slab. Kernel: `calculate_slab_order()`.
 * @returns num (0 when nothing fits), gfporder, left-over bytes, and the OFF_SLAB freelist cache
 */
export function calculateSlabOrder(inp: OrderInput, size: number, flags: number): { num: number; gfporder: number; leftOver: number; freelistCache: number } {
  let num = 0;
  let order = 0;
  let left = 0;
  let flc = -1;
  for (let gfporder = 0; gfporder <= KMALLOC_MAX_ORDER; gfporder++) {
    const est = cacheEstimate(gfporder, size, flags);
    if (!est.num) continue;
    // Can't handle number of objects more than SLAB_OBJ_MAX_NUM
    if (est.num > SLAB_OBJ_MAX_NUM) break;
    let candidate = -1;
    if ((flags & CFLGS_OFF_SLAB) !== 0) {
      const freelistSize = est.num * FREELIST_IDX_SIZE;
      // freelist_size > KMALLOC_MAX_CACHE_SIZE cannot happen: num ≤ 255 and the index is one byte.
      candidate = inp.lookup.find(freelistSize);
      if (candidate < 0) continue;
      // Needed to avoid possible looping condition in cache_grow_begin()
      if (inp.lookup.offSlab(candidate)) continue;
      // check if off slab has enough benefit
      if (inp.lookup.size(candidate) > Math.floor(inp.cachepSize / 2)) continue;
    }
    // Found something acceptable - save it away
    num = est.num;
    order = gfporder;
    left = est.leftOver;
    flc = candidate;
    // A VFS-reclaimable slab tends to have most allocations as GFP_NOFS
    if ((flags & SLAB_RECLAIM_ACCOUNT) !== 0) break;
    // Large number of objects is good, but very large slabs are currently bad for the gfp()s.
    if (gfporder >= inp.slabMaxOrder) break;
    // Acceptable internal fragmentation?
    if (left * 8 <= PAGE_SIZE * 2 ** gfporder) break;
  }
  return { num, gfporder: order, leftOver: left, freelistCache: flc };
}

/** What a cache is created with (slab_common has checked it and computed `align`). */
export interface CacheCreateInput {
  readonly objectSize: number;
  readonly align: number;
  readonly flags: number;
  readonly hasCtor: boolean;
  readonly slabMaxOrder: number;
  readonly lookup: FreelistCacheLookup;
  /** init_on_free (off in the reference: INIT_ON_FREE_DEFAULT_ON is not set). */
  readonly initOnFree?: boolean;
}

/**
 * The geometry part of `__kmem_cache_create()`: size, alignment, debug words, freelist placement,
 * order, objects per slab and colours. DEBUG code applies when the cache carries SLAB_RED_ZONE,
 * SLAB_POISON or SLAB_STORE_USER (mmsim's per-cache stand-in for CONFIG_DEBUG_SLAB).
 * @returns the layout, or undefined where the kernel returns -E2BIG
 */
export function kmemCacheLayout(inp: CacheCreateInput): CacheLayout | undefined {
  let flags = inp.flags >>> 0;
  let ralign = BYTES_PER_WORD;
  // Check that size is in terms of words.
  let size = alignUp(inp.objectSize, BYTES_PER_WORD);
  if ((flags & SLAB_RED_ZONE) !== 0) {
    ralign = REDZONE_ALIGN;
    size = alignUp(size, REDZONE_ALIGN);
  }
  // 3) caller mandated alignment
  if (ralign < inp.align) ralign = inp.align;
  // disable debug if necessary
  if (ralign > 8) flags = (flags & ~(SLAB_RED_ZONE | SLAB_STORE_USER)) >>> 0;
  const align = ralign;
  let colourOff = CACHE_LINE_SIZE;
  // Offset must be a multiple of the alignment.
  if (colourOff < align) colourOff = align;

  let objOffset = 0;
  if ((flags & SLAB_RED_ZONE) !== 0) {
    // add space for red zone words
    objOffset += 8;
    size += 2 * 8;
  }
  if ((flags & SLAB_STORE_USER) !== 0) size += (flags & SLAB_RED_ZONE) !== 0 ? REDZONE_ALIGN : BYTES_PER_WORD;

  size = alignUp(size, align);
  // We should restrict the number of objects in a slab to implement byte sized index.
  if (size < SLAB_OBJ_MIN_SIZE) size = alignUp(SLAB_OBJ_MIN_SIZE, align);

  const order: OrderInput = { cachepSize: inp.objectSize, slabMaxOrder: inp.slabMaxOrder, lookup: inp.lookup };
  let placed: { num: number; gfporder: number; leftOver: number; freelistCache: number } | undefined;
  let colour = 0;

  // set_objfreelist_slab_cache()
  if (!inp.initOnFree && !inp.hasCtor && (flags & SLAB_TYPESAFE_BY_RCU) === 0) {
    const r = calculateSlabOrder(order, size, flags | CFLGS_OBJFREELIST_SLAB);
    if (r.num && r.num * FREELIST_IDX_SIZE <= inp.objectSize) {
      colour = Math.floor(r.leftOver / colourOff);
      placed = r;
      flags = (flags | CFLGS_OBJFREELIST_SLAB) >>> 0;
    }
  }
  // set_off_slab_cache(): always on-slab with SLAB_NOLEAKTRACE (kmemleak recursion).
  if (!placed && (flags & SLAB_NOLEAKTRACE) === 0) {
    const r = calculateSlabOrder(order, size, (flags | CFLGS_OFF_SLAB) >>> 0);
    // If the slab has been placed off-slab, and we have enough space then move it on-slab.
    if (r.num && r.leftOver < r.num * FREELIST_IDX_SIZE) {
      colour = Math.floor(r.leftOver / colourOff);
      placed = r;
      flags = (flags | CFLGS_OFF_SLAB) >>> 0;
    }
  }
  // set_on_slab_cache()
  if (!placed) {
    const r = calculateSlabOrder(order, size, flags);
    if (r.num) {
      colour = Math.floor(r.leftOver / colourOff);
      placed = r;
    }
  }
  if (!placed) return undefined;

  let allocflags = __GFP_COMP;
  if ((flags & SLAB_CACHE_DMA) !== 0) allocflags |= __GFP_DMA;
  if ((flags & SLAB_CACHE_DMA32) !== 0) allocflags |= __GFP_DMA32;
  if ((flags & SLAB_RECLAIM_ACCOUNT) !== 0) allocflags |= __GFP_RECLAIMABLE;
  return {
    size,
    align,
    flags: flags >>> 0,
    num: placed.num,
    gfporder: placed.gfporder,
    colour,
    colourOff,
    freelistSize: placed.num * FREELIST_IDX_SIZE,
    allocflags,
    objOffset,
    freelistCache: (flags & CFLGS_OFF_SLAB) !== 0 ? placed.freelistCache : -1,
    leftOver: placed.leftOver,
  };
}

/** The per-CPU, batch and shared sizes SLAB picks for a cache. */
export interface CpucacheTunables {
  readonly limit: number;
  readonly batchcount: number;
  readonly shared: number;
}

/**
 * The head-array sizes for a cache of `size`-byte objects. Kernel: `enable_cpucache()`.
 * @param nrCpus num_possible_cpus()
 * @param debug the cache runs SLAB's DEBUG code (which caps limit at 32)
 */
export function enableCpucacheTunables(size: number, nrCpus: number, debug: boolean): CpucacheTunables {
  let limit: number;
  if (size > 131072) limit = 1;
  else if (size > PAGE_SIZE) limit = 8;
  else if (size > 1024) limit = 24;
  else if (size > 256) limit = 54;
  else limit = 120;
  // A shared array on SMP, for caches of objects up to a page.
  const shared = size <= PAGE_SIZE && nrCpus > 1 ? 8 : 0;
  if (debug && limit > 32) limit = 32;
  return { limit, batchcount: Math.floor((limit + 1) / 2), shared };
}

/** Rounds x up to a multiple of a (a power of two). Kernel: `ALIGN()`. */
function alignUp(x: number, a: number): number {
  return Math.ceil(x / a) * a;
}
