import { describe, it, expect } from "vitest";
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { LRU_UNEVICTABLE, NR_LRU_LISTS, lruListNames, zoneNames, MAX_NR_ZONES } from "./mmzone.ts";
import {
  ALLOCSTALL_DMA, COMPACTSTALL, KCOMPACTD_WAKE, NR_ACTIVE_FILE, NR_ANON_MAPPED, NR_ANON_THPS,
  NR_DIRTY_BG_THRESHOLD, NR_DIRTY_THRESHOLD, NR_FILE_MAPPED, NR_FREE_CMA_PAGES, NR_FREE_PAGES,
  NR_INACTIVE_ANON, NR_KERNEL_STACK_KB, NR_LRU_BASE, NR_MLOCK, NR_PAGETABLE, NR_SHMEM_THPS,
  NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B, NR_SWAPCACHE, NR_VM_EVENT_ITEMS, NR_VM_NODE_STAT_ITEMS,
  NR_VM_NUMA_EVENT_ITEMS, NR_VM_WRITEBACK_STAT_ITEMS, NR_VM_ZONE_STAT_ITEMS, NR_VMSTAT_ITEMS,
  NR_ZONE_ACTIVE_FILE, NR_ZONE_INACTIVE_ANON, NR_ZONE_LRU_BASE, NR_ZONE_UNEVICTABLE, NR_ZSPAGES,
  NUMA_HIT, NUMA_INTERLEAVE_HIT, NUMA_OTHER, NUMA_PAGE_MIGRATE, PGALLOC_DMA, PGALLOC_MOVABLE,
  PGALLOC_NORMAL, PGFAULT, PGFREE, PGPGIN, PGPGOUT, PGPROMOTE_CANDIDATE, PGSCAN_SKIP_DMA,
  PGSCAN_ZONE_RECLAIM_FAILED, PGSTEAL_FILE, THP_SWPOUT_FALLBACK, WORKINGSET_NODERECLAIM, ZSWPIN, ZSWPOUT,
  lruListName, nodeStatName, nodeStatNames, nodeStatPrintValue, numaStatName, numaStatNames,
  vmEventName, vmEventNames, vmEventPrintValue, vmstatDeprecatedNames, vmstatItemInBytes,
  vmstatItemPrintInThp, vmstatText, writebackStatName, writebackStatNames, zoneStatName, zoneStatNames,
} from "./vmstat.ts";

/** The real 6.1 capture of the 1 GiB / 2 CPU virt board, kept in the repo (tests/conformance/fixtures/README.md). */
const REF_DIR = join(dirname(fileURLToPath(import.meta.url)), "../../../tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu");
const ref = (name: string): string => readFileSync(join(REF_DIR, name), "utf8");

describe("vmstat ids and counts", () => {
  it("has one name per id in each space", () => {
    expect(zoneStatNames.length).toBe(NR_VM_ZONE_STAT_ITEMS);
    expect(numaStatNames.length).toBe(NR_VM_NUMA_EVENT_ITEMS);
    expect(nodeStatNames.length).toBe(NR_VM_NODE_STAT_ITEMS);
    expect(writebackStatNames.length).toBe(NR_VM_WRITEBACK_STAT_ITEMS);
    expect(vmEventNames.length).toBe(NR_VM_EVENT_ITEMS);
    expect(vmstatText.length).toBe(NR_VMSTAT_ITEMS);
    expect(NR_VMSTAT_ITEMS).toBe(11 + 6 + 43 + 2 + 106);
    expect(new Set(vmstatText).size).toBe(vmstatText.length);
  });

  it("maps ids to the kernel's names", () => {
    expect(zoneStatName(NR_FREE_PAGES)).toBe("nr_free_pages");
    expect(zoneStatName(NR_MLOCK)).toBe("nr_mlock");
    expect(zoneStatName(NR_ZSPAGES)).toBe("nr_zspages");
    expect(zoneStatName(NR_FREE_CMA_PAGES)).toBe("nr_free_cma");
    expect(numaStatName(NUMA_HIT)).toBe("numa_hit");
    expect(numaStatName(NUMA_INTERLEAVE_HIT)).toBe("numa_interleave");
    expect(numaStatName(NUMA_OTHER)).toBe("numa_other");
    expect(nodeStatName(NR_INACTIVE_ANON)).toBe("nr_inactive_anon");
    expect(nodeStatName(NR_SLAB_RECLAIMABLE_B)).toBe("nr_slab_reclaimable");
    expect(nodeStatName(NR_SLAB_UNRECLAIMABLE_B)).toBe("nr_slab_unreclaimable");
    expect(nodeStatName(WORKINGSET_NODERECLAIM)).toBe("workingset_nodereclaim");
    expect(nodeStatName(NR_ANON_MAPPED)).toBe("nr_anon_pages");
    expect(nodeStatName(NR_FILE_MAPPED)).toBe("nr_mapped");
    expect(nodeStatName(NR_ANON_THPS)).toBe("nr_anon_transparent_hugepages");
    expect(nodeStatName(NR_KERNEL_STACK_KB)).toBe("nr_kernel_stack");
    expect(nodeStatName(NR_PAGETABLE)).toBe("nr_page_table_pages");
    expect(nodeStatName(NR_SWAPCACHE)).toBe("nr_swapcached");
    expect(nodeStatName(PGPROMOTE_CANDIDATE)).toBe("pgpromote_candidate");
    expect(writebackStatName(NR_DIRTY_THRESHOLD)).toBe("nr_dirty_threshold");
    expect(writebackStatName(NR_DIRTY_BG_THRESHOLD)).toBe("nr_dirty_background_threshold");
    expect(vmEventName(PGPGIN)).toBe("pgpgin");
    expect(vmEventName(PGFREE)).toBe("pgfree");
    expect(vmEventName(PGFAULT)).toBe("pgfault");
    expect(vmEventName(PGSTEAL_FILE)).toBe("pgsteal_file");
    expect(vmEventName(PGSCAN_ZONE_RECLAIM_FAILED)).toBe("zone_reclaim_failed");
    expect(vmEventName(NUMA_PAGE_MIGRATE)).toBe("numa_pages_migrated");
    expect(vmEventName(COMPACTSTALL)).toBe("compact_stall");
    expect(vmEventName(KCOMPACTD_WAKE)).toBe("compact_daemon_wake");
    expect(vmEventName(THP_SWPOUT_FALLBACK)).toBe("thp_swpout_fallback");
    expect(vmEventName(ZSWPIN)).toBe("zswpin");
    expect(vmEventName(ZSWPOUT)).toBe("zswpout");
    expect(ZSWPOUT).toBe(NR_VM_EVENT_ITEMS - 1);
  });

  it("lays out per-zone events as FOR_ALL_ZONES: PGALLOC_DMA + zid", () => {
    for (let zid = 0; zid < MAX_NR_ZONES; zid++) {
      const z = zoneNames[zid].toLowerCase();
      expect(vmEventName(PGALLOC_DMA + zid)).toBe(`pgalloc_${z}`);
      expect(vmEventName(ALLOCSTALL_DMA + zid)).toBe(`allocstall_${z}`);
      expect(vmEventName(PGSCAN_SKIP_DMA + zid)).toBe(`pgskip_${z}`);
    }
    expect(PGALLOC_NORMAL).toBe(PGALLOC_DMA + 2);
    expect(PGALLOC_MOVABLE).toBe(PGALLOC_DMA + 3);
  });

  it("keeps the LRU order in the zone and node stat ids", () => {
    for (let lru = 0; lru < NR_LRU_LISTS; lru++) {
      expect(zoneStatName(NR_ZONE_LRU_BASE + lru)).toBe(`nr_zone_${lruListNames[lru]}`);
      expect(nodeStatName(NR_LRU_BASE + lru)).toBe(`nr_${lruListNames[lru]}`);
      expect(lruListName(lru)).toBe(lruListNames[lru]);
    }
    expect(NR_ZONE_INACTIVE_ANON).toBe(NR_ZONE_LRU_BASE);
    expect(NR_ZONE_ACTIVE_FILE).toBe(NR_ZONE_LRU_BASE + 3);
    expect(NR_ZONE_UNEVICTABLE).toBe(NR_ZONE_LRU_BASE + LRU_UNEVICTABLE);
    expect(NR_ACTIVE_FILE).toBe(NR_LRU_BASE + 3);
  });

  it("knows the units", () => {
    expect(vmstatItemInBytes(NR_SLAB_RECLAIMABLE_B)).toBe(true);
    expect(vmstatItemInBytes(NR_SLAB_UNRECLAIMABLE_B)).toBe(true);
    expect(vmstatItemInBytes(NR_KERNEL_STACK_KB)).toBe(false);
    expect(vmstatItemPrintInThp(NR_ANON_THPS)).toBe(true);
    expect(vmstatItemPrintInThp(NR_SHMEM_THPS)).toBe(true);
    expect(vmstatItemPrintInThp(NR_PAGETABLE)).toBe(false);
    expect(nodeStatPrintValue(NR_ANON_THPS, 1536)).toBe(3);
    expect(nodeStatPrintValue(NR_ANON_THPS, 511)).toBe(0);
    expect(nodeStatPrintValue(NR_PAGETABLE, 14)).toBe(14);
    expect(vmEventPrintValue(PGPGIN, 7)).toBe(3);
    expect(vmEventPrintValue(PGPGOUT, 8)).toBe(4);
    expect(vmEventPrintValue(PGFREE, 7)).toBe(7);
  });
});

describe("vmstat names against the real 6.1 capture", () => {
  it("vmstat_text[] plus the deprecated lines equals /proc/vmstat's first column, line by line", () => {
    const lines = ref("proc_vmstat").trimEnd().split("\n");
    const captured = lines.map((l) => l.split(" ")[0]);
    const ours = [...vmstatText, ...vmstatDeprecatedNames];
    for (let i = 0; i < Math.max(captured.length, ours.length); i++) {
      expect(ours[i], `line ${i + 1}`).toBe(captured[i]);
    }
    expect(ours.length).toBe(captured.length);
    expect(lines[lines.length - 1]).toBe("nr_unstable 0");
  });

  it("per-node stats of /proc/zoneinfo are the node stat names", () => {
    const zi = ref("proc_zoneinfo");
    const block = zi.slice(zi.indexOf("  per-node stats\n") + "  per-node stats\n".length, zi.indexOf("  pages free"));
    const names = block.trimEnd().split("\n").map((l) => l.trim().split(/ +/)[0]);
    expect(names).toEqual([...nodeStatNames]);
  });

  it("per-zone stats of /proc/zoneinfo are the zone then NUMA stat names", () => {
    const zi = ref("proc_zoneinfo");
    const from = zi.indexOf("\n", zi.indexOf("        protection:")) + 1;
    const block = zi.slice(from, zi.indexOf("  pagesets"));
    const names = block.trimEnd().split("\n").map((l) => l.trim().split(/ +/)[0]);
    expect(names).toEqual([...zoneStatNames, ...numaStatNames]);
  });
});
