// Kernel: mm/util.c (kvmalloc_node, kvfree), include/linux/slab.h (kvmalloc, kvzalloc, kvmalloc_array, kvcalloc) (v6.1) — kmalloc first, vmalloc as the fallback
/*
 * Followed: mm/util.c of 6.1.166. kvmalloc_node() tries kmalloc (through core's SlabCommon) and
 * falls back to vmalloc for sizes above PAGE_SIZE:
 *  - above PAGE_SIZE the kmalloc attempt gets __GFP_NOWARN, and __GFP_NORETRY unless the caller
 *    asked for __GFP_RETRY_MAYFAIL; __GFP_NOFAIL is dropped (vmalloc implements it);
 *  - sizes up to PAGE_SIZE never fall back;
 *  - 6.1 falls back for any blocking GFP mask (!gfpflags_allow_blocking() returns NULL); the
 *    older "(flags & GFP_KERNEL) != GFP_KERNEL → kmalloc only" rule ended in 5.18;
 *  - sizes above INT_MAX fail (WARN_ON_ONCE unless __GFP_NOWARN);
 *  - the vmalloc fallback passes VM_ALLOW_HUGE_VMAP (2 MiB pages for ≥ 2 MiB per node).
 *
 * kvfree() tells the two apart with is_vmalloc_addr(): a kmalloc'd object is named in mmsim by
 * its physical address (a non-negative number, SlabCommon's convention: the kernel's pointer is
 * the linear map's __va(phys)), a vmalloc address is a kernel Va (a negative number), and only
 * the latter can lie in [VMALLOC_START, VMALLOC_END).
 */
import {
  ArgumentError, PAGE_SIZE, __GFP_NOFAIL, __GFP_NORETRY, __GFP_NOWARN, __GFP_RETRY_MAYFAIL, __GFP_ZERO, gfpflagsAllowBlocking,
} from "@mmsim/core";
import type { Va } from "@mmsim/hw-arm64";
import { PAGE_KERNEL } from "./page-tables.ts";
import { kfree } from "./slab-glue.ts";
import type { VmallocState } from "./vmalloc-state.ts";
import { VM_ALLOW_HUGE_VMAP } from "./vm-struct.ts";
import { isVmallocAddr, vfree, vmallocNodeRange } from "./vm-area.ts";

/** INT_MAX. */
export const INT_MAX = 2 ** 31 - 1;

/**
 * Kernel: `kvmalloc_node()`.
 * @param caller the `%pS` text of the caller, shown in /proc/vmallocinfo for the vmalloc case
 * @returns a kmalloc address (physical, ≥ 0), a vmalloc address (a negative Va), or 0 (NULL)
 * @throws ArgumentError without a slab layer (vmallocInit(slab) was not given one)
 */
export function kvmallocNode(s: VmallocState, size: number, flags: number, node: number, caller: string | undefined): number {
  const slab = s.slab;
  if (slab === undefined) throw new ArgumentError("vmalloc.kvmallocNode", "slab", "a slab layer (pass the machine's SlabCommon to vmallocInit())", "none");
  if (!Number.isSafeInteger(size) || size < 0) throw new ArgumentError("vmalloc.kvmallocNode", "size", "a byte count, an integer in [0, 2^53)", String(size));
  let kmallocFlags = flags;
  if (size > PAGE_SIZE) {
    kmallocFlags |= __GFP_NOWARN;
    if ((kmallocFlags & __GFP_RETRY_MAYFAIL) === 0) kmallocFlags |= __GFP_NORETRY;
    kmallocFlags &= ~__GFP_NOFAIL;
  }
  const ret = slab.kmalloc(size, kmallocFlags, s.cpu, node);
  if (ret !== 0 || size <= PAGE_SIZE) return ret;
  if (!gfpflagsAllowBlocking(flags)) return 0;
  if (size > INT_MAX) {
    if ((flags & __GFP_NOWARN) === 0) s.log.warnOnce("vmalloc:kvmalloc_node:INT_MAX", "mm/util.c:596 kvmalloc_node");
    return 0;
  }
  return vmallocNodeRange(s, size, 1, s.cfg.vmallocStart, s.cfg.vmallocEnd, flags, PAGE_KERNEL, VM_ALLOW_HUGE_VMAP, node, caller);
}

/** Kernel: `kvzalloc_node()` = kvmalloc_node(size, flags | __GFP_ZERO, node). */
export function kvzallocNode(s: VmallocState, size: number, flags: number, node: number, caller: string | undefined): number {
  return kvmallocNode(s, size, flags | __GFP_ZERO, node, caller);
}

/**
 * Kernel: `kvmalloc_array()`: n * size bytes, NULL when the product overflows.
 */
export function kvmallocArray(s: VmallocState, n: number, size: number, flags: number, caller: string | undefined): number {
  const bytes = n * size;
  if (!Number.isSafeInteger(bytes) || bytes < 0) return 0; // check_mul_overflow()
  return kvmallocNode(s, bytes, flags, -1, caller);
}

/** Kernel: `kvcalloc()` = kvmalloc_array(n, size, flags | __GFP_ZERO). */
export function kvcalloc(s: VmallocState, n: number, size: number, flags: number, caller: string | undefined): number {
  return kvmallocArray(s, n, size, flags | __GFP_ZERO, caller);
}

/**
 * Frees what kmalloc, vmalloc or kvmalloc returned; NULL is ignored. Kernel: `kvfree()`.
 */
export function kvfree(s: VmallocState, addr: number): void {
  if (isVmallocAddr(s, addr as Va)) vfree(s, addr);
  else kfree(s, addr);
}
