// mmsim: DI wiring for SLAB (no kernel counterpart; cf. Kconfig's `choice` CONFIG_SLAB + `obj-$(CONFIG_SLAB) += slab.o`)
import { KernelThread, KmemCacheAllocator, type MmsimModule, resolveToken } from "@mmsim/core";
import { Lifecycle, type DependencyContainer } from "tsyringe";
import { SlabAllocator } from "./slab.ts";
import { REAPTIMEOUT_AC_NS } from "./slabinfo.ts";

/**
 * Registers SlabAllocator as the machine's KmemCacheAllocator (one per machine container).
 * It needs PageAllocator, MEM_MAP, TOPOLOGY, SIM_CLOCK, COST_MODEL, KERNEL_LOG and RNG registered.
 * With it comes SLAB's periodic work: cache_reap on every CPU each REAPTIMEOUT_AC (2 s; the
 * kernel's per-CPU delayed work started by start_cpu_timer), so it runs only when SLAB is the policy.
 */
export const slabModule: MmsimModule = {
  slot: "slab",
  name: "slab",
  description: "the classic SLAB allocator of mm/slab.c (Linux 6.1): per-CPU array caches, shared and alien arrays, cache_reap",
  register(container: DependencyContainer): void {
    container.register(KmemCacheAllocator, { useClass: SlabAllocator }, { lifecycle: Lifecycle.ContainerScoped });
    container.register(KernelThread, {
      useFactory: (c) => {
        const slab = resolveToken(c, KmemCacheAllocator) as SlabAllocator;
        return { name: "cache_reap", periodNs: REAPTIMEOUT_AC_NS, perCpu: true, run: (cpu: number) => slab.cacheReap(cpu) };
      },
    });
  },
};
