// Kernel: mm/slab.c (v6.1) DEBUG paths — cache_free_debugcheck, kfree_debugcheck, verify_redzone_free, cache_alloc_debugcheck_after, slab_error — and mm/slab.h's cache_from_obj/virt_to_cache warnings
/*
 * The cold half of the hot paths: everything that prints, and the argument errors of the API
 * edge. Messages are 6.1's, word for word; `%px` prints the object's linear-map address
 * (`__va(phys)` = PAGE_OFFSET + phys - PHYS_OFFSET, with arm64's 48-bit PAGE_OFFSET
 * 0xffff000000000000 and PHYS_OFFSET the first byte of RAM).
 *
 * SLAB's DEBUG code (CONFIG_DEBUG_SLAB, off in the reference config) runs in mmsim for each cache
 * that carries SLAB_RED_ZONE, SLAB_POISON or SLAB_STORE_USER. Objects have no bytes here, so
 * the two red-zone words of an object are one emulated state (RED_ACTIVE while allocated,
 * RED_INACTIVE while free); poisoning and the last-user word are not modelled.
 *
 * Where the kernel goes on after a report (verify_redzone_free only prints, then the object is
 * freed a second time) or BUG()s (an oops that kills the task), mmsim reports in the kernel's
 * words and does not perform the free, as the KmemCacheAllocator contract asks: the caches stay
 * consistent and the report is in the log.
 */
import { ArgumentError, KERN_CRIT, KERN_EMERG, PAGE_SIZE, SLAB_POISON, SLAB_RED_ZONE, describeValue, formatGfpFlags, GFP_SLAB_BUG_MASK } from "@mmsim/core";
import { FREEIDX_STRIDE, OBJ_RED_ACTIVE, OBJ_RED_INACTIVE, type SlabState } from "./kmem-cache.ts";
import { indexToObj, objToIndex, virtToSlab } from "./slab-alloc.ts";

/** arm64 48-bit VA: PAGE_OFFSET. */
const PAGE_OFFSET = 0xffff000000000000n;
/** Kernel: `RED_INACTIVE` and `RED_ACTIVE` (include/linux/poison.h), as %llx prints them. */
const RED_INACTIVE_HEX = "9f911029d74e35b";
const RED_ACTIVE_HEX = "d84156c5635688c0";

/** An object's address as `%px` prints it: its linear-map virtual address, 16 hex digits. */
export function px(s: SlabState, phys: number): string {
  const va = PAGE_OFFSET + BigInt(Math.max(0, Math.floor(phys)) - s.mem.basePfn * PAGE_SIZE);
  return va.toString(16).padStart(16, "0");
}

/** `kernel BUG at mm/slab.c:<line>!` and the oops line arm64's die() prints. Kernel: `BUG()`. */
export function slabBug(s: SlabState, file: string, line: number): void {
  const log = s.log;
  log.printk(KERN_EMERG, "------------[ cut here ]------------");
  log.printk(KERN_CRIT, `kernel BUG at ${file}:${line}!`);
  log.printk(KERN_EMERG, `Internal error: Oops - BUG: 00000000f2000800 [#${++s.oopsCount}] SMP`);
}

/** Kernel: `__slab_error()`: "slab error in <function>(): cache `<name>': <msg>". */
export function slabError(s: SlabState, fn: string, c: number, msg: string): void {
  s.log.prErr(`slab error in ${fn}(): cache \`${s.cacheName[c]}': ${msg}`);
}

/**
 * An object was freed to the wrong cache (CONFIG_SLAB_FREELIST_HARDENED). Kernel: the WARN in
 * `cache_from_obj()` (mm/slab.h:660); SLAB's print_tracking() prints nothing.
 */
export function reportWrongCache(s: SlabState, c: number, real: number, _obj: number): void {
  s.log.warn("mm/slab.h:660 kmem_cache_free", `cache_from_obj: Wrong slab cache. ${s.cacheName[c]} but object is from ${s.cacheName[real]}`);
}

/** The address is in no slab page. Kernel: the WARN_ONCE in `virt_to_cache()` (mm/slab.h:625). */
export function reportNotSlabPage(s: SlabState, _obj: number): void {
  s.log.warnOnce("slab:virt_to_cache", "mm/slab.h:625 virt_to_cache", "virt_to_cache: Object is not a Slab page!");
}

/** The same object freed twice in a row. Kernel: `WARN_ON_ONCE` in `__free_one()` (mm/slab.c:597). */
export function warnTrivialDoubleFree(s: SlabState): void {
  s.log.warnOnce("slab:__free_one", "mm/slab.c:597 ___cache_free");
}

/**
 * free_block() met an address in no slab: the kernel would fault on it. mmsim drops it and says
 * so once per cache (the state is already corrupt; validate() reports the damage).
 */
export function reportLostObject(s: SlabState, c: number, obj: number): void {
  if (s.lostReported[c] !== 0) return;
  s.lostReported[c] = 1;
  s.log.prErr(`mmsim: slab: free_block: ${px(s, obj)} from cache \`${s.cacheName[c]}' is in no slab (the kernel would fault here); dropped`);
}

/** A GFP mask a slab must not get. Kernel: `kmalloc_fix_flags()` (mm/slab_common.c). @returns the fixed mask */
export function kmallocFixFlags(s: SlabState, flags: number): number {
  const invalid = (flags & GFP_SLAB_BUG_MASK) >>> 0;
  const fixed = (flags & ~GFP_SLAB_BUG_MASK) >>> 0;
  s.log.prWarn(`Unexpected gfp: ${gfpHex(invalid)} (${gfpNames(invalid)}). Fixing up to gfp: ${gfpHex(fixed)} (${gfpNames(fixed)}). Fix your code!`);
  return fixed;
}

function gfpHex(g: number): string {
  return "0x" + g.toString(16);
}
function gfpNames(g: number): string {
  return g === 0 ? "" : formatGfpFlags(g);
}

/** Marks every object of a new slab free and runs the constructor (unless poisoned). Kernel: `cache_init_objs_debug()`. */
export function cacheInitObjsDebug(s: SlabState, c: number, slot: number): void {
  const st = s.objState!;
  const num = s.cacheNum[c]!;
  const ctor = s.cacheCtor[c];
  const off = s.cacheObjOffset[c]!;
  for (let i = 0; i < num; i++) {
    st[slot * FREEIDX_STRIDE + i] = OBJ_RED_INACTIVE;
    // Constructors are not allowed to allocate memory from the same cache.
    if (ctor !== undefined && (s.cacheFlags[c]! & SLAB_POISON) === 0) ctor(indexToObj(s, c, slot, i) + off);
  }
}

/**
 * Checks an object on its way out and marks it allocated. Kernel: `cache_alloc_debugcheck_after()`.
 * @returns the address the caller gets (objp + obj_offset)
 */
export function cacheAllocDebugcheckAfter(s: SlabState, c: number, objp: number): number {
  const slot = virtToSlab(s, objp);
  if (slot >= 0) {
    const k = slot * FREEIDX_STRIDE + objToIndex(s, c, slot, objp);
    const st = s.objState!;
    if ((s.cacheFlags[c]! & SLAB_RED_ZONE) !== 0 && st[k] !== OBJ_RED_INACTIVE) {
      slabError(s, "cache_alloc_debugcheck_after", c, "double free, or memory outside object was overwritten");
      s.log.prErr(`${px(s, objp)}: redzone 1:0x${redHex(st[k]!)}, redzone 2:0x${redHex(st[k]!)}`);
    }
    st[k] = OBJ_RED_ACTIVE;
  }
  objp += s.cacheObjOffset[c]!;
  const ctor = s.cacheCtor[c];
  if (ctor !== undefined && (s.cacheFlags[c]! & SLAB_POISON) !== 0) ctor(objp);
  return objp;
}

function redHex(st: number): string {
  return st === OBJ_RED_ACTIVE ? RED_ACTIVE_HEX : st === OBJ_RED_INACTIVE ? RED_INACTIVE_HEX : "0";
}

/**
 * Checks an object on its way back: it must be an object of this cache, and allocated.
 * Kernel: `cache_free_debugcheck()` with `kfree_debugcheck()` and `verify_redzone_free()`.
 * @returns the slot address (objp - obj_offset) to free, or -1 when the free was reported and refused
 */
export function cacheFreeDebugcheck(s: SlabState, c: number, obj: number): number {
  const mem = s.mem;
  const pfn = Math.floor(obj / PAGE_SIZE);
  if (!mem.pfnValid(pfn)) {
    // kfree_debugcheck(): !virt_addr_valid(objp)
    s.log.prErr(`kfree_debugcheck: out of range ptr ${px(s, obj - s.cacheObjOffset[c]!)}h`);
    slabBug(s, "mm/slab.c", 2659);
    return -1;
  }
  // BUG_ON(virt_to_cache(objp) != cachep)
  const slot = virtToSlab(s, obj);
  if (slot < 0) reportNotSlabPage(s, obj);
  if (slot < 0 || s.slabCache[slot] !== c) {
    slabBug(s, "mm/slab.c", 2691);
    return -1;
  }
  const objp = obj - s.cacheObjOffset[c]!;
  const objnr = objToIndex(s, c, slot, objp);
  if (objnr >= s.cacheNum[c]! || objnr < 0) {
    slabBug(s, "mm/slab.c", 2707);
    return -1;
  }
  if (objp !== indexToObj(s, c, slot, objnr)) {
    slabBug(s, "mm/slab.c", 2708);
    return -1;
  }
  const st = s.objState!;
  const k = slot * FREEIDX_STRIDE + objnr;
  if (st[k] !== OBJ_RED_ACTIVE) {
    if ((s.cacheFlags[c]! & SLAB_RED_ZONE) !== 0) {
      // verify_redzone_free(): both words RED_INACTIVE
      slabError(s, "verify_redzone_free", c, "double free detected");
      s.log.prErr(`${px(s, objp)}: redzone 1:0x${redHex(st[k]!)}, redzone 2:0x${redHex(st[k]!)}`);
    } else {
      // No red zones: slab_put_obj()'s scan is what finds it.
      debugDoubleFreeInSlab(s, c, objp);
    }
    return -1;
  }
  st[k] = OBJ_RED_INACTIVE;
  return objp;
}

/** Kernel: `slab_put_obj()`'s DEBUG scan: "slab: double free detected in cache '%s', objp %px" and BUG(). */
export function debugDoubleFreeInSlab(s: SlabState, c: number, objp: number): void {
  s.log.prErr(`slab: double free detected in cache '${s.cacheName[c]}', objp ${px(s, objp)}`);
  slabBug(s, "mm/slab.c", 2527);
}

/** More temporary list heads (the drain paths nest deeper than expected). */
export function growTempHeads(s: SlabState): void {
  const old = s.tempHeads;
  const heads = new Int32Array(old.length * 2);
  heads.set(old);
  for (let i = old.length; i < heads.length; i++) heads[i] = s.allocHeadSlot();
  s.tempHeads = heads;
}

/** @throws ArgumentError: the cache id names no live cache. */
export function badCacheId(s: SlabState, fn: string, c: number): never {
  throw new ArgumentError(`slab.${fn}`, "cacheId", `a live cache id (0..${s.nrCaches - 1}, not destroyed)`, describeValue(c));
}

/** @throws ArgumentError: the CPU does not exist. */
export function badCpu(s: SlabState, fn: string, cpu: number): never {
  throw new ArgumentError(`slab.${fn}`, "cpu", `an integer 0..${s.nrCpus - 1}`, describeValue(cpu));
}

/** @throws ArgumentError: the node does not exist. */
export function badNid(s: SlabState, fn: string, nid: number): never {
  throw new ArgumentError(`slab.${fn}`, "nid", `-1 or 0..${s.nrNodes - 1}`, describeValue(nid));
}
