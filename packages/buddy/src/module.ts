// mmsim: DI wiring for the page allocator (cf. mm/page_alloc.c being built in: no Kconfig choice)
import { BootPageSink, DirectCompactor, DirectReclaimer, KswapdWaker, type MmsimModule, OutOfMemoryHandler, PageAllocator } from "@mmsim/core";
import { Lifecycle, type DependencyContainer } from "tsyringe";
import { BuddyAllocator } from "./buddy-allocator.ts";
import { NoCompaction, NoKswapd, NoOomKiller, NoReclaim } from "./no-op-hooks.ts";

/**
 * Registers BuddyAllocator as the machine's PageAllocator and BootPageSink, and the slow path's
 * mechanisms as do-nothing implementations that reclaim, compaction and OOM modules replace by
 * registering later (tsyringe resolves the last registration). The machine registers MEM_MAP,
 * PAGE_ALLOC_CONFIG and core's services before resolving.
 */
export const buddyModule: MmsimModule = {
  slot: "buddy",
  name: "buddy",
  description: "the page allocator of mm/page_alloc.c (Linux 6.1)",
  register(container: DependencyContainer): void {
    container.register(BuddyAllocator, { useClass: BuddyAllocator }, { lifecycle: Lifecycle.ContainerScoped });
    container.register(PageAllocator, { useToken: BuddyAllocator });
    container.register(BootPageSink, { useToken: BuddyAllocator });
    container.register(KswapdWaker, { useClass: NoKswapd }, { lifecycle: Lifecycle.ContainerScoped });
    container.register(DirectCompactor, { useClass: NoCompaction }, { lifecycle: Lifecycle.ContainerScoped });
    container.register(DirectReclaimer, { useClass: NoReclaim }, { lifecycle: Lifecycle.ContainerScoped });
    container.register(OutOfMemoryHandler, { useClass: NoOomKiller }, { lifecycle: Lifecycle.ContainerScoped });
  },
};
