// Kernel: mm/slub.c (v6.1) get_freepointer(), set_freepointer(), check_valid_pointer(), virt_to_slab() — the free pointer inside the free object
/*
 * Hot file (STYLE C8). A free object holds the address of the next free object at
 * `object + s->offset`; mmsim keeps that word in the slab table's word store for caches
 * without slub_debug, and in the slab's real bytes for debug caches (slub-debug.ts encodes it
 * as the kernel does, obfuscated by CONFIG_SLAB_FREELIST_HARDENED).
 *
 * Pointer values: 0 is NULL; a positive number is a physical address (perhaps not an object of
 * the cache, after corruption); a negative number is a wild pointer, an index into
 * SlubAllocator.wild (a 64-bit value that maps to no RAM), made only by simulated memory
 * corruption. Reading the free pointer of such a pointer would fault in the kernel: getFreepointer()
 * returns FP_FAULT and the caller reports the Oops.
 *
 * Reading a free pointer from memory that is not a free-pointer word of the cache (another
 * cache's slab, a page that is no slab, the middle of an object) gives NULL in mmsim; the
 * kernel would read whatever bytes are there.
 */
import { PAGE_SIZE, PG_slab } from "@mmsim/core";
import { NIL_SLAB } from "./struct-slab.ts";
import { debugGetFreepointer, debugSetFreepointer } from "./slub-debug.ts";
import type { SlubAllocator } from "./slub.ts";

/** What getFreepointer() returns when the address itself cannot be read (the kernel faults). */
export const FP_FAULT = Number.NEGATIVE_INFINITY;

/**
 * The slab an address is in, or NIL_SLAB. Kernel: `virt_to_slab()` (NULL unless PageSlab).
 */
export function objToSlab(sa: SlubAllocator, addr: number): number {
  if (!(addr > 0)) return NIL_SLAB;
  const mem = sa.mem;
  const pfn = Math.floor(addr / PAGE_SIZE);
  if (pfn < mem.basePfn || pfn >= mem.endPfn) return NIL_SLAB;
  const page = pfn - mem.basePfn;
  if ((mem.flags[page]! & (1 << PG_slab)) === 0) return NIL_SLAB;
  const id = mem.private[page]! - 1;
  return id >= 0 && id < sa.slabs.top ? id : NIL_SLAB;
}

/**
 * Index of the object that starts exactly at `addr` in `slab`, or -1.
 * Kernel: `check_valid_pointer()` (same test: inside the slab's objects, on an object boundary).
 */
export function objIndex(sa: SlubAllocator, cache: number, slab: number, addr: number): number {
  const idx = (addr - sa.slabs.base[slab]!) / sa.caches.size[cache]!;
  if (idx >= 0 && idx < sa.slabs.objects[slab]! && (idx | 0) === idx) return idx;
  return -1;
}

/**
 * The free pointer stored in `obj`. Kernel: `get_freepointer()`.
 * @returns the next free object (0 = NULL, < 0 = wild), or FP_FAULT when `obj` is NULL or wild
 */
export function getFreepointer(sa: SlubAllocator, cache: number, obj: number): number {
  if (!(obj > 0)) return FP_FAULT;
  const slab = objToSlab(sa, obj);
  if (slab === NIL_SLAB) {
    const pfn = Math.floor(obj / PAGE_SIZE);
    return sa.mem.pfnValid(pfn) ? 0 : FP_FAULT;
  }
  if (sa.slabs.cache[slab] !== cache) return 0;
  if (sa.caches.debug[cache] === 1) return debugGetFreepointer(sa, cache, slab, obj);
  const idx = objIndex(sa, cache, slab, obj);
  if (idx < 0) return 0;
  return sa.slabs.fpw[sa.slabs.fpBase[slab]! + idx]!;
}

/**
 * Stores `fp` as `obj`'s free pointer. Kernel: `set_freepointer()`, with
 * CONFIG_SLAB_FREELIST_HARDENED's `BUG_ON(object == fp)`.
 * @returns false when that BUG_ON fires (the caller reports it and abandons the operation)
 */
export function setFreepointer(sa: SlubAllocator, cache: number, obj: number, fp: number): boolean {
  if (sa.hardened && obj === fp) return false;
  const slab = objToSlab(sa, obj);
  if (slab === NIL_SLAB || sa.slabs.cache[slab] !== cache) return true;
  if (sa.caches.debug[cache] === 1) {
    debugSetFreepointer(sa, cache, slab, obj, fp);
    return true;
  }
  const idx = objIndex(sa, cache, slab, obj);
  if (idx >= 0) sa.slabs.fpw[sa.slabs.fpBase[slab]! + idx] = fp;
  return true;
}

/**
 * Counts a freelist from `head`, at most `limit` steps (a cycle would make the kernel loop
 * forever; mmsim stops at `limit`). Stops at a pointer that cannot be followed.
 */
export function freelistLength(sa: SlubAllocator, cache: number, head: number, limit: number): number {
  let n = 0;
  let p = head;
  while (p !== 0 && n <= limit) {
    if (p < 0) return n;
    n++;
    const next = getFreepointer(sa, cache, p);
    if (next === FP_FAULT) return n;
    p = next;
  }
  return n;
}
