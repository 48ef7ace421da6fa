// mmsim: a small in-memory swap device for the swap PTE tests — SwapOps over a Map of slots (users, swap-cache page, stored content identity), rmap's SwapUnmapHooks with hw-arm64's mkSwapPte, and shrink_folio_list's anonymous steps (add_to_swap, try_to_unmap, swap_writepage, __remove_mapping) to swap a page out
import {
  GFP_HIGHUSER_MOVABLE, type Lru, NIL_PFN, PG_swapbacked, PG_swapcache, PG_uptodate, type SwapOps, swpEntry, swpType,
} from "@mmsim/core";
import { mkSwapPte } from "@mmsim/hw-arm64";
import type { Rig } from "./fault.test-helpers.ts";

interface Slot {
  /** Users (swap PTEs, swap_duplicate), SWAP_HAS_CACHE apart. */
  count: number;
  /** The swap-cache page, or -1. */
  cache: number;
  /** The content identity written by swap_writepage. */
  content: number;
  /** swapcache_prepare's SWAP_HAS_CACHE without a cached page (skip-swapcache read in progress). */
  preparing: boolean;
}

/** One swap device (type `type`, `nrSlots` slots: offset 0 is the header). */
export class FakeSwap implements SwapOps {
  readonly slots = new Map<number, Slot>();
  /** swap_readpage calls (pswpin) and swap_writepage calls (pswpout). */
  pswpin = 0;
  pswpout = 0;
  /** Is the device on (swapoff clears it). */
  on = true;
  /** SWP_SYNCHRONOUS_IO (a zram-like device). */
  synchronous = false;
  private nextOffset = 1;

  constructor(private readonly rig: Rig, readonly type = 0, readonly nrSlots = 1024) {}

  /** Installs it as the machine's swap: MmMemory's SwapOps and rmap's try_to_unmap hooks. */
  install(): this {
    this.rig.m.swap.ops = this;
    this.rig.rmap.swapHooks = {
      swapDuplicate: (e) => this.swapDuplicate(e),
      swapFree: (e) => this.swapFree(e),
      mkSwapPte: (e, x, out) => {
        mkSwapPte(e, x, out);
      },
    };
    return this;
  }

  get used(): number {
    return this.slots.size;
  }
  totalSwapPages(): number {
    return this.nrSlots - 1;
  }
  nrSwapPages(): number {
    return this.totalSwapPages() - this.used;
  }
  vmSwapFull(): boolean {
    return this.used * 2 > this.totalSwapPages();
  }
  folioAllocSwap(_page: number): number {
    if (this.nextOffset >= this.nrSlots) return 0;
    const entry = swpEntry(this.type, this.nextOffset++);
    this.slots.set(entry, { count: 0, cache: -1, content: 0, preparing: false });
    return entry;
  }
  addToSwap(page: number): boolean {
    const entry = this.folioAllocSwap(page);
    if (entry === 0) return false;
    return this.addToSwapCache(page, entry, 0) === 0;
  }
  addToSwapCache(page: number, entry: number, _gfp: number): number {
    const mem = this.rig.mem;
    const slot = this.slots.get(entry)!;
    slot.cache = page;
    mem.flags[page] |= (1 << PG_swapcache) | (1 << PG_swapbacked);
    mem.private[page] = entry;
    mem.refcount[page]!++; // the swap cache's reference
    return 0;
  }
  swapWritepage(page: number): number {
    const slot = this.slots.get(this.rig.mem.private[page]!)!;
    slot.content = this.rig.m.contents.get(this.rig.mem.pageToPfn(page));
    this.pswpout++;
    return 2; // PAGE_SUCCESS
  }
  deleteFromSwapCache(page: number, _shadow: number): void {
    const mem = this.rig.mem;
    const entry = mem.private[page]!;
    const slot = this.slots.get(entry)!;
    slot.cache = -1;
    mem.flags[page] &= ~(1 << PG_swapcache);
    mem.private[page] = 0;
    this.maybeFree(entry);
  }
  lookupSwapCache(entry: number): number {
    const slot = this.slots.get(entry);
    if (slot === undefined || slot.cache < 0) return -1;
    this.rig.mem.refcount[slot.cache]!++;
    return slot.cache;
  }
  swapinReadahead(entry: number, _gfp: number): number {
    const hit = this.lookupSwapCache(entry);
    if (hit >= 0) return hit;
    const pfn = this.rig.buddy.allocPages(GFP_HIGHUSER_MOVABLE, 0, 0);
    if (pfn === NIL_PFN) return -1;
    const mem = this.rig.mem;
    const page = mem.pfnToPage(pfn);
    this.addToSwapCache(page, entry, 0); // refcount 1 (the caller's) + the cache's
    this.readInto(page, entry);
    return page;
  }
  readSwapCacheAsync(entry: number, gfp: number): number {
    return this.swapinReadahead(entry, gfp);
  }
  swapDuplicate(entry: number): number {
    const slot = this.slots.get(entry);
    if (slot === undefined) return -22;
    slot.count++;
    return 0;
  }
  swapFree(entry: number): void {
    const slot = this.slots.get(entry)!;
    slot.count--;
    this.maybeFree(entry);
  }
  freeSwapAndCache(entry: number): void {
    const slot = this.slots.get(entry)!;
    slot.count--;
    // __try_to_reclaim_swap: only the swap cache is left, and its page is mapped nowhere
    if (slot.count === 0 && slot.cache >= 0 && this.rig.mem.mapcount[slot.cache]! < 0) {
      const page = slot.cache;
      this.deleteFromSwapCache(page, 0);
      this.rig.m.putPage(page);
      return;
    }
    this.maybeFree(entry);
  }
  folioFreeSwap(page: number): boolean {
    const mem = this.rig.mem;
    if ((mem.flags[page]! & (1 << PG_swapcache)) === 0) return false;
    const slot = this.slots.get(mem.private[page]!)!;
    if (slot.count > 0) return false; // folio_swapped
    this.deleteFromSwapCache(page, 0);
    mem.refcount[page]!--; // the cache's reference (the caller holds its own)
    return true;
  }
  swapEntryValid(entry: number): boolean {
    return this.on && swpType(entry) === this.type && this.slots.has(entry);
  }
  swapCount(entry: number): number {
    return this.slots.get(entry)?.count ?? 0;
  }
  swpSwapcount(entry: number): number {
    return this.swapCount(entry);
  }
  swapSynchronousIo(_entry: number): boolean {
    return this.synchronous;
  }
  swapcachePrepare(entry: number): number {
    const slot = this.slots.get(entry)!;
    if (slot.cache >= 0 || slot.preparing) return -17;
    slot.preparing = true;
    return 0;
  }
  swapcacheClear(entry: number): void {
    const slot = this.slots.get(entry);
    if (slot === undefined) return;
    slot.preparing = false;
    this.maybeFree(entry);
  }
  getShadowFromSwapCache(_entry: number): number {
    return 0;
  }
  swapReadpage(page: number, _synchronous: boolean): void {
    this.readInto(page, this.rig.mem.private[page]!);
  }

  private readInto(page: number, entry: number): void {
    const mem = this.rig.mem;
    this.rig.m.contents.set(mem.pageToPfn(page), this.slots.get(entry)!.content);
    mem.flags[page] |= 1 << PG_uptodate;
    this.pswpin++;
  }
  private maybeFree(entry: number): void {
    const slot = this.slots.get(entry);
    if (slot !== undefined && slot.count === 0 && slot.cache < 0 && !slot.preparing) this.slots.delete(entry);
  }

  /**
   * shrink_folio_list's anonymous path for one mapped page: isolate (a reference), add_to_swap,
   * try_to_unmap (swap PTEs), swap_writepage, __remove_mapping (out of the swap cache), and the
   * last put frees it. @returns the entry, or 0 when a mapping stayed (an mlocked VMA)
   */
  swapOut(pfn: number): number {
    const mem = this.rig.mem;
    const page = mem.pfnToPage(pfn);
    mem.refcount[page]!++; // folio_isolate_lru's reference
    if (!this.addToSwap(page)) throw new Error("swap full");
    const entry = mem.private[page]!;
    if (!this.rig.rmap.tryToUnmap(page)) {
      this.rig.m.putPage(page);
      return 0;
    }
    this.swapWritepage(page);
    this.deleteFromSwapCache(page, 0);
    mem.refcount[page]!--; // the swap cache's reference (__remove_mapping's folio_ref_freeze)
    this.rig.m.putPage(page); // the isolation reference: the page is freed
    return entry;
  }
}

/** An Lru that counts the calls swap-in makes. */
export class CountingLru implements Lru {
  readonly calls: string[] = [];
  folioAddLru(page: number): void {
    this.calls.push(`add:${page}`);
  }
  folioAddLruVma(page: number): void {
    this.calls.push(`addvma:${page}`);
  }
  folioMarkAccessed(): void {}
  folioActivate(): void {}
  deactivateFileFolio(): void {}
  folioDeactivate(): void {}
  folioRotateReclaimable(): void {}
  folioMarkLazyfree(): void {}
  pageCacheRelease(): void {}
  lruAddDrain(): void {
    this.calls.push("drain");
  }
  lruAddDrainAll(): void {}
  workingsetRefault(page: number, shadow: number): void {
    this.calls.push(`refault:${page}:${shadow}`);
  }
  mlockFolio(): void {}
  munlockFolio(): void {}
  folioIsolateLru(): boolean {
    return false;
  }
  folioPutbackLru(): void {}
  reclaimPages(): number {
    return 0;
  }
}
