// Kernel: mm/page_alloc.c + CONFIG_DEBUG_VM checks (check_new_page, __free_one_page's VM_BUG_ONs), for a whole allocator
/*
 * Walks every free list and pcp list and reports what is inconsistent (STYLE C9). Not for hot
 * code: it visits every free page.
 */
import {
  MAX_PAGE_ORDER, MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_PCPTYPES, MIGRATE_TYPES, NR_FREE_CMA_PAGES,
  NR_FREE_PAGES, NR_PCP_LISTS, PAGEBLOCK_ORDER, listCheck, pageBuddy, pageReserved, type ValidationSink,
} from "@mmsim/core";
import { freeListHead } from "./free-area.ts";
import type { PageAllocState } from "./page-alloc-state.ts";
import { findBuddyPage, pindexToOrder } from "./page-alloc.ts";
import { getPfnblockMigratetype } from "./pageblock-flags.ts";

/**
 * Checks the allocator's invariants: free-list membership matches page state and order, nr_free
 * matches the lists, every free block is naturally aligned, in its zone, not reserved, and its
 * buddy is not free at the same order; NR_FREE_PAGES and NR_FREE_CMA_PAGES equal what the lists
 * hold; each pcp count equals its lists.
 */
export function validateBuddy(pa: PageAllocState, sink: ValidationSink): void {
  const mem = pa.mem;
  const limit = mem.nrPages + 1;
  for (const zone of pa.zones) {
    if (!zone.initialized) continue;
    const z = `node ${zone.nid} zone ${zone.name}`;
    let free = 0;
    let freeCma = 0;
    for (let order = 0; order <= MAX_PAGE_ORDER; order++) {
      let blocks = 0;
      for (let mt = 0; mt < MIGRATE_TYPES; mt++) {
        const head = freeListHead(zone, order, mt);
        const bad = listCheck(mem.lruNext, mem.lruPrev, head, limit);
        if (bad !== null) {
          sink.report(`${z} free_area[${order}].free_list[${mt}]`, bad);
          continue;
        }
        for (let page = mem.lruNext[head]!; page !== head; page = mem.lruNext[page]!) {
          blocks++;
          const pfn = mem.pageToPfn(page);
          const where = `${z} free_area[${order}].free_list[${mt}] pfn 0x${pfn.toString(16)}`;
          if (page >= mem.nrPages) {
            sink.report(where, `slot ${page} is a list head, not a page`);
            break;
          }
          if (!pageBuddy(mem, page)) sink.report(where, "on a free list but not PageBuddy");
          if (mem.private[page] !== order) sink.report(where, `buddy_order ${mem.private[page]} != list order ${order}`);
          if (mem.nodeZone[page] !== zone.id) sink.report(where, `page belongs to zone id ${mem.nodeZone[page]}`);
          if (pfn % (1 << order) !== 0) sink.report(where, `not aligned to 2^${order}`);
          if (!zone.spansPfn(pfn) || !zone.spansPfn(pfn + (1 << order) - 1)) sink.report(where, "block outside the zone span");
          for (let p = page; p < page + (1 << order) && p < mem.nrPages; p++) {
            if (pageReserved(mem, p)) {
              sink.report(where, `page 0x${mem.pageToPfn(p).toString(16)} is PageReserved (memblock-reserved) but free`);
              break;
            }
            if (mem.refcount[p] !== 0) {
              sink.report(where, `page 0x${mem.pageToPfn(p).toString(16)} has refcount ${mem.refcount[p]}`);
              break;
            }
          }
          if (order < MAX_PAGE_ORDER) {
            const buddy = findBuddyPage(mem, page, pfn, order);
            if (buddy !== -1) {
              const bmt = getPfnblockMigratetype(pa.pageblock, mem.pageToPfn(buddy));
              const mmt = getPfnblockMigratetype(pa.pageblock, pfn);
              const mayNotMerge = order >= PAGEBLOCK_ORDER && bmt !== mmt && (bmt >= MIGRATE_PCPTYPES || mmt >= MIGRATE_PCPTYPES);
              if (!mayNotMerge) sink.report(where, `its buddy 0x${mem.pageToPfn(buddy).toString(16)} is also free at order ${order}`);
            }
          }
          if (mt !== MIGRATE_ISOLATE) free += 1 << order;
          if (mt === MIGRATE_CMA) freeCma += 1 << order;
        }
      }
      if (blocks !== zone.nrFree[order]) sink.report(`${z} free_area[${order}]`, `nr_free ${zone.nrFree[order]} but ${blocks} blocks on the lists`);
    }
    if (free !== zone.vmStat[NR_FREE_PAGES]) sink.report(z, `NR_FREE_PAGES ${zone.vmStat[NR_FREE_PAGES]} but the free lists hold ${free}`);
    if (freeCma !== zone.vmStat[NR_FREE_CMA_PAGES]) sink.report(z, `NR_FREE_CMA_PAGES ${zone.vmStat[NR_FREE_CMA_PAGES]} but the CMA lists hold ${freeCma}`);
    for (const pcp of zone.pageset) {
      let count = 0;
      for (let pindex = 0; pindex < NR_PCP_LISTS; pindex++) {
        const head = pcp.listBase + pindex;
        const bad = listCheck(mem.lruNext, mem.lruPrev, head, limit);
        if (bad !== null) {
          sink.report(`${z} cpu ${pcp.cpu} pcp list ${pindex}`, bad);
          continue;
        }
        const order = pindexToOrder(pindex);
        for (let page = mem.lruNext[head]!; page !== head; page = mem.lruNext[page]!) {
          count += 1 << order;
          if (pageBuddy(mem, page)) sink.report(`${z} cpu ${pcp.cpu} pcp list ${pindex} pfn 0x${mem.pageToPfn(page).toString(16)}`, "PageBuddy page on a pcp list");
          if (mem.nodeZone[page] !== zone.id) sink.report(`${z} cpu ${pcp.cpu} pcp list ${pindex}`, "page of another zone");
        }
      }
      if (count !== pcp.count) sink.report(`${z} cpu ${pcp.cpu} pcp`, `count ${pcp.count} but the lists hold ${count} pages`);
    }
  }
}
