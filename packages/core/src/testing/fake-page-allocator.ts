// mmsim: a page allocator double for policy tests (slab, slub): no buddy, just free runs of PFNs
import { ENOMEM } from "../errno.ts";
import { MemMap, NIL_PFN } from "../mm-types.ts";
import type { PageAllocator } from "../policies/page-allocator.ts";

/**
 * Hands out naturally aligned blocks from a MemMap with a simple free list per order (no
 * merging across orders beyond what it was given); counts what it hands out and node counters,
 * and can be told to fail (to test -ENOMEM paths). Pages come back with refcount 1.
 */
export class FakePageAllocator implements PageAllocator {
  readonly mem: MemMap;
  /** Node counters by item, as modNodePageState() changed them. */
  readonly nodeStat = new Map<number, number>();
  /** Blocks handed out and not freed, by PFN → order. */
  readonly live = new Map<number, number>();
  /** When > 0, that many allocations succeed, then every allocation fails. */
  failAfter = Number.POSITIVE_INFINITY;
  private next: number;

  constructor(basePfn = 0x40000, nrPages = 65536) {
    this.mem = new MemMap({ basePfn, nrPages, nrListHeads: 0 });
    this.next = basePfn;
  }

  allocPages(_gfp: number, order: number): number {
    if (this.failAfter <= 0) return NIL_PFN;
    const size = 2 ** order;
    const pfn = Math.ceil(this.next / size) * size;
    if (pfn + size > this.mem.endPfn) return NIL_PFN;
    this.next = pfn + size;
    this.failAfter--;
    this.live.set(pfn, order);
    for (let p = pfn; p < pfn + size; p++) this.mem.refcount[this.mem.pfnToPage(p)] = 1;
    return pfn;
  }

  freePages(pfn: number, order: number): number {
    if (this.live.get(pfn) !== order) return -ENOMEM;
    this.live.delete(pfn);
    for (let p = pfn; p < pfn + 2 ** order; p++) this.mem.refcount[this.mem.pfnToPage(p)] = 0;
    return 0;
  }

  modNodePageState(_pfn: number, item: number, delta: number): void {
    this.nodeStat.set(item, (this.nodeStat.get(item) ?? 0) + delta);
  }

  /** Pages currently handed out. */
  get pagesInUse(): number {
    let n = 0;
    for (const order of this.live.values()) n += 2 ** order;
    return n;
  }
}
