import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  ANON_AND_FILE, HPAGE_PMD_NR, LRU_ACTIVE, LRU_ACTIVE_ANON, LRU_ACTIVE_FILE, LRU_BASE, LRU_FILE,
  LRU_INACTIVE_ANON, LRU_INACTIVE_FILE, LRU_UNEVICTABLE, MAX_NR_ZONES, MAX_NUMNODES, MAX_ORDER,
  MAX_ORDER_NR_PAGES, MAX_PAGE_ORDER, MAX_ZONES_PER_ZONELIST, MIGRATE_CMA, MIGRATE_HIGHATOMIC, MIGRATE_ISOLATE,
  MIGRATE_MOVABLE, MIGRATE_PCPTYPES, MIGRATE_RECLAIMABLE, MIGRATE_TYPES, MIGRATE_UNMOVABLE, MIGRATETYPE_MASK,
  NODES_SHIFT, NR_LOWORDER_PCP_LISTS, NR_LRU_LISTS, NR_PAGE_ORDERS, NR_PAGEBLOCK_BITS, NR_PCP_LISTS, NR_PCP_THP,
  NR_WMARK, NUMA_NO_NODE, PAGE_ALLOC_COSTLY_ORDER, PAGEBLOCK_NR_PAGES, PAGEBLOCK_ORDER, PB_migrate,
  PB_migrate_end, PB_migrate_skip, PB_migratetype_bits, WMARK_HIGH, WMARK_LOW, WMARK_MIN, WMARK_PROMO, ZONE_DMA,
  ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL, isActiveLru, isFileLru, isMigrateCma, isMigrateMovable,
  lruListNames, lruListOf, migratetypeIsMergeable, migratetypeNames, pageblockAligned, pageblockEndPfn,
  pageblockStartPfn, zoneNames,
} from "./mmzone.ts";

/** The real 6.1 capture of the 1 GiB / 2 CPU virt board, kept in the repo (tests/conformance/fixtures/README.md). */
const REF_DIR = join(dirname(fileURLToPath(import.meta.url)), "../../../tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu");
const ref = (name: string): string => readFileSync(join(REF_DIR, name), "utf8");

describe("mmzone constants (6.1, arm64 Debian)", () => {
  it("orders: 6.1's exclusive MAX_ORDER and the unambiguous spellings", () => {
    expect(MAX_ORDER).toBe(11);
    expect(NR_PAGE_ORDERS).toBe(11);
    expect(MAX_PAGE_ORDER).toBe(10);
    expect(MAX_ORDER_NR_PAGES).toBe(1024);
    expect(PAGE_ALLOC_COSTLY_ORDER).toBe(3);
  });

  it("migratetypes with CMA and MEMORY_ISOLATION", () => {
    expect([MIGRATE_UNMOVABLE, MIGRATE_MOVABLE, MIGRATE_RECLAIMABLE, MIGRATE_PCPTYPES]).toEqual([0, 1, 2, 3]);
    expect([MIGRATE_HIGHATOMIC, MIGRATE_CMA, MIGRATE_ISOLATE, MIGRATE_TYPES]).toEqual([3, 4, 5, 6]);
    expect(migratetypeNames.length).toBe(MIGRATE_TYPES);
    expect(isMigrateMovable(MIGRATE_MOVABLE) && isMigrateMovable(MIGRATE_CMA)).toBe(true);
    expect(isMigrateMovable(MIGRATE_RECLAIMABLE)).toBe(false);
    expect(isMigrateCma(MIGRATE_CMA) && !isMigrateCma(MIGRATE_ISOLATE)).toBe(true);
    expect([0, 1, 2, 3, 4, 5].map(migratetypeIsMergeable)).toEqual([true, true, true, false, false, false]);
  });

  it("pageblocks: order 9, 4 bits each, 3 of them for the migratetype", () => {
    expect(PAGEBLOCK_ORDER).toBe(9);
    expect(PAGEBLOCK_NR_PAGES).toBe(512);
    expect(HPAGE_PMD_NR).toBe(512);
    expect([PB_migrate, PB_migrate_end, PB_migrate_skip, NR_PAGEBLOCK_BITS]).toEqual([0, 2, 3, 4]);
    expect(PB_migratetype_bits).toBe(3);
    expect(MIGRATETYPE_MASK).toBe(7);
    expect(MIGRATE_TYPES).toBeLessThanOrEqual(MIGRATETYPE_MASK + 1);
    expect(pageblockStartPfn(0x40000 + 700)).toBe(0x40200);
    expect(pageblockEndPfn(0x40000 + 700)).toBe(0x40400);
    expect(pageblockAligned(0x40200)).toBe(true);
    expect(pageblockAligned(0x40201)).toBe(false);
  });

  it("zones, nodes, zonelists", () => {
    expect([ZONE_DMA, ZONE_DMA32, ZONE_NORMAL, ZONE_MOVABLE, MAX_NR_ZONES]).toEqual([0, 1, 2, 3, 4]);
    expect(zoneNames).toEqual(["DMA", "DMA32", "Normal", "Movable"]);
    expect(NUMA_NO_NODE).toBe(-1);
    expect(NODES_SHIFT).toBe(4);
    expect(MAX_NUMNODES).toBe(16);
    expect(MAX_ZONES_PER_ZONELIST).toBe(64);
  });

  it("watermarks and per-CPU lists", () => {
    expect([WMARK_MIN, WMARK_LOW, WMARK_HIGH, WMARK_PROMO, NR_WMARK]).toEqual([0, 1, 2, 3, 4]);
    expect(NR_PCP_THP).toBe(2);
    expect(NR_LOWORDER_PCP_LISTS).toBe(12);
    expect(NR_PCP_LISTS).toBe(14);
  });

  it("LRU index arithmetic", () => {
    expect([LRU_BASE, LRU_ACTIVE, LRU_FILE]).toEqual([0, 1, 2]);
    expect([LRU_INACTIVE_ANON, LRU_ACTIVE_ANON, LRU_INACTIVE_FILE, LRU_ACTIVE_FILE, LRU_UNEVICTABLE]).toEqual([0, 1, 2, 3, 4]);
    expect(NR_LRU_LISTS).toBe(5);
    expect(ANON_AND_FILE).toBe(2);
    expect(lruListOf(false, false)).toBe(LRU_INACTIVE_ANON);
    expect(lruListOf(false, true)).toBe(LRU_ACTIVE_ANON);
    expect(lruListOf(true, false)).toBe(LRU_INACTIVE_FILE);
    expect(lruListOf(true, true)).toBe(LRU_ACTIVE_FILE);
    expect([0, 1, 2, 3, 4].map(isFileLru)).toEqual([false, false, true, true, false]);
    expect([0, 1, 2, 3, 4].map(isActiveLru)).toEqual([false, true, false, true, false]);
    expect(lruListNames.length).toBe(NR_LRU_LISTS);
  });
});

describe("mmzone against the real 6.1 capture", () => {
  it("zone names and count match /proc/zoneinfo (no ZONE_DEVICE, no HighMem)", () => {
    const zones = [...ref("proc_zoneinfo").matchAll(/^Node 0, zone +(\S+)$/gm)].map((m) => m[1]);
    expect(zones).toEqual([...zoneNames]);
    expect(zones.length).toBe(MAX_NR_ZONES);
    const protection = /protection: \(([^)]*)\)/.exec(ref("proc_zoneinfo"));
    expect(protection?.[1].split(", ").length).toBe(MAX_NR_ZONES);
  });

  it("6.1's zoneinfo prints min/low/high but no promo line (WMARK_PROMO exists but is not shown)", () => {
    const zi = ref("proc_zoneinfo");
    expect(zi).toMatch(/^ {8}min {6}\d+$/m);
    expect(zi).toMatch(/^ {8}low {6}\d+$/m);
    expect(zi).toMatch(/^ {8}high {5}\d+$/m);
    expect(zi).not.toMatch(/^ +promo +\d/m);
  });

  it("migratetype names and pageblock size match /proc/pagetypeinfo", () => {
    const pti = ref("proc_pagetypeinfo");
    expect(pti).toContain(`Page block order: ${PAGEBLOCK_ORDER}\n`);
    expect(pti).toContain(`Pages per block:  ${PAGEBLOCK_NR_PAGES}\n`);
    const rows = [...pti.matchAll(/^Node +0, zone +DMA, type +(\S+) /gm)].map((m) => m[1]);
    expect(rows).toEqual([...migratetypeNames]);
    const header = /^Number of blocks type +(.*)$/m.exec(pti);
    expect(header?.[1].trim().split(/ +/)).toEqual([...migratetypeNames]);
    const orders = /^Free pages count per migrate type at order +(.*)$/m.exec(pti);
    expect(orders?.[1].trim().split(/ +/).map(Number)).toEqual(Array.from({ length: NR_PAGE_ORDERS }, (_, i) => i));
  });

  it("buddyinfo has NR_PAGE_ORDERS columns", () => {
    const line = ref("proc_buddyinfo").split("\n")[0];
    expect(line.trim().split(/ +/).length - 4).toBe(NR_PAGE_ORDERS); // "Node 0, zone DMA" + counts
  });
});
