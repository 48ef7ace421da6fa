// Kernel: mm/page-writeback.c (v6.1) — global_dirty_limits() arithmetic
/*
 * The two /proc/vmstat writeback items are computed on every read. The reference values
 * (46845 / 23394) are also checked by the proc_vmstat golden in vmstat.test.ts.
 */
import { describe, expect, it } from "vitest";
import { LRU_ACTIVE_FILE, NR_FREE_PAGES, NR_LRU_BASE, ZONE_DMA } from "@mmsim/core";
import { DEFAULT_DIRTY_SYSCTL, domainDirtyLimits, globalDirtyLimits, globalDirtyableMemory } from "./page-writeback.ts";
import { referenceState } from "./reference.test-helpers.ts";

describe("global_dirty_limits", () => {
  it("reference board: free above totalreserve_pages, plus 1, in per-PAGE_SIZE ratios", () => {
    const pa = referenceState();
    pa.zones[ZONE_DMA]!.vmStat[NR_FREE_PAGES] = 242732;
    expect(globalDirtyableMemory(pa, pa.vmstat)).toBe(242732 - 8448 + 1);
    expect(globalDirtyLimits(pa, pa.vmstat)).toEqual({ thresh: 46845, bgThresh: 23394 });
  });

  it("adds the file LRUs and never goes below 1", () => {
    const pa = referenceState();
    pa.zones[ZONE_DMA]!.vmStat[NR_FREE_PAGES] = 100; // below the reserve
    pa.pgdat[0]!.vmStat[NR_LRU_BASE + LRU_ACTIVE_FILE] = 50;
    expect(globalDirtyableMemory(pa, pa.vmstat)).toBe(51);
  });

  it("uses dirty_bytes / dirty_background_bytes when set, and halves a background limit at or above the limit", () => {
    expect(domainDirtyLimits(100000, { ...DEFAULT_DIRTY_SYSCTL, dirtyBytes: 4097 * 10 })).toEqual({ thresh: 11, bgThresh: 5 });
    expect(domainDirtyLimits(100000, { ...DEFAULT_DIRTY_SYSCTL, dirtyBackgroundBytes: 1 << 20 })).toEqual({ thresh: 19995, bgThresh: 256 });
    expect(domainDirtyLimits(100000, { ...DEFAULT_DIRTY_SYSCTL, dirtyBackgroundRatio: 30 })).toEqual({ thresh: 19995, bgThresh: 9997 });
  });
});
