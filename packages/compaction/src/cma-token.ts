// mmsim: the machine's contiguous allocator and CMA areas (cf. mm/cma.c's cma_areas[]), as a DI token
import { token } from "@mmsim/core";
import type { Cma, ContigAllocator } from "./contig.ts";

/** alloc_contig_range and the CMA areas the boot activated. Kernel: `cma_areas[]`, `cma_area_count`. */
export interface CmaAreas {
  readonly contig: ContigAllocator;
  readonly areas: readonly Cma[];
}

export const CMA = token<CmaAreas>("CmaAreas");
