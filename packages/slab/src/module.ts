// mmsim: DI wiring for SLAB (no kernel counterpart; cf. Kconfig's `choice` CONFIG_SLAB + `obj-$(CONFIG_SLAB) += slab.o`)
import { KmemCacheAllocator, type MmsimModule } from "@mmsim/core";
import { Lifecycle, type DependencyContainer } from "tsyringe";
import { SlabAllocator } from "./slab.ts";

/**
 * Registers SlabAllocator as the machine's KmemCacheAllocator (one per machine container).
 * It needs PageAllocator, MEM_MAP, TOPOLOGY, SIM_CLOCK, COST_MODEL, KERNEL_LOG and RNG registered.
 */
export const slabModule: MmsimModule = {
  slot: "slab",
  name: "slab",
  description: "the classic SLAB allocator of mm/slab.c (Linux 6.1): per-CPU array caches, shared and alien arrays, cache_reap",
  register(container: DependencyContainer): void {
    container.register(KmemCacheAllocator, { useClass: SlabAllocator }, { lifecycle: Lifecycle.ContainerScoped });
  },
};
