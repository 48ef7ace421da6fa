// mmsim: DI wiring of compaction (cf. CONFIG_COMPACTION=y, CONFIG_CMA=y): the DirectCompactor of the allocator's slow path, the KcompactdWaker kswapd calls, kcompactd as kernel threads, the vm sysctls, the extfrag debugfs files, /sys/devices/system/node/nodeN/compact, the validator, and alloc_contig_range with the CMA areas (cma_alloc / cma_release steps)
import {
  DirectCompactor, KERNEL_LOG, KcompactdWaker, KernelFile, KernelThread, Lru, MIGRATE_CMA, type MmsimModule, PAGEBLOCK_NR_PAGES, PageMigrator,
  SIM_CLOCK, TOPOLOGY, TRACE_BUS, VM_STAT, Validator, type ValidationSink, resolveToken, token,
} from "@mmsim/core";
import { BuddyAllocator, type PageAllocState, getPfnblockMigratetype } from "@mmsim/buddy";
import { VMSCAN } from "@mmsim/reclaim";
import { type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { CMA_STEPS } from "./cma-steps.ts";
import { CMA, type CmaAreas } from "./cma-token.ts";
import { Compaction, HPAGE_FRAG_CHECK_INTERVAL_NS } from "./compaction.ts";
import { Cma, ContigAllocator } from "./contig.ts";
import { extfragShow, unusableShow } from "./extfrag.ts";
import { COMPACTION_SYSCTLS } from "./sysctls.ts";

/** The machine's compaction mechanism. */
export const COMPACTION = token<Compaction>("Compaction");

/**
 * The CMA areas the boot activated (cma_init_reserved_areas): each run of MIGRATE_CMA pageblocks.
 * The reference board has one, dma_contiguous_reserve's "reserved" (kernel.config.cma_mbytes).
 */
function findCmaAreas(pa: PageAllocState, contig: ContigAllocator): Cma[] {
  const areas: Cma[] = [];
  for (const pgdat of pa.pgdat) {
    for (const zone of pgdat.zones) {
      if (zone.cmaPages === 0) continue;
      let start = -1;
      const end = zone.zoneStartPfn + zone.spannedPages;
      for (let pfn = zone.zoneStartPfn - (zone.zoneStartPfn % PAGEBLOCK_NR_PAGES); pfn <= end; pfn += PAGEBLOCK_NR_PAGES) {
        const cma = pfn < end && pfn >= zone.zoneStartPfn && getPfnblockMigratetype(pa.pageblock, pfn) === MIGRATE_CMA;
        if (cma && start < 0) start = pfn;
        else if (!cma && start >= 0) {
          areas.push(new Cma(areas.length === 0 ? "reserved" : `cma${areas.length}`, start, pfn - start, contig));
          start = -1;
        }
      }
    }
  }
  return areas;
}

/** /sys/devices/system/node/nodeN/compact → N, or -1. */
function nodeOfCompactPath(path: string): number {
  const m = /^\/sys\/devices\/system\/node\/node(\d+)\/compact$/.exec(path);
  return m ? Number(m[1]) : -1;
}

/**
 * Registers Compaction (built on first use over the buddy allocator's state; the PageMigrator of
 * @mmsim/migrate, the LRU and kswapd's state are found when first needed), and makes it the
 * allocator's DirectCompactor (a thin forwarder: the allocator is built with its hooks before
 * Compaction can be) and reclaim's KcompactdWaker.
 */
export const compactionModule: MmsimModule = {
  slot: "compaction",
  name: "compaction",
  description: "memory compaction of Linux 6.1 (mm/compaction.c): direct compaction, kcompactd, proactive compaction, compact_memory",
  register(container: DependencyContainer): void {
    container.register(COMPACTION, {
      useFactory: instanceCachingFactory((c): Compaction => {
        const pa = c.resolve(BuddyAllocator).state;
        return new Compaction({
          pa,
          vmstat: resolveToken(c, VM_STAT),
          clock: resolveToken(c, SIM_CLOCK),
          trace: resolveToken(c, TRACE_BUS),
          nrCpus: resolveToken(c, TOPOLOGY).nrCpus,
          migrator: () => (c.isRegistered(PageMigrator, true) ? resolveToken(c, PageMigrator) : null),
          lru: () => (c.isRegistered(Lru, true) ? resolveToken(c, Lru) : null),
          kswapdRunning: (nid) => {
            if (!c.isRegistered(VMSCAN, true)) return false;
            const k = resolveToken(c, VMSCAN).kswapd[nid];
            return k !== undefined && k.awake && k.shortSleepUntil < 0;
          },
        });
      }),
    });
    container.register(CMA, {
      useFactory: instanceCachingFactory((c): CmaAreas => {
        const pa = c.resolve(BuddyAllocator).state;
        const contig = new ContigAllocator({
          pa,
          vmstat: resolveToken(c, VM_STAT),
          log: resolveToken(c, KERNEL_LOG),
          migrator: () => (c.isRegistered(PageMigrator, true) ? resolveToken(c, PageMigrator) : null),
        });
        return { contig, areas: findCmaAreas(pa, contig) };
      }),
    });
    container.register(DirectCompactor, {
      useFactory: (c) => {
        let comp: Compaction | undefined;
        const get = () => (comp ??= resolveToken(c, COMPACTION));
        return {
          tryToCompactPages: (gfp: number, order: number, allocFlags: number, nid: number, hz: number, prio: number) => get().tryToCompactPagesFromAllocator(gfp, order, allocFlags, nid, hz, prio),
          compactionDeferReset: (zoneId: number, order: number) => get().allocSucceeded(zoneId, order),
        };
      },
    });
    container.register(KcompactdWaker, {
      useFactory: (c) => {
        let comp: Compaction | undefined;
        const get = () => (comp ??= resolveToken(c, COMPACTION));
        return {
          wakeupKcompactd: (nid: number, order: number, hz: number) => get().wakeupKcompactd(nid, order, hz),
          resetIsolationSuitable: (nid: number) => get().resetIsolationSuitable(nid),
        };
      },
    });
    // kcompactd0 …: woken by kswapd (one thread object runs every node's), and its 500 ms timeout.
    container.register(KernelThread, {
      useFactory: (c) => {
        const comp = () => resolveToken(c, COMPACTION);
        return {
          name: "kcompactd0",
          periodNs: 0,
          perCpu: false,
          pending: () => {
            const cp = comp();
            for (let nid = 0; nid < cp.nodes.length; nid++) if (cp.kcompactdPending(nid)) return true;
            return false;
          },
          run: () => {
            const cp = comp();
            for (let nid = 0; nid < cp.nodes.length; nid++) cp.kcompactdRun(nid);
          },
        };
      },
    });
    container.register(KernelThread, {
      useFactory: (c) => {
        const comp = () => resolveToken(c, COMPACTION);
        return {
          name: "kcompactd0 (HPAGE_FRAG_CHECK_INTERVAL_MSEC timeout)",
          periodNs: HPAGE_FRAG_CHECK_INTERVAL_NS,
          perCpu: false,
          run: () => {
            const cp = comp();
            for (let nid = 0; nid < cp.nodes.length; nid++) cp.kcompactdTimer(nid);
          },
        };
      },
    });
    container.register(KernelFile, {
      useFactory: (c) => ({ path: "/sys/kernel/debug/extfrag/unusable_index", read: () => unusableShow(c.resolve(BuddyAllocator).state) }),
    });
    container.register(KernelFile, {
      useFactory: (c) => ({ path: "/sys/kernel/debug/extfrag/extfrag_index", read: () => extfragShow(c.resolve(BuddyAllocator).state) }),
    });
    // DEVICE_ATTR_WO(compact) of each node device (CONFIG_SYSFS && CONFIG_NUMA, as on the reference).
    container.register(KernelFile, {
      useFactory: (c) => ({
        path: "/sys/devices/system/node/",
        list: () => resolveToken(c, COMPACTION).nodes.map((_, nid) => `/sys/devices/system/node/node${nid}/compact`),
        // mode 0200: the kernel refuses reads (EACCES); mmsim shows it empty
        read: (path: string) => (nodeOfCompactPath(path) >= 0 && nodeOfCompactPath(path) < resolveToken(c, COMPACTION).nodes.length ? "" : undefined),
        write: (path: string) => {
          const nid = nodeOfCompactPath(path);
          const comp = resolveToken(c, COMPACTION);
          if (nid < 0 || nid >= comp.nodes.length) return `no such file: ${path} (nodes 0..${comp.nodes.length - 1} have /sys/devices/system/node/nodeN/compact)`;
          comp.compactStore(nid);
          return 0;
        },
      }),
    });
    container.register(Validator, {
      useFactory: (c) => ({
        name: "compaction",
        validate: (sink: ValidationSink) => resolveToken(c, COMPACTION).validate((msg) => sink.report("compaction", msg)),
      }),
    });
  },
  sysctls: COMPACTION_SYSCTLS,
  steps: CMA_STEPS,
};
