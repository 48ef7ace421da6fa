// Kernel: arch/arm64/mm/init.c (v6.1) — zone_sizes_init(), max_zone_phys(); arch/arm64/include/asm/sparsemem.h
/*
 * The architecture's half of zone sizing: arm64 tells free_area_init() where each zone ends
 * (`max_zone_pfns[]`), and the generic code (@mmsim/buddy's mm-init.ts) cuts the nodes' memory
 * into zones. The arm64 platform's bootmem_init calls it (platform.ts); SECTION_SIZE_BITS and
 * PAGES_PER_SECTION, which generic code uses too, are @mmsim/buddy's (sparsemem.ts).
 * Followed: arch/arm64/mm/init.c of 6.1.129 (the FreshlyCutWax/Linux-Kernel-KTMM-6.1 tree),
 * identical in these functions to the reference kernel 6.1.192.
 *
 * Config of the reference (config-6.1.0-56-arm64): CONFIG_ZONE_DMA=y, CONFIG_ZONE_DMA32=y,
 * ARM64_4K_PAGES, ARM64_VA_BITS_48 -> SECTION_SIZE_BITS 27 (128 MiB sections).
 *
 * zone_dma_bits = min3(32, fls64(of_dma_get_max_cpu_address(NULL)),
 * fls64(acpi_iort_dma_get_max_cpu_address())). On QEMU virt there is no `dma-ranges` in the
 * device tree and no ACPI IORT: both helpers return PHYS_ADDR_MAX, fls64 of which is 64, so
 * zone_dma_bits is 32. A board whose firmware limits DMA passes its own bit counts.
 *
 * Simplified: physical addresses are JS numbers (mmsim's PHYS_ADDR_MAX is 2^53 - 1, not
 * 2^64 - 1; see docs/architecture.md §3), so DMA_BIT_MASK(n) is exact for n <= 52 and n >= 53
 * means "no limit".
 */
import { ArgumentError, MAX_NR_ZONES, ZONE_DMA, ZONE_DMA32, ZONE_MOVABLE, ZONE_NORMAL, describeValue, pfnDown, PHYS_ADDR_MAX } from "@mmsim/core";

/** Largest 32-bit value. Kernel: `U32_MAX`. */
const U32_MAX = 0xffffffff;

/** What zone_sizes_init() is computed from. */
export interface Arm64DramLayout {
  /** memblock_start_of_DRAM(): first byte of RAM. */
  readonly dramStart: number;
  /** memblock_end_of_DRAM(): one past the last byte of RAM. */
  readonly dramEnd: number;
  /**
   * fls64(of_dma_get_max_cpu_address(NULL)): 64 (the default) when the device tree has no
   * `dma-ranges`, as on QEMU virt.
   */
  readonly dtZoneDmaBits?: number;
  /** fls64(acpi_iort_dma_get_max_cpu_address()): 64 (the default) without ACPI IORT. */
  readonly acpiZoneDmaBits?: number;
}

/** What zone_sizes_init() leaves behind. */
export interface Arm64ZoneSizes {
  /** `max_zone_pfns[]` handed to free_area_init(): DMA, DMA32, Normal (= max_pfn), Movable (0). */
  readonly maxZonePfn: readonly number[];
  /** `zone_dma_bits` (kernel/dma/direct.c global, set here). */
  readonly zoneDmaBits: number;
  /** `arm64_dma_phys_limit`: one past the last byte of ZONE_DMA; the CMA area is reserved below it. */
  readonly arm64DmaPhysLimit: number;
}

/** `DMA_BIT_MASK(n)`: the largest address n bits can hold (PHYS_ADDR_MAX for n >= 53 in mmsim). */
function dmaBitMask(bits: number): number {
  return bits >= 53 ? PHYS_ADDR_MAX : 2 ** bits - 1;
}

/**
 * One past the highest physical address a zone limited to `zoneBits` address bits may reach.
 * If DRAM starts above 4 GiB the zone covers all of RAM; if it starts above the zone's mask the
 * zone is stretched to 4 GiB; otherwise it is capped at the mask. Kernel: `max_zone_phys()`.
 */
export function maxZonePhys(zoneBits: number, dramStart: number, dramEnd: number): number {
  let zoneMask = dmaBitMask(zoneBits);
  if (dramStart > U32_MAX) zoneMask = PHYS_ADDR_MAX;
  else if (dramStart > zoneMask) zoneMask = U32_MAX;
  return Math.min(zoneMask, dramEnd - 1) + 1;
}

/**
 * The end PFN of each zone for free_area_init(). Kernel: `zone_sizes_init()` (arm64).
 *
 * 1 GiB at 0x40000000: DMA and DMA32 both end at PFN 0x80000, Normal at max_pfn 0x80000, so
 * DMA32 and Normal come out empty. 4 GiB at 0x40000000: DMA (= DMA32) ends at 4 GiB
 * (PFN 0x100000), Normal at 0x140000.
 * @throws ArgumentError if the layout is not two integers with start < end
 */
export function zoneSizesInit(layout: Arm64DramLayout): Arm64ZoneSizes {
  const { dramStart, dramEnd } = layout;
  if (!Number.isSafeInteger(dramStart) || dramStart < 0) {
    throw new ArgumentError("machine.zoneSizesInit", "dramStart", "an integer byte address ≥ 0", describeValue(dramStart));
  }
  if (!Number.isSafeInteger(dramEnd) || dramEnd <= dramStart) {
    throw new ArgumentError("machine.zoneSizesInit", "dramEnd", `an integer byte address > dramStart (${dramStart})`, describeValue(dramEnd));
  }
  const maxZonePfn = new Array<number>(MAX_NR_ZONES).fill(0);
  const dma32PhysLimit = maxZonePhys(32, dramStart, dramEnd);

  // CONFIG_ZONE_DMA
  const zoneDmaBits = Math.min(32, layout.dtZoneDmaBits ?? 64, layout.acpiZoneDmaBits ?? 64);
  let arm64DmaPhysLimit = maxZonePhys(zoneDmaBits, dramStart, dramEnd);
  maxZonePfn[ZONE_DMA] = pfnDown(arm64DmaPhysLimit);
  // CONFIG_ZONE_DMA32
  maxZonePfn[ZONE_DMA32] = pfnDown(dma32PhysLimit);
  if (arm64DmaPhysLimit === 0) arm64DmaPhysLimit = dma32PhysLimit;
  // max_pfn = PFN_DOWN(memblock_end_of_DRAM()) (bootmem_init)
  maxZonePfn[ZONE_NORMAL] = pfnDown(dramEnd);
  maxZonePfn[ZONE_MOVABLE] = 0;
  return { maxZonePfn, zoneDmaBits, arm64DmaPhysLimit };
}
