// mmsim: DI wiring for the page allocator (cf. mm/page_alloc.c being built in: no Kconfig choice)
import {
  BootPageSink, CompareMetric, DirectCompactor, DirectReclaimer, Initcall, KswapdWaker, type MmsimModule, NR_SLAB_RECLAIMABLE_B,
  NR_SLAB_UNRECLAIMABLE_B, OutOfMemoryHandler, PAGE_SIZE, PGALLOC_DMA, PGALLOC_MOVABLE, PageAllocator, TOPOLOGY, VM_STAT, Validator, VmStat,
  resolveToken,
} from "@mmsim/core";
import type { ValidationSink } from "@mmsim/core";
import { Lifecycle, type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { BuddyAllocator } from "./buddy-allocator.ts";
import { NoCompaction, NoKswapd, NoOomKiller, NoReclaim } from "./no-op-hooks.ts";
import { BUDDY_STEPS } from "./steps.ts";
import { BUDDY_SYSCTLS } from "./sysctls.ts";

/**
 * Registers BuddyAllocator as the machine's PageAllocator and BootPageSink, the machine's vmstat
 * counters (VM_STAT, one VmStat per machine sized from TOPOLOGY's nodes, resolvable from machine
 * creation on: the allocator's zones and nodes count into its arrays, every other module through
 * its API), and the slow path's mechanisms as do-nothing implementations that reclaim,
 * compaction and OOM modules replace by registering later (tsyringe resolves the last
 * registration). The machine registers TOPOLOGY, MEM_MAP, PAGE_ALLOC_CONFIG and core's services
 * before resolving.
 */
export const buddyModule: MmsimModule = {
  slot: "buddy",
  name: "buddy",
  description: "the page allocator of mm/page_alloc.c (Linux 6.1)",
  register(container: DependencyContainer): void {
    // mm/vmstat.c's counters: one instance per machine (the factory's cache lives in this registration).
    container.register(VM_STAT, { useFactory: instanceCachingFactory((c) => new VmStat(resolveToken(c, TOPOLOGY).nrNodes)) });
    container.register(BuddyAllocator, { useClass: BuddyAllocator }, { lifecycle: Lifecycle.ContainerScoped });
    container.register(PageAllocator, { useToken: BuddyAllocator });
    container.register(BootPageSink, { useToken: BuddyAllocator });
    container.register(KswapdWaker, { useClass: NoKswapd }, { lifecycle: Lifecycle.ContainerScoped });
    container.register(DirectCompactor, { useClass: NoCompaction }, { lifecycle: Lifecycle.ContainerScoped });
    container.register(DirectReclaimer, { useClass: NoReclaim }, { lifecycle: Lifecycle.ContainerScoped });
    container.register(OutOfMemoryHandler, { useClass: NoOomKiller }, { lifecycle: Lifecycle.ContainerScoped });
    // postcore_initcall(init_per_zone_wmark_min): the watermarks and lowmem reserves.
    container.register(Initcall, {
      useFactory: (c) => ({ level: "postcore", name: "init_per_zone_wmark_min", run: () => (c.resolve(BuddyAllocator).initPerZoneWmarkMin(), 0) }),
    });
    // subsys_initcall(hugepage_init): THP off below 512 MiB of totalram, else set_recommended_min_free_kbytes (mm/huge_memory.c, mm/khugepaged.c).
    container.register(Initcall, {
      useFactory: (c) => ({
        level: "subsys",
        name: "hugepage_init",
        run: () => (c.resolve(BuddyAllocator).hugepageInit(), 0),
      }),
    });
    container.register(Validator, { useFactory: (c) => ({ name: "buddy", validate: (sink: ValidationSink) => c.resolve(BuddyAllocator).validate(sink) }) });
    // mmsim compare: meminfo's Slab at the end, and the pages the workload took (Σ pgalloc_* during it).
    container.register(CompareMetric, {
      useFactory: (c) => ({
        key: "slabCounterKiB",
        rank: 50,
        label: "Slab in meminfo (KiB)",
        sample: () => {
          const vs = resolveToken(c, VM_STAT);
          return ((vs.globalNodePageStatePages(NR_SLAB_RECLAIMABLE_B) + vs.globalNodePageStatePages(NR_SLAB_UNRECLAIMABLE_B)) * PAGE_SIZE) / 1024;
        },
      }),
    });
    container.register(CompareMetric, {
      useFactory: (c) => {
        const pgalloc = () => {
          let n = 0;
          const vs = resolveToken(c, VM_STAT);
          for (let i = PGALLOC_DMA; i <= PGALLOC_MOVABLE; i++) n += vs.sumVmEvent(i);
          return n;
        };
        let before = 0;
        return {
          key: "buddyPagesAllocated",
          rank: 60,
          label: "pages from buddy",
          begin: () => {
            before = pgalloc();
          },
          sample: () => pgalloc() - before,
        };
      },
    });
  },
  steps: BUDDY_STEPS,
  sysctls: BUDDY_SYSCTLS,
};
