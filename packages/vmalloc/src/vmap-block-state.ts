// Kernel: mm/vmalloc.c (struct vmap_block, struct vmap_block_queue, vmap_blocks, VMAP_BBMAP_BITS) (v6.1) — the per-CPU vmap blocks of vm_map_ram() as slots of typed arrays
/*
 * struct vmap_block {
 *   struct vmap_area *va;
 *   unsigned long free, dirty;            pages left to hand out / pages given back
 *   unsigned long dirty_min, dirty_max;   dirty range, in pages from the block start
 *   struct list_head free_list;           on this CPU's vmap_block_queue while free > 0
 *   struct list_head purge;               purge_fragmented_blocks()'s local list
 * };
 *
 * A block is a slot id. `next`/`prev` carry both free_list and purge (a block leaves its
 * queue before it joins a purge list): slots 0..nrCpus-1 are the per-CPU queue heads,
 * slot nrCpus the purge list head. The xarray vmap_blocks (block index → vmap_block) is a Map.
 */
import { growTypedArray } from "@mmsim/core";

/** `VMAP_MAX_ALLOC` = BITS_PER_LONG: vm_map_ram() uses blocks for up to 64 pages. */
export const VMAP_MAX_ALLOC = 64;
/** `VMAP_BBMAP_BITS_MAX`: 1024 pages (4 MiB). */
export const VMAP_BBMAP_BITS_MAX = 1024;
/** `VMAP_BBMAP_BITS_MIN` = VMAP_MAX_ALLOC * 2. */
export const VMAP_BBMAP_BITS_MIN = VMAP_MAX_ALLOC * 2;
/** 64-bit `VMALLOC_SPACE` (128 GiB, "a rough idea") / PAGE_SIZE. */
export const VMALLOC_PAGES = (128 * 1024 * 1024 * 1024) / 4096;

/** Kernel: `roundup_pow_of_two()`. */
function roundupPowOfTwo(n: number): number {
  let p = 1;
  while (p < n) p *= 2;
  return p;
}

/** Kernel: `VMAP_BBMAP_BITS` = min(1024, max(128, VMALLOC_PAGES / roundup_pow_of_two(NR_CPUS) / 16)). */
export function vmapBbmapBits(configNrCpus: number): number {
  return Math.min(VMAP_BBMAP_BITS_MAX, Math.max(VMAP_BBMAP_BITS_MIN, Math.floor(VMALLOC_PAGES / roundupPowOfTwo(configNrCpus) / 16)));
}

/** The vmap blocks of one machine. */
export class VmapBlocks {
  /** `VMAP_BBMAP_BITS`: pages per block. */
  readonly bbmapBits: number;
  /** `VMAP_BLOCK_SIZE` in bytes. */
  readonly blockSize: number;
  /** Head slot of the purge list (after the per-CPU queue heads). */
  readonly purgeHead: number;
  capacity: number;
  /** `va`: the block's vmap_area slot. */
  va: Int32Array;
  free: Int32Array;
  dirty: Int32Array;
  dirtyMin: Int32Array;
  dirtyMax: Int32Array;
  /** The kmalloc'd object of the block (0 without a slab layer). */
  obj: Float64Array;
  next: Int32Array;
  prev: Int32Array;
  /** `vmap_blocks`: addr_to_vb_idx() → block slot. */
  readonly xa = new Map<number, number>();
  private freeSlots: Int32Array;
  private nrFreeSlots = 0;
  private nextUnused: number;

  constructor(readonly nrCpus: number, configNrCpus: number) {
    this.bbmapBits = vmapBbmapBits(configNrCpus);
    this.blockSize = this.bbmapBits * 4096;
    this.purgeHead = nrCpus;
    const n = nrCpus + 1 + 16;
    this.capacity = n;
    this.va = new Int32Array(n).fill(-1);
    this.free = new Int32Array(n);
    this.dirty = new Int32Array(n);
    this.dirtyMin = new Int32Array(n);
    this.dirtyMax = new Int32Array(n);
    this.obj = new Float64Array(n);
    this.next = new Int32Array(n);
    this.prev = new Int32Array(n);
    this.freeSlots = new Int32Array(n);
    for (let h = 0; h <= nrCpus; h++) {
      this.next[h] = h;
      this.prev[h] = h;
    }
    this.nextUnused = nrCpus + 1;
  }

  /** A fresh block slot. */
  alloc(): number {
    let vb: number;
    if (this.nrFreeSlots > 0) vb = this.freeSlots[--this.nrFreeSlots]!;
    else {
      if (this.nextUnused === this.capacity) this.grow();
      vb = this.nextUnused++;
    }
    this.next[vb] = vb;
    this.prev[vb] = vb;
    this.obj[vb] = 0;
    return vb;
  }

  /** Returns a block slot. */
  release(vb: number): void {
    this.va[vb] = -1;
    this.freeSlots[this.nrFreeSlots++] = vb;
  }

  /** Blocks in use. */
  get nrBlocks(): number {
    return this.xa.size;
  }

  private grow(): void {
    const n = this.capacity * 2;
    this.va = growTypedArray(this.va, n, -1);
    this.free = growTypedArray(this.free, n);
    this.dirty = growTypedArray(this.dirty, n);
    this.dirtyMin = growTypedArray(this.dirtyMin, n);
    this.dirtyMax = growTypedArray(this.dirtyMax, n);
    this.obj = growTypedArray(this.obj, n);
    this.next = growTypedArray(this.next, n);
    this.prev = growTypedArray(this.prev, n);
    this.freeSlots = growTypedArray(this.freeSlots, n);
    this.capacity = n;
  }
}
