// Kernel: include/linux/vmalloc.h (struct vm_struct, VM_* flags, get_vm_area_size) (v6.1) — vm_struct objects as slots of typed arrays
/*
 * struct vm_struct {
 *   struct vm_struct *next;     vmlist link (boot only)
 *   void *addr; unsigned long size;        size includes the guard page
 *   unsigned long flags;        VM_*
 *   struct page **pages;        kmalloc'd, or vmalloc'd when larger than PAGE_SIZE
 *   unsigned int page_order;    CONFIG_HAVE_ARCH_HUGE_VMALLOC (arm64)
 *   unsigned int nr_pages;
 *   phys_addr_t phys_addr;      ioremap, and the kernel image areas of paging_init()
 *   const void *caller;         %pS in /proc/vmallocinfo
 * };
 *
 * A vm_struct is a slot id; NULL is NIL_VM (-1). `pagesAddr` is the kernel's `pages` pointer
 * value (a kmalloc address, which mmsim writes as a physical address, a vmalloc `Va`, or 0);
 * the PFNs it holds are kept beside it in `pfns[vm]`, an Int32Array the slot keeps and reuses
 * (a vmalloc/vfree loop allocates nothing once warm). `nrPfns` counts the valid entries: equal
 * to nr_pages for vmalloc, also set for vmap() so vmalloc_to_pfn() works without a table walk.
 * `obj` is the kzalloc'd object of a dynamic vm_struct (0 for the static ones of
 * vm_area_add_early()); callers are the `%pS` strings the caller passes.
 */
import { PAGE_SIZE, growTypedArray } from "@mmsim/core";
import type { Va } from "@mmsim/hw-arm64";

/** NULL vm_struct. */
export const NIL_VM = -1;

/** `ioremap()` and friends. */
export const VM_IOREMAP = 0x00000001;
/** `vmalloc()`. */
export const VM_ALLOC = 0x00000002;
/** `vmap()`ed pages. */
export const VM_MAP = 0x00000004;
/** Suitable for remap_vmalloc_range. */
export const VM_USERMAP = 0x00000008;
/** `dma_alloc_coherent`. */
export const VM_DMA_COHERENT = 0x00000010;
/** The vm_struct is not fully initialised. */
export const VM_UNINITIALIZED = 0x00000020;
/** ***DANGEROUS*** don't add guard page. */
export const VM_NO_GUARD = 0x00000040;
/** Has allocated kasan shadow memory. */
export const VM_KASAN = 0x00000080;
/** Reset direct map and flush TLB on unmap. */
export const VM_FLUSH_RESET_PERMS = 0x00000100;
/** Put pages and free array in vfree. */
export const VM_MAP_PUT_PAGES = 0x00000200;
/** Allow huge pages on archs with HAVE_ARCH_HUGE_VMALLOC. */
export const VM_ALLOW_HUGE_VMAP = 0x00000400;
/** VM_DEFER_KMEMLEAK: 0 unless KASAN generic/sw-tags without KASAN_VMALLOC (the reference has no KASAN). */
export const VM_DEFER_KMEMLEAK = 0;

/** sizeof(struct vm_struct) on arm64 6.1 (8 pointers/longs + page_order + nr_pages): 64 bytes, kmalloc-128. */
export const SIZEOF_VM_STRUCT = 64;
/** sizeof(struct page *). */
export const SIZEOF_PAGE_PTR = 8;

/** The vm_struct objects of one machine. */
export class VmStructs {
  capacity: number;
  /** `addr`. */
  addr: Float64Array;
  /** `size` (with the guard page unless VM_NO_GUARD). */
  size: Float64Array;
  /** `flags` (VM_*). */
  flags: Int32Array;
  /** `nr_pages`. */
  nrPages: Int32Array;
  /** `page_order`. */
  pageOrder: Uint8Array;
  /** `phys_addr`. */
  physAddr: Float64Array;
  /** The `pages` pointer: a kmalloc (physical) address, a vmalloc Va, or 0 (NULL). */
  pagesAddr: Float64Array;
  /** Valid entries of pfns[vm]. */
  nrPfns: Int32Array;
  /** The kzalloc'd object of the vm_struct, 0 for a static one. */
  obj: Float64Array;
  /** `next` on vmlist (boot only). */
  next: Int32Array;
  /** 1 while allocated. */
  inUse: Uint8Array;
  /** `caller` (%pS text). */
  readonly caller: (string | undefined)[] = [];
  /** The contents of `pages`: PFNs, reused by the slot. */
  readonly pfns: (Int32Array | undefined)[] = [];
  /** vm_structs allocated. */
  nrInUse = 0;
  private freeSlots: Int32Array;
  private nrFreeSlots = 0;
  private nextUnused = 0;

  constructor(initialCapacity = 64) {
    const n = Math.max(1, initialCapacity);
    this.capacity = n;
    this.addr = new Float64Array(n);
    this.size = new Float64Array(n);
    this.flags = new Int32Array(n);
    this.nrPages = new Int32Array(n);
    this.pageOrder = new Uint8Array(n);
    this.physAddr = new Float64Array(n);
    this.pagesAddr = new Float64Array(n);
    this.nrPfns = new Int32Array(n);
    this.obj = new Float64Array(n);
    this.next = new Int32Array(n).fill(NIL_VM);
    this.inUse = new Uint8Array(n);
    this.freeSlots = new Int32Array(n);
  }

  /** A zeroed vm_struct (kzalloc). */
  alloc(): number {
    let vm: number;
    if (this.nrFreeSlots > 0) vm = this.freeSlots[--this.nrFreeSlots]!;
    else {
      if (this.nextUnused === this.capacity) this.grow();
      vm = this.nextUnused++;
    }
    this.inUse[vm] = 1;
    this.nrInUse++;
    this.addr[vm] = 0;
    this.size[vm] = 0;
    this.flags[vm] = 0;
    this.nrPages[vm] = 0;
    this.pageOrder[vm] = 0;
    this.physAddr[vm] = 0;
    this.pagesAddr[vm] = 0;
    this.nrPfns[vm] = 0;
    this.obj[vm] = 0;
    this.next[vm] = NIL_VM;
    this.caller[vm] = undefined;
    return vm;
  }

  /** Returns a slot (kfree); its PFN buffer stays for the next user. */
  free(vm: number): void {
    this.inUse[vm] = 0;
    this.nrInUse--;
    this.freeSlots[this.nrFreeSlots++] = vm;
  }

  /** The PFN buffer of `vm` with room for `n` entries (grown by doubling, kept for reuse). */
  pfnBuffer(vm: number, n: number): Int32Array {
    let b = this.pfns[vm];
    if (b === undefined || b.length < n) {
      let cap = b === undefined ? 16 : b.length;
      while (cap < n) cap *= 2;
      b = new Int32Array(cap);
      this.pfns[vm] = b;
    }
    return b;
  }

  /** Kernel: `get_vm_area_size()`: the size without the guard page. */
  areaSize(vm: number): number {
    return (this.flags[vm]! & VM_NO_GUARD) === 0 ? this.size[vm]! - PAGE_SIZE : this.size[vm]!;
  }

  /** `addr` as a Va. */
  vaddr(vm: number): Va {
    return this.addr[vm]!;
  }

  private grow(): void {
    const n = this.capacity * 2;
    this.addr = growTypedArray(this.addr, n);
    this.size = growTypedArray(this.size, n);
    this.flags = growTypedArray(this.flags, n);
    this.nrPages = growTypedArray(this.nrPages, n);
    this.pageOrder = growTypedArray(this.pageOrder, n);
    this.physAddr = growTypedArray(this.physAddr, n);
    this.pagesAddr = growTypedArray(this.pagesAddr, n);
    this.nrPfns = growTypedArray(this.nrPfns, n);
    this.obj = growTypedArray(this.obj, n);
    this.next = growTypedArray(this.next, n, NIL_VM);
    this.inUse = growTypedArray(this.inUse, n);
    this.freeSlots = growTypedArray(this.freeSlots, n);
    this.capacity = n;
  }
}
