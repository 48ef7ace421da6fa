// Kernel: arch/arm64/include/asm/sparsemem.h, include/linux/mmzone.h (v6.1) — the memory-section size the generic mm code works in
/*
 * SECTION_SIZE_BITS is set by the architecture (arm64 with 4 KiB or 16 KiB pages: 27, 128 MiB
 * sections, the reference config's ARM64_4K_PAGES); generic code uses the derived sizes: deferred
 * struct-page init (mm-init.ts) and sparse_init's memmap (the machine's arm64 platform). The
 * arch's zone limits (zone_sizes_init) are the platform's, not this package's: @mmsim/machine's
 * platform/arm64/zone-sizes.ts.
 */
import { PAGE_SHIFT } from "@mmsim/core";

/** Bits of a memory section's size: 128 MiB with 4 KiB pages. Kernel: `SECTION_SIZE_BITS` (arm64 asm/sparsemem.h, 4K/16K pages). */
export const SECTION_SIZE_BITS = 27;
/** PFN bits of a section. Kernel: `PFN_SECTION_SHIFT`. */
export const PFN_SECTION_SHIFT = SECTION_SIZE_BITS - PAGE_SHIFT;
/** Pages in a memory section (32768). Kernel: `PAGES_PER_SECTION`; deferred struct-page init works in these units. */
export const PAGES_PER_SECTION = 2 ** PFN_SECTION_SHIFT;
