import { describe, it, expect, afterEach } from "vitest";
import { debugVm, MmBugError } from "./errors.ts";
import { MemMap } from "./mm-types.ts";
import { MAX_NR_ZONES, ZONE_DMA, ZONE_MOVABLE, ZONE_NORMAL } from "./mmzone.ts";
import {
  __NR_PAGEFLAGS, LRU_GEN_MASK, LRU_GEN_PGOFF, LRU_GEN_WIDTH, LRU_REFS_MASK, LRU_REFS_PGOFF, LRU_REFS_WIDTH, NR_PAGEFLAGS, PAGEFLAGS_MASK, PAGE_MAPCOUNT_INIT, PAGE_MAPCOUNT_RESERVE, PAGE_TYPE_BASE,
  PG_active, PG_anon_exclusive, PG_dirty, PG_arch_2, PG_buddy, PG_checked, PG_double_map, PG_error, PG_guard,
  PG_has_hwpoisoned, PG_head, PG_hwpoison, PG_isolated, PG_locked, PG_lru, PG_mappedtodisk, PG_mlocked,
  PG_offline, PG_owner_priv_1, PG_readahead, PG_reclaim, PG_referenced, PG_reported, PG_reserved, PG_slab,
  PG_swapbacked, PG_swapcache, PG_table, PG_unevictable, PG_uptodate, PG_waiters, PG_workingset, PG_writeback,
  ZONES_MASK, ZONES_SHIFT, clearPageBuddy, clearPageFlag, clearPageGuard, clearPageLRU, clearPageOffline,
  clearPageReserved, clearPageSlab, clearPageTable, formatPageFlags, pageActive, pageBuddy, pageDirty,
  pageflagNames, pageGuard, pageHasType, pageHead, pageLRU, pageMapcountReset, pageMlocked, pageOffline,
  pageReferenced, pageReserved, pageSlab, pageSwapBacked, pageSwapCache, pageTable, pageToNid, pageType,
  pageUnevictable, pageWriteback, pageZonenum, setPageActive, setPageBuddy, setPageDirty, setPageFlag,
  setPageGuard, setPageHead, setPageLRU, setPageMlocked, setPageOffline, setPageReferenced, setPageReserved,
  setPageSlab, setPageSwapBacked, setPageTable, setPageUnevictable, setPageWriteback, setPageZoneNode,
  testAndClearPageFlag, testAndSetPageFlag, testClearPageLRU, testPageFlag,
} from "./page-flags.ts";
import type { PageFlagsView } from "./page-flags.ts";

function makeView(n: number): PageFlagsView {
  return { flags: new Uint32Array(n), mapcount: new Int32Array(n).fill(-1), nodeZone: new Uint16Array(n) };
}

afterEach(() => {
  debugVm.on = false;
});

describe("enum pageflags for arm64 Debian 6.1", () => {
  it("numbers the flags as 6.1 does with MMU, MEMORY_FAILURE, 64BIT and without PAGE_IDLE_FLAG, KASAN_HW_TAGS", () => {
    expect([PG_locked, PG_referenced, PG_uptodate, PG_dirty, PG_lru, PG_active, PG_workingset, PG_waiters]).toEqual([
      0, 1, 2, 3, 4, 5, 6, 7,
    ]);
    expect([PG_error, PG_slab, PG_owner_priv_1, PG_reserved, PG_writeback, PG_head]).toEqual([8, 9, 10, 12, 15, 16]);
    expect([PG_reclaim, PG_swapbacked, PG_unevictable, PG_mlocked, PG_hwpoison, PG_arch_2]).toEqual([
      18, 19, 20, 21, 22, 23,
    ]);
    expect(__NR_PAGEFLAGS).toBe(24);
    expect(NR_PAGEFLAGS).toBe(__NR_PAGEFLAGS);
    expect(PAGEFLAGS_MASK).toBe(0xffffff);
  });

  it("fits MemMap's 32-bit flags word", () => {
    expect(__NR_PAGEFLAGS).toBeLessThanOrEqual(32);
  });

  it("has the 6.1 aliases", () => {
    expect(PG_readahead).toBe(PG_reclaim);
    expect(PG_isolated).toBe(PG_reclaim);
    expect(PG_anon_exclusive).toBe(PG_mappedtodisk);
    expect(PG_checked).toBe(PG_owner_priv_1);
    expect(PG_swapcache).toBe(PG_owner_priv_1);
    expect(PG_double_map).toBe(PG_workingset);
    expect(PG_has_hwpoisoned).toBe(PG_error);
    expect(PG_reported).toBe(PG_uptodate);
  });
});

describe("flag helpers", () => {
  it("set, test, clear, test-and-set, test-and-clear", () => {
    const mem = makeView(4);
    expect(testPageFlag(mem, 2, PG_lru)).toBe(false);
    setPageFlag(mem, 2, PG_lru);
    expect(testPageFlag(mem, 2, PG_lru)).toBe(true);
    expect(mem.flags[2]).toBe(1 << PG_lru);
    expect(mem.flags[1]).toBe(0);
    expect(testAndSetPageFlag(mem, 2, PG_lru)).toBe(true);
    expect(testAndSetPageFlag(mem, 2, PG_active)).toBe(false);
    expect(pageActive(mem, 2)).toBe(true);
    expect(testAndClearPageFlag(mem, 2, PG_active)).toBe(true);
    expect(testAndClearPageFlag(mem, 2, PG_active)).toBe(false);
    clearPageFlag(mem, 2, PG_lru);
    expect(mem.flags[2]).toBe(0);
    setPageFlag(mem, 3, 31);
    expect(testPageFlag(mem, 3, 31)).toBe(true);
    expect(mem.flags[3]).toBe(0x80000000);
  });

  it("named helpers act on their own bit", () => {
    const mem = makeView(1);
    const cases: [set: (m: PageFlagsView, p: number) => void, test: (m: PageFlagsView, p: number) => boolean, bit: number][] = [
      [setPageReserved, pageReserved, PG_reserved],
      [setPageSlab, pageSlab, PG_slab],
      [setPageLRU, pageLRU, PG_lru],
      [setPageActive, pageActive, PG_active],
      [setPageHead, pageHead, PG_head],
      [setPageDirty, pageDirty, PG_dirty],
      [setPageSwapBacked, pageSwapBacked, PG_swapbacked],
      [setPageUnevictable, pageUnevictable, PG_unevictable],
      [setPageMlocked, pageMlocked, PG_mlocked],
      [setPageWriteback, pageWriteback, PG_writeback],
      [setPageReferenced, pageReferenced, PG_referenced],
    ];
    for (const [set, test, bit] of cases) {
      mem.flags[0] = 0;
      expect(test(mem, 0)).toBe(false);
      set(mem, 0);
      expect(mem.flags[0]).toBe((1 << bit) >>> 0);
      expect(test(mem, 0)).toBe(true);
    }
    mem.flags[0] = (1 << PG_reserved) | (1 << PG_slab) | (1 << PG_lru);
    clearPageReserved(mem, 0);
    clearPageSlab(mem, 0);
    expect(mem.flags[0]).toBe(1 << PG_lru);
    expect(testClearPageLRU(mem, 0)).toBe(true);
    expect(testClearPageLRU(mem, 0)).toBe(false);
    clearPageLRU(mem, 0);
    expect(mem.flags[0]).toBe(0);
  });

  it("PageSwapCache needs PG_swapbacked as well as PG_swapcache", () => {
    const mem = makeView(1);
    setPageFlag(mem, 0, PG_swapcache);
    expect(pageSwapCache(mem, 0)).toBe(false); // PG_checked of a file page
    setPageSwapBacked(mem, 0);
    expect(pageSwapCache(mem, 0)).toBe(true);
  });
});

describe("page_type over _mapcount", () => {
  it("uses the 6.1 values", () => {
    expect(PAGE_TYPE_BASE).toBe(0xf0000000);
    expect(PAGE_MAPCOUNT_RESERVE).toBe(-128);
    expect([PG_buddy, PG_offline, PG_table, PG_guard]).toEqual([0x80, 0x100, 0x200, 0x400]);
    expect(PAGE_MAPCOUNT_INIT).toBe(-1);
  });

  it("sets a type by clearing its bit and clears it by setting the bit back", () => {
    const mem = makeView(2);
    expect(pageBuddy(mem, 0)).toBe(false);
    expect(pageHasType(mem, 0)).toBe(false);
    expect(pageType(mem, 0, 0)).toBe(true); // -1 has the PAGE_TYPE_BASE nibble set
    setPageBuddy(mem, 0);
    expect(mem.mapcount[0]).toBe(~0x80); // 0xffffff7f
    expect(mem.mapcount[0] >>> 0).toBe(0xffffff7f);
    expect(pageBuddy(mem, 0)).toBe(true);
    expect(pageHasType(mem, 0)).toBe(true);
    expect(pageTable(mem, 0) || pageOffline(mem, 0) || pageGuard(mem, 0)).toBe(false);
    expect(pageBuddy(mem, 1)).toBe(false);
    clearPageBuddy(mem, 0);
    expect(mem.mapcount[0]).toBe(-1);
    expect(pageBuddy(mem, 0)).toBe(false);
  });

  it("round-trips every type", () => {
    const mem = makeView(1);
    const types: [set: typeof setPageBuddy, clear: typeof clearPageBuddy, test: typeof pageBuddy, flag: number][] = [
      [setPageBuddy, clearPageBuddy, pageBuddy, PG_buddy],
      [setPageOffline, clearPageOffline, pageOffline, PG_offline],
      [setPageTable, clearPageTable, pageTable, PG_table],
      [setPageGuard, clearPageGuard, pageGuard, PG_guard],
    ];
    debugVm.on = true;
    for (const [set, clear, test, flag] of types) {
      set(mem, 0);
      expect(test(mem, 0)).toBe(true);
      expect(pageType(mem, 0, flag)).toBe(true);
      expect((mem.mapcount[0] & flag) === 0).toBe(true);
      clear(mem, 0);
      expect(test(mem, 0)).toBe(false);
      expect(mem.mapcount[0]).toBe(-1);
    }
  });

  it("a mapped page has no type, and VM_BUG_ON catches misuse with debugVm", () => {
    const mem = makeView(1);
    mem.mapcount[0] = 0; // mapped once
    expect(pageBuddy(mem, 0)).toBe(false);
    expect(pageHasType(mem, 0)).toBe(false);
    mem.mapcount[0] = PAGE_MAPCOUNT_RESERVE; // underflowed mapcount, still not a type
    expect(pageHasType(mem, 0)).toBe(false);
    debugVm.on = true;
    mem.mapcount[0] = 0;
    expect(() => setPageBuddy(mem, 0)).toThrow(MmBugError);
    pageMapcountReset(mem, 0);
    expect(() => clearPageBuddy(mem, 0)).toThrow(MmBugError);
    setPageBuddy(mem, 0);
    expect(() => clearPageTable(mem, 0)).toThrow(MmBugError);
    debugVm.on = false;
    mem.mapcount[0] = 0;
    expect(() => setPageBuddy(mem, 0)).not.toThrow();
  });
});

describe("node and zone", () => {
  it("packs (nid << ZONES_SHIFT) | zid with ZONES_SHIFT 2", () => {
    expect(ZONES_SHIFT).toBe(2);
    expect(ZONES_MASK).toBe(3);
    expect(1 << ZONES_SHIFT).toBeGreaterThanOrEqual(MAX_NR_ZONES);
    const mem = makeView(3);
    setPageZoneNode(mem, 0, 0, ZONE_DMA);
    setPageZoneNode(mem, 1, 3, ZONE_MOVABLE);
    setPageZoneNode(mem, 2, 15, ZONE_NORMAL);
    expect([pageToNid(mem, 0), pageZonenum(mem, 0)]).toEqual([0, ZONE_DMA]);
    expect([pageToNid(mem, 1), pageZonenum(mem, 1)]).toEqual([3, ZONE_MOVABLE]);
    expect(mem.nodeZone[1]).toBe(15);
    expect([pageToNid(mem, 2), pageZonenum(mem, 2)]).toEqual([15, ZONE_NORMAL]);
  });

  it("works on a MemMap", () => {
    const mem: PageFlagsView = new MemMap({ basePfn: 0x40000, nrPages: 8, nrListHeads: 0 });
    setPageZoneNode(mem, 7, 0, ZONE_DMA);
    setPageBuddy(mem, 7);
    setPageReserved(mem, 6);
    expect(pageBuddy(mem, 7)).toBe(true);
    expect(pageReserved(mem, 6)).toBe(true);
    expect(pageZonenum(mem, 7)).toBe(ZONE_DMA);
  });
});

describe("formatPageFlags (%pGp names, __def_pageflag_names)", () => {
  it("lists every flag of the config once", () => {
    expect(pageflagNames.length).toBe(__NR_PAGEFLAGS);
    expect(new Set(pageflagNames.map((e) => e[0])).size).toBe(__NR_PAGEFLAGS);
  });

  it("prints in table order", () => {
    const f = (...bits: number[]): number => bits.reduce((a, b) => (a | (1 << b)) >>> 0, 0);
    expect(formatPageFlags(f(PG_referenced, PG_uptodate, PG_lru, PG_active))).toBe("referenced|uptodate|lru|active");
    expect(formatPageFlags(f(PG_locked, PG_error, PG_referenced, PG_waiters))).toBe("locked|waiters|error|referenced");
    expect(formatPageFlags(f(PG_reserved))).toBe("reserved");
    expect(formatPageFlags(f(PG_slab, PG_head))).toBe("slab|head");
    expect(formatPageFlags(f(PG_swapbacked, PG_unevictable, PG_mlocked, PG_hwpoison, PG_arch_2))).toBe(
      "swapbacked|unevictable|mlocked|hwpoison|arch_2",
    );
    expect(formatPageFlags(0)).toBe("");
    expect(formatPageFlags(f(PG_lru, 24))).toBe("lru|0x1000000");
    expect(formatPageFlags(0x80000000)).toBe("0x80000000");
  });
});

describe("LRU_GEN / LRU_REFS fields of page->flags (CONFIG_LRU_GEN)", () => {
  it("sit above the PG_* bits, refs below gen, inside the 32-bit word", () => {
    expect(LRU_REFS_MASK & PAGEFLAGS_MASK).toBe(0);
    expect(LRU_GEN_MASK & PAGEFLAGS_MASK).toBe(0);
    expect(LRU_GEN_MASK & LRU_REFS_MASK).toBe(0);
    expect(LRU_REFS_PGOFF).toBe(__NR_PAGEFLAGS);
    expect(LRU_GEN_PGOFF).toBe(LRU_REFS_PGOFF + LRU_REFS_WIDTH);
    expect(LRU_GEN_PGOFF + LRU_GEN_WIDTH).toBeLessThanOrEqual(32);
    // gen + 1 of the highest generation (MAX_NR_GENS = 4) fits the field
    expect((4 << LRU_GEN_PGOFF) & ~LRU_GEN_MASK).toBe(0);
    expect(LRU_REFS_MASK).toBe(0x3000000);
    expect(LRU_GEN_MASK).toBe(0x1c000000);
  });
});
