// Kernel: mm/page_alloc.c (v6.1) — struct free_area helpers: add_to_free_list(_tail), move_to_free_list, del_page_from_free_list, set_buddy_order
/*
 * A free block of 2^order pages is represented by its first page: PageBuddy (page_type), order
 * in page->private, linked through page->lru into zone free_area[order].free_list[mt].
 * NR_FREE_PAGES is not touched here: in 6.1 the callers account it (__mod_zone_freepage_state).
 * Hot file: no allocation, no closures (STYLE C8).
 */
import { MIGRATE_TYPES, PG_buddy, type MemMap, listAdd, listAddTail, listDel, listFirst } from "@mmsim/core";
import type { Zone } from "./mmzone.ts";

/** Slot of the list head of free_area[order].free_list[mt] in `zone`. */
export function freeListHead(zone: Zone, order: number, mt: number): number {
  return zone.freeHeadBase + order * MIGRATE_TYPES + mt;
}

/** Marks `page` as the head of a free block of `order`. Kernel: `set_buddy_order()`. */
export function setBuddyOrder(mem: MemMap, page: number, order: number): void {
  mem.private[page] = order;
  // __SetPageBuddy: page_type is set by clearing its bit (PG_buddy = 0x80) in _mapcount.
  mem.mapcount[page] = mem.mapcount[page]! & ~PG_buddy;
}

/** Order of a free block. Kernel: `buddy_order()`. */
export function buddyOrder(mem: MemMap, page: number): number {
  return mem.private[page]!;
}

/** Clears PageBuddy and the order. Kernel: `rmv_page_order()` / `__ClearPageBuddy` + set_page_private(0). */
export function clearBuddy(mem: MemMap, page: number): void {
  mem.mapcount[page] = mem.mapcount[page]! | PG_buddy;
  mem.private[page] = 0;
}

/** Kernel: `add_to_free_list()`: at the head, nr_free++. */
export function addToFreeList(mem: MemMap, page: number, zone: Zone, order: number, mt: number): void {
  listAdd(mem.lruNext, mem.lruPrev, page, zone.freeHeadBase + order * MIGRATE_TYPES + mt);
  zone.nrFree[order]!++;
}

/** Kernel: `add_to_free_list_tail()`: at the tail (used for blocks likely to merge, and at boot). */
export function addToFreeListTail(mem: MemMap, page: number, zone: Zone, order: number, mt: number): void {
  listAddTail(mem.lruNext, mem.lruPrev, page, zone.freeHeadBase + order * MIGRATE_TYPES + mt);
  zone.nrFree[order]!++;
}

/** Kernel: `move_to_free_list()`: to the tail of another migratetype's list of the same order. */
export function moveToFreeList(mem: MemMap, page: number, zone: Zone, order: number, mt: number): void {
  const head = zone.freeHeadBase + order * MIGRATE_TYPES + mt;
  // list_move_tail
  listDel(mem.lruNext, mem.lruPrev, page);
  listAddTail(mem.lruNext, mem.lruPrev, page, head);
}

/** Kernel: `del_page_from_free_list()`: unlink, clear PageBuddy and order, nr_free--. */
export function delPageFromFreeList(mem: MemMap, page: number, zone: Zone, order: number): void {
  listDel(mem.lruNext, mem.lruPrev, page);
  clearBuddy(mem, page);
  zone.nrFree[order]!--;
}

/** First block on a list, or NIL_PAGE. Kernel: `get_page_from_free_area()`. */
export function getPageFromFreeArea(mem: MemMap, zone: Zone, order: number, mt: number): number {
  return listFirst(mem.lruNext, zone.freeHeadBase + order * MIGRATE_TYPES + mt);
}

/** Kernel: `free_area_empty()`. */
export function freeAreaEmpty(mem: MemMap, zone: Zone, order: number, mt: number): boolean {
  const head = zone.freeHeadBase + order * MIGRATE_TYPES + mt;
  return mem.lruNext[head] === head;
}
