// mmsim: tests of hugepage_init()'s small-system rule (mm/huge_memory.c, v6.1) against the real 256 MiB – 1 GiB captures
import { readFileSync } from "node:fs";
import { WMARK_HIGH, WMARK_LOW, WMARK_MIN, ZONE_DMA } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { makeBoard, virtZoneSizes } from "./buddy-init.test-helpers.ts";
import { HUGEPAGE_MIN_TOTALRAM_PAGES, hugepageInit } from "./huge-memory.ts";
import { freeAreaInit } from "./mm-init.ts";
import type { PageAllocState } from "./page-alloc-state.ts";
import { initPerZoneWmarkMin, setupPerCpuPageset } from "./watermarks.ts";
import { buildAllZonelists } from "./zonelist.ts";

/** A file of one of the real 6.1.192 captures. */
function capture(board: string, name: string): string {
  return readFileSync(new URL(`../../../tests/conformance/fixtures/linux-6.1-arm64/${board}/${name}`, import.meta.url), "utf8");
}

/** The capture's min_free_kbytes, DMA min/low/high, and the THP `enabled` file. */
function real(board: string) {
  const zi = capture(board, "proc_zoneinfo");
  const num = (re: RegExp) => Number(re.exec(zi)![1]);
  return {
    minFreeKbytes: Number(/^min_free_kbytes: (\d+)$/m.exec(capture(board, "proc_sys_vm"))![1]),
    wmarks: [num(/\n\s+min\s+(\d+)/), num(/\n\s+low\s+(\d+)/), num(/\n\s+high\s+(\d+)/)],
    thp: capture(board, "sys_kernel_mm_transparent_hugepage_enabled").trim(),
    raised: /raising min_free_kbytes/.test(capture(board, "dmesg")),
  };
}

/**
 * A one-zone board of `mib` MiB at the postcore_initcall: DMA's managed pages (and totalram_pages)
 * as they were then — the capture's final managed less the initrd (241 pages) and the init
 * memory (1616 pages) freed after the initcalls.
 */
function boardAtPostcore(mib: number, cpus: number, managed: number, transparentHugepage = true): PageAllocState {
  const end = 0x40000 + mib * 256;
  const { maxZonePfn } = virtZoneSizes(end * 4096);
  const pa = makeBoard({ nodes: [{ nid: 0, ranges: [[0x40000, end]] }], maxZonePfn, nrCpus: cpus, transparentHugepage });
  freeAreaInit(pa);
  buildAllZonelists(pa);
  pa.zones[ZONE_DMA]!.managedPages = managed;
  pa.totalramPages = managed;
  setupPerCpuPageset(pa);
  initPerZoneWmarkMin(pa);
  return pa;
}

const wm = (pa: PageAllocState) => {
  const z = pa.zones[ZONE_DMA]!;
  return [z.watermark[WMARK_MIN], z.watermark[WMARK_LOW], z.watermark[WMARK_HIGH]];
};

describe("hugepage_init", () => {
  it("leaves THP off under 512 MiB of totalram: min_free_kbytes stays int_sqrt(lowmem kB × 16), as on the real 512 MiB board", () => {
    // virt-512m-1cpu: final managed 121665 − 241 − 1616 = 119808 pages; int_sqrt(119808 × 4 × 16) = 2769.
    const pa = boardAtPostcore(512, 1, 121665 - 241 - 1616);
    const want = real("virt-512m-1cpu");
    expect(hugepageInit(pa)).toBe(false);
    expect(pa.hugepageFlagsEnabled).toBe(false);
    expect(want.thp).toBe("always madvise [never]");
    expect(want.raised).toBe(false);
    expect(pa.sysctl.minFreeKbytes).toBe(want.minFreeKbytes);
    expect(pa.sysctl.minFreeKbytes).toBe(2769);
    // The final managed count adds 1857 pages after the watermarks were set: min/low/high do not move.
    expect(wm(pa)).toEqual(want.wmarks);
  });

  it("and on the real 256 MiB board", () => {
    const pa = boardAtPostcore(256, 2, 57345 - 241 - 1616);
    const want = real("virt-256m-2cpu");
    expect(hugepageInit(pa)).toBe(false);
    expect([pa.sysctl.minFreeKbytes, ...wm(pa)]).toEqual([want.minFreeKbytes, ...want.wmarks]);
  });

  it("starts khugepaged from 512 MiB of totalram on: min_free_kbytes raised to 5632 pages, as on the real 1 GiB board", () => {
    const pa = boardAtPostcore(1024, 8, 250022 - 241 - 1616);
    const want = real("virt-1g-8cpu");
    expect(hugepageInit(pa)).toBe(true);
    expect(pa.hugepageFlagsEnabled).toBe(true);
    expect(want.thp).toBe("[always] madvise never");
    expect([pa.sysctl.minFreeKbytes, ...wm(pa)]).toEqual([want.minFreeKbytes, ...want.wmarks]);
    expect(pa.sysctl.minFreeKbytes).toBe(22528);
  });

  it("draws the line at totalram_pages < 512 << (20 − PAGE_SHIFT), whatever the board's RAM", () => {
    expect(HUGEPAGE_MIN_TOTALRAM_PAGES).toBe(131072);
    const at = (pages: number) => {
      const pa = boardAtPostcore(1024, 2, pages);
      return [hugepageInit(pa), pa.sysctl.minFreeKbytes];
    };
    expect(at(131071)).toEqual([false, 2896]);
    expect(at(131072)).toEqual([true, 22528]);
  });

  it("does nothing without CONFIG_TRANSPARENT_HUGEPAGE", () => {
    const pa = boardAtPostcore(1024, 2, 248352, false);
    expect(hugepageInit(pa)).toBe(false);
    expect(pa.sysctl.minFreeKbytes).toBe(3986);
  });
});
