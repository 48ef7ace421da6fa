// mmsim: DI wiring for SLUB (no kernel counterpart; cf. Kconfig CONFIG_SLUB and `obj-$(CONFIG_SLUB) += slub.o`)
import { KmemCacheAllocator, type ModuleOptions, type MmsimModule } from "@mmsim/core";
import { Lifecycle, type DependencyContainer } from "tsyringe";
import { SlubAllocator } from "./slub.ts";
import { resolveSlubOptions, SLUB_OPTIONS } from "./slub-options.ts";

/**
 * Registers SlubAllocator as the machine's KmemCacheAllocator, and SLUB_OPTIONS from the module
 * options (the scenario's `slub:` settings: slubDebug, slubMinOrder, slubMaxOrder,
 * slubMinObjects, …; none on the reference machine). The machine registers PageAllocator,
 * MEM_MAP, TOPOLOGY, SIM_CLOCK, COST_MODEL, KERNEL_LOG and RNG before resolving.
 * @throws ConfigError for an unknown or ill-typed option
 */
export const slubModule: MmsimModule = {
  slot: "slab",
  name: "slub",
  description: "the SLUB slab allocator of mm/slub.c (Linux 6.1): per-CPU slabs, partial lists, slub_debug",
  register(container: DependencyContainer, options?: ModuleOptions): void {
    container.register(SLUB_OPTIONS, { useValue: resolveSlubOptions(options ?? {}, "<slub module options>") });
    container.register(KmemCacheAllocator, { useClass: SlubAllocator }, { lifecycle: Lifecycle.ContainerScoped });
  },
};
