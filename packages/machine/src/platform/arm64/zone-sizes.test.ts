// mmsim: tests of arch/arm64/mm/init.c zone_sizes_init() / max_zone_phys() (v6.1)
import { describe, expect, it } from "vitest";
import { ArgumentError, SZ_1G, SZ_4G, ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL } from "@mmsim/core";
import { PAGES_PER_SECTION } from "@mmsim/buddy";
import { maxZonePhys, zoneSizesInit } from "./zone-sizes.ts";

describe("zoneSizesInit (arm64 zone_sizes_init)", () => {
  it("reference board, 1 GiB at 0x40000000: DMA ends at 0x80000, DMA32 and Normal empty (dmesg: DMA [mem 0x40000000-0x7fffffff], DMA32 empty, Normal empty)", () => {
    const z = zoneSizesInit({ dramStart: 0x40000000, dramEnd: 0x80000000 });
    expect(z.zoneDmaBits).toBe(32); // no dma-ranges, no IORT: min3(32, 64, 64)
    expect(z.maxZonePfn[ZONE_DMA]).toBe(0x80000);
    expect(z.maxZonePfn[ZONE_DMA32]).toBe(0x80000); // = DMA's end: free_area_init makes it empty
    expect(z.maxZonePfn[ZONE_NORMAL]).toBe(0x80000); // max_pfn
    expect(z.maxZonePfn[ZONE_MOVABLE]).toBe(0);
    expect(z.arm64DmaPhysLimit).toBe(0x80000000); // the CMA area is placed below this
  });

  it("4 GiB at 0x40000000: DMA (and DMA32) up to 4 GiB, Normal above", () => {
    const z = zoneSizesInit({ dramStart: 0x40000000, dramEnd: 0x40000000 + SZ_4G });
    expect(z.maxZonePfn).toEqual([0x100000, 0x100000, 0x140000, 0]);
    expect(z.arm64DmaPhysLimit).toBe(SZ_4G);
  });

  it("DRAM above 4 GiB: every zone limit stretches to the end of RAM", () => {
    const start = 0x80_0000_0000;
    const z = zoneSizesInit({ dramStart: start, dramEnd: start + SZ_1G });
    const endPfn = (start + SZ_1G) / 4096;
    expect(z.maxZonePfn).toEqual([endPfn, endPfn, endPfn, 0]);
  });

  it("a firmware DMA limit of 30 bits (dma-ranges): ZONE_DMA is the first GiB when RAM starts at 0", () => {
    const z = zoneSizesInit({ dramStart: 0, dramEnd: SZ_4G + SZ_1G, dtZoneDmaBits: 30 });
    expect(z.zoneDmaBits).toBe(30);
    expect(z.maxZonePfn).toEqual([0x40000, 0x100000, 0x140000, 0]);
  });

  it("max_zone_phys: RAM starting above the zone mask widens the zone to 4 GiB", () => {
    // 30-bit mask 0x3fffffff < 0x40000000 = start, so zone_mask = U32_MAX
    expect(maxZonePhys(30, 0x40000000, 0x40000000 + SZ_4G)).toBe(SZ_4G);
    // capped by the end of RAM
    expect(maxZonePhys(32, 0x40000000, 0x60000000)).toBe(0x60000000);
  });

  it("PAGES_PER_SECTION is 32768 (SECTION_SIZE_BITS 27, 4 KiB pages)", () => {
    expect(PAGES_PER_SECTION).toBe(32768);
  });

  it("rejects a layout with end <= start", () => {
    expect(() => zoneSizesInit({ dramStart: 0x40000000, dramEnd: 0x40000000 })).toThrow(ArgumentError);
  });
});
