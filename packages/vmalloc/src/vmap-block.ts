// Kernel: mm/vmalloc.c "Per cpu kva allocator" (v6.1: new_vmap_block … vm_map_ram) — vmap blocks, vm_map_ram/vm_unmap_ram, vm_unmap_aliases
/*
 * vm_map_ram() of up to VMAP_MAX_ALLOC (64) pages does not get a vmap_area of its own: it
 * takes pages from a VMAP_BLOCK_SIZE block (4 MiB on arm64: 1024 pages) owned by the CPU's
 * vmap_block_queue, handing them out from the start of the block (6.1 has no bitmap: a block
 * is a bump allocator). vm_unmap_ram() unmaps without a flush and marks the pages dirty; a
 * block whose pages are all dirty is freed (its vmap_area goes the lazy way); a block whose
 * pages are all free-or-dirty is reclaimed by purge_fragmented_blocks() at the next purge.
 * A block's vmap_area has no vm_struct: /proc/vmallocinfo shows it as "vm_map_ram".
 * Larger vm_map_ram() requests get a vmap_area of their own (also "vm_map_ram").
 */
import { ArgumentError, ENOMEM, GFP_KERNEL, GFP_RECLAIM_MASK, NIL_OBJECT, PAGE_SHIFT, PAGE_SIZE, getOrder } from "@mmsim/core";
import type { Va } from "@mmsim/hw-arm64";
import {
  VA_KERNEL_MIN, VA_ULONG_MAX, allocVmapArea, findVmapArea, flushTlbKernelRange, freeUnmapVmapArea,
  freeVmapArea, freeVmapAreaNoflush, purgeVmapAreaLazyRange,
} from "./kva.ts";
import { PAGE_KERNEL } from "./page-tables.ts";
import { kfree, kmallocNode } from "./slab-glue.ts";
import type { VmallocState } from "./vmalloc-state.ts";
import { VMAP_MAX_ALLOC } from "./vmap-block-state.ts";

/** sizeof(struct vmap_block) on arm64 6.1 (lock, va, free, dirty, dirty_min/max, free_list, rcu_head, purge): 96 bytes. */
export const SIZEOF_VMAP_BLOCK = 96;

/** Kernel: `IS_ERR()` for an address-or-errno return (errnos are -1..-4095, kernel addresses far below). */
export function isErrVa(x: number): boolean {
  return x < 0 && x >= -4095;
}

/** Kernel: `addr_to_vb_idx()`. */
export function addrToVbIdx(s: VmallocState, addr: Va): number {
  const bs = s.blocks.blockSize;
  const base = Math.floor(s.cfg.vmallocStart / bs) * bs; // VMALLOC_START & ~(VMAP_BLOCK_SIZE-1)
  return Math.floor((addr - base) / bs);
}

/**
 * A new block for this CPU with its first 2^order pages taken. Kernel: `new_vmap_block()`.
 * @returns the address of those pages, or a negative errno
 */
function newVmapBlock(s: VmallocState, order: number, gfp: number): number {
  const b = s.blocks;
  const node = -1; // numa_node_id(): the page allocator's CPU-local node
  const obj = kmallocNode(s, SIZEOF_VMAP_BLOCK, gfp & GFP_RECLAIM_MASK, node);
  if (obj === NIL_OBJECT) return -ENOMEM;
  const va = allocVmapArea(s, b.blockSize, b.blockSize, s.cfg.vmallocStart, s.cfg.vmallocEnd, node, gfp);
  if (va < 0) {
    kfree(s, obj);
    return va;
  }
  const vb = b.alloc();
  b.obj[vb] = obj;
  b.va[vb] = va;
  const start = s.areas.vaStart[va]!;
  b.free[vb] = b.bbmapBits - 2 ** order;
  b.dirty[vb] = 0;
  b.dirtyMin[vb] = b.bbmapBits;
  b.dirtyMax[vb] = 0;
  const idx = addrToVbIdx(s, start);
  if (b.xa.has(idx)) {
    // xa_insert() -EBUSY: cannot happen with block-aligned blocks; the kernel unwinds.
    b.release(vb);
    kfree(s, obj);
    freeVmapArea(s, va);
    return -ENOMEM;
  }
  b.xa.set(idx, vb);
  // list_add_tail_rcu(&vb->free_list, &vbq->free)
  const head = s.cpu;
  const last = b.prev[head]!;
  b.next[vb] = head;
  b.prev[vb] = last;
  b.next[last] = vb;
  b.prev[head] = vb;
  return start;
}

function vbListDel(s: VmallocState, vb: number): void {
  const b = s.blocks;
  const n = b.next[vb]!;
  const p = b.prev[vb]!;
  b.next[p] = n;
  b.prev[n] = p;
  b.next[vb] = vb;
  b.prev[vb] = vb;
}

/** Kernel: `free_vmap_block()`. */
function freeVmapBlock(s: VmallocState, vb: number): void {
  const b = s.blocks;
  const va = b.va[vb]!;
  b.xa.delete(addrToVbIdx(s, s.areas.vaStart[va]!));
  freeVmapAreaNoflush(s, va);
  kfree(s, b.obj[vb]!);
  b.release(vb);
}

/** Frees the blocks of `cpu` whose pages are all free or dirty. Kernel: `purge_fragmented_blocks()`. */
export function purgeFragmentedBlocks(s: VmallocState, cpu: number): void {
  const b = s.blocks;
  const bits = b.bbmapBits;
  const purge = b.purgeHead;
  let vb = b.next[cpu]!;
  while (vb !== cpu) {
    const nvb = b.next[vb]!;
    if (b.free[vb]! + b.dirty[vb]! === bits && b.dirty[vb] !== bits) {
      b.free[vb] = 0;
      b.dirty[vb] = bits;
      b.dirtyMin[vb] = 0;
      b.dirtyMax[vb] = bits;
      vbListDel(s, vb);
      const last = b.prev[purge]!;
      b.next[vb] = purge;
      b.prev[vb] = last;
      b.next[last] = vb;
      b.prev[purge] = vb;
    }
    vb = nvb;
  }
  vb = b.next[purge]!;
  while (vb !== purge) {
    const nvb = b.next[vb]!;
    vbListDel(s, vb);
    freeVmapBlock(s, vb);
    vb = nvb;
  }
}

/** Kernel: `purge_fragmented_blocks_allcpus()`. */
export function purgeFragmentedBlocksAllcpus(s: VmallocState): void {
  for (let cpu = 0; cpu < s.blocks.nrCpus; cpu++) purgeFragmentedBlocks(s, cpu);
}

/**
 * Pages from this CPU's blocks. Kernel: `vb_alloc()`.
 * @returns the address, 0 (NULL, after the WARN for size 0), or a negative errno
 */
function vbAlloc(s: VmallocState, size: number, gfp: number): number {
  if (size === 0) {
    s.log.warn("mm/vmalloc.c:2072 vb_alloc");
    return 0;
  }
  const b = s.blocks;
  const order = getOrder(size);
  const need = 2 ** order;
  const head = s.cpu;
  for (let vb = b.next[head]!; vb !== head; vb = b.next[vb]!) {
    if (b.free[vb]! < need) continue;
    const pagesOff = b.bbmapBits - b.free[vb]!;
    const vaddr = s.areas.vaStart[b.va[vb]!]! + pagesOff * PAGE_SIZE;
    b.free[vb] = b.free[vb]! - need;
    if (b.free[vb] === 0) vbListDel(s, vb);
    return vaddr;
  }
  return newVmapBlock(s, order, gfp);
}

/** Kernel: `vb_free()`. */
function vbFree(s: VmallocState, addr: Va, size: number): void {
  const b = s.blocks;
  const order = getOrder(size);
  const bs = b.blockSize;
  const offset = Math.floor((((addr % bs) + bs) % bs) / PAGE_SIZE);
  const vb = b.xa.get(addrToVbIdx(s, addr));
  s.pgtables.vunmapRangeNoflush(addr, addr + size);
  if (vb === undefined) return;
  b.dirtyMin[vb] = Math.min(b.dirtyMin[vb]!, offset);
  b.dirtyMax[vb] = Math.max(b.dirtyMax[vb]!, offset + 2 ** order);
  b.dirty[vb] = b.dirty[vb]! + 2 ** order;
  if (b.dirty[vb] === b.bbmapBits) freeVmapBlock(s, vb);
}

/**
 * Flushes every lazy alias: dirty block ranges and lazily freed areas, with the caller's range.
 * Kernel: `_vm_unmap_aliases()`.
 */
export function vmUnmapAliasesRange(s: VmallocState, start: Va, end: Va, flush: boolean): void {
  if (!s.vmapInitialized) return;
  const b = s.blocks;
  for (let cpu = 0; cpu < b.nrCpus; cpu++) {
    for (let vb = b.next[cpu]!; vb !== cpu; vb = b.next[vb]!) {
      if (b.dirty[vb] !== 0 && b.dirty[vb] !== b.bbmapBits) {
        const vaStart = s.areas.vaStart[b.va[vb]!]!;
        start = Math.min(vaStart + b.dirtyMin[vb]! * PAGE_SIZE, start);
        end = Math.max(vaStart + b.dirtyMax[vb]! * PAGE_SIZE, end);
        flush = true;
      }
    }
  }
  purgeFragmentedBlocksAllcpus(s);
  if (!purgeVmapAreaLazyRange(s, start, end) && flush) flushTlbKernelRange(s, start, end);
}

/** Kernel: `vm_unmap_aliases()`. */
export function vmUnmapAliases(s: VmallocState): void {
  vmUnmapAliasesRange(s, VA_ULONG_MAX, VA_KERNEL_MIN, false);
}

/**
 * Unmaps what vm_map_ram() mapped. Kernel: `vm_unmap_ram()`.
 * @throws ArgumentError where the kernel has BUG_ON (address outside vmalloc space, unaligned, unknown)
 */
export function vmUnmapRam(s: VmallocState, mem: Va, count: number): void {
  const size = count * PAGE_SIZE;
  if (mem === 0 || mem < s.cfg.vmallocStart || mem > s.cfg.vmallocEnd || mem % PAGE_SIZE !== 0) {
    throw new ArgumentError("vmalloc.vmUnmapRam", "mem", "a page-aligned address vm_map_ram() returned (BUG_ON in vm_unmap_ram)", String(mem));
  }
  if (count <= VMAP_MAX_ALLOC) {
    vbFree(s, mem, size);
    return;
  }
  const va = findVmapArea(s, mem);
  if (va < 0) throw new ArgumentError("vmalloc.vmUnmapRam", "mem", "an address vm_map_ram() returned (BUG_ON(!va))", String(mem));
  freeUnmapVmapArea(s, va);
}

/**
 * Maps `count` pages linearly into vmalloc space. Kernel: `vm_map_ram()`.
 * @returns the address, or 0 (NULL)
 */
export function vmMapRam(s: VmallocState, pfns: Int32Array, count: number, node: number): Va {
  const size = count * PAGE_SIZE;
  let addr: number;
  if (count <= VMAP_MAX_ALLOC) {
    addr = vbAlloc(s, size, GFP_KERNEL);
    if (addr === 0 || isErrVa(addr)) return 0;
  } else {
    const va = allocVmapArea(s, size, PAGE_SIZE, s.cfg.vmallocStart, s.cfg.vmallocEnd, node, GFP_KERNEL);
    if (va < 0) return 0;
    addr = s.areas.vaStart[va]!;
  }
  if (s.pgtables.vmapPagesRange(addr, pfns, count, PAGE_KERNEL, PAGE_SHIFT) < 0) {
    vmUnmapRam(s, addr, count);
    return 0;
  }
  return addr;
}
