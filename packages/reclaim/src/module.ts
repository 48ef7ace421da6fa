// mmsim: DI wiring of the reclaim mechanism (mm/vmscan.c, mm/swap.c's LRU side, mm/workingset.c being built in) and of the `reclaim` policy slot (lru; mglru and a user's file plug in the same way)
import {
  CompareMetric, DirectReclaimer, KERNEL_LOG, MemcgCharger, MemcgReclaimer, KcompactdWaker, KernelFile, KernelThread, KswapdWaker, Lru, MEM_MAP, type MmsimModule, PageAllocator, ReclaimPolicy, SIM_CLOCK, ShrinkerRegistry,
  SwapOps,
  TOPOLOGY, TRACE_BUS, VM_STAT, Validator, type ValidationSink, resolveToken, token,
} from "@mmsim/core";
import { BuddyAllocator } from "@mmsim/buddy";
import { VFS } from "@mmsim/filemap";
import { ANON_VMA_OPS } from "@mmsim/vma";
import type { Rmap } from "@mmsim/rmap";
import { type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { TwoListLru } from "./lru-policy.ts";
import { MultiGenLru } from "./mglru/multi-gen-lru.ts";
import { type LruGenFilesOptions, lruGenKernelFiles } from "./mglru/lru-gen-files.ts";
import { LruCore } from "./swap.ts";
import { RECLAIM_SYSCTLS } from "./sysctls.ts";
import { Vmscan } from "./vmscan.ts";

/** The machine's reclaim mechanism (ReclaimHost, DirectReclaimer, KswapdWaker, kswapd). */
export const VMSCAN = token<Vmscan>("Vmscan");

/** A reclaim policy by name, for /sys/kernel/mm/lru_gen/enabled's switch (the mglru module registers one). */
export interface ReclaimPolicyFactory {
  readonly name: string;
  create(): ReclaimPolicy;
}
export const ReclaimPolicyFactory = token<ReclaimPolicyFactory>("ReclaimPolicyFactory");

/** The lru_gen files' paths, in lruGenKernelFiles' order. */
const LRU_GEN_PATHS = Object.freeze(["/sys/kernel/mm/lru_gen/enabled", "/sys/kernel/mm/lru_gen/min_ttl_ms", "/sys/kernel/debug/lru_gen", "/sys/kernel/debug/lru_gen_full"]);

/**
 * The two policies /sys/kernel/mm/lru_gen/enabled switches between, and the switch: 6.1 builds
 * both halves of vmscan.c in and keeps MGLRU's lrugen structures whether lru_gen is on or off,
 * so its files exist on every machine. One MultiGenLru serves the files for the whole run (the
 * slot's, or one made on first use and attached while dormant: its lruvecs `enabled` false, its
 * generations empty), so min_ttl_ms and the capability keys persist across switches. Writing
 * `n` goes back to the policy the machine booted with when that was not MGLRU (the classic LRU,
 * or a user's policy in the slot), otherwise to a new classic LRU. Kernel: `lru_gen_change_state()`
 * with `lru_gen_enabled()` as "the machine's policy is this MultiGenLru".
 */
export function makeLruGenSwitch(vmscan: Vmscan, lru: LruCore): LruGenFilesOptions {
  const booted = vmscan.policy;
  let mglru: MultiGenLru | null = booted instanceof MultiGenLru ? booted : null;
  let classic: ReclaimPolicy | null = booted instanceof MultiGenLru ? null : booted;
  const theMglru = (): MultiGenLru => {
    if (mglru === null) {
      mglru = new MultiGenLru();
      mglru.attach(vmscan);
      for (const lrugen of mglru.lruvecs) lrugen.enabled = false;
    }
    return mglru;
  };
  return {
    get mglru(): MultiGenLru {
      return theMglru();
    },
    lruGenEnabled: () => vmscan.policy === mglru,
    changeState: (enabled: boolean): void => {
      if (enabled) {
        lru.switchPolicy(theMglru());
        return;
      }
      const old = theMglru();
      lru.switchPolicy((classic ??= new TwoListLru()));
      for (const lrugen of old.lruvecs) lrugen.enabled = false; // lru_gen_change_state: lruvec->lrugen.enabled = false
    },
  };
}

/**
 * The mechanism: Vmscan over the ReclaimPolicy the `reclaim` slot registered, core's Lru
 * (LruCore), the allocator's KswapdWaker and DirectReclaimer (thin forwarders: the buddy
 * allocator is built with them, before Vmscan can be), kswapd as a kernel thread, the
 * validator and the vm sysctls swappiness and vfs_cache_pressure. The later mechanisms (rmap,
 * the page cache, swap) are found when first needed.
 */
export const reclaimModule: MmsimModule = {
  slot: "vmscan",
  name: "vmscan",
  description: "page reclaim of Linux 6.1: the LRU's per-CPU batches, shrink_folio_list, workingset shadows, kswapd and direct reclaim",
  register(container: DependencyContainer): void {
    container.register(VMSCAN, {
      useFactory: instanceCachingFactory((c): Vmscan => {
        const mem = resolveToken(c, MEM_MAP);
        const pages = resolveToken(c, PageAllocator);
        let vfsCached: ReturnType<typeof resolveVfs> | undefined;
        let rmapCached: Rmap | null | undefined;
        let swapCached: SwapOps | null | undefined;
        let kcompactdCached: KcompactdWaker | null | undefined;
        const resolveVfs = () => (c.isRegistered(VFS, true) ? resolveToken(c, VFS) : null);
        const vmscan = new Vmscan({
          mem,
          vmstat: resolveToken(c, VM_STAT),
          clock: resolveToken(c, SIM_CLOCK),
          trace: resolveToken(c, TRACE_BUS),
          log: resolveToken(c, KERNEL_LOG),
          pa: c.resolve(BuddyAllocator).state,
          pages,
          nrCpus: resolveToken(c, TOPOLOGY).nrCpus,
          policy: resolveToken(c, ReclaimPolicy),
          // Found once: every module registers before the machine resolves anything, so what is
          // (not) registered when reclaim first asks stays so (a container lookup per call was ~5 %
          // of a page-cache miss's host time).
          rmap: () => (rmapCached !== undefined ? rmapCached : (rmapCached = c.isRegistered(ANON_VMA_OPS, true) ? (resolveToken(c, ANON_VMA_OPS) as unknown as Rmap) : null)),
          vfs: () => (vfsCached !== undefined ? vfsCached : (vfsCached = resolveVfs())),
          swap: () => (swapCached !== undefined ? swapCached : (swapCached = c.isRegistered(SwapOps, true) ? resolveToken(c, SwapOps) : null)),
          kcompactd: () => (kcompactdCached !== undefined ? kcompactdCached : (kcompactdCached = c.isRegistered(KcompactdWaker, true) ? resolveToken(c, KcompactdWaker) : null)),
          freePage: (page, order) => {
            const pfn = mem.pageToPfn(page);
            const vfs = vfsCached !== undefined ? vfsCached : (vfsCached = resolveVfs());
            for (let i = 0; i < 1 << order; i++) vfs?.contents.clear(pfn + i);
            pages.freePages(pfn, order, 0);
          },
        });
        // the memory controller (memory.min/low in global reclaim), found at the first global pass
        let memcgCached: MemcgCharger | null | undefined;
        vmscan.memcgOf = () => (memcgCached ??= c.isRegistered(MemcgCharger, true) ? resolveToken(c, MemcgCharger) : null);
        return vmscan;
      }),
    });
    // shrinker_list (mm/vmscan.c in 6.1): the VFS registers its superblocks' shrinkers there
    container.register(ShrinkerRegistry, { useFactory: (c) => resolveToken(c, VMSCAN).shrinkers });
    container.register(Lru, {
      useFactory: instanceCachingFactory((c): LruCore => {
        const vmscan = resolveToken(c, VMSCAN);
        const lru = new LruCore(vmscan, vmscan.nrCpus);
        lru.onBatch = () => vmscan.kswapdCatchUp();
        return lru;
      }),
    });
    container.register(KswapdWaker, {
      useFactory: (c) => {
        let v: Vmscan | undefined;
        return { wakeupKswapd: (zoneId: number, gfp: number, order: number, hz: number) => (v ??= resolveToken(c, VMSCAN)).wakeupKswapd(zoneId, gfp, order, hz) };
      },
    });
    // try_to_free_mem_cgroup_pages for @mmsim/memcg-psi's limit reclaim
    container.register(MemcgReclaimer, {
      useFactory: (c) => {
        let v: Vmscan | undefined;
        return { tryToFreeMemCgroupPages: (mask: Uint8Array, nr: number, gfp: number, opts: number) => (v ??= resolveToken(c, VMSCAN)).tryToFreeMemCgroupPages(mask, nr, gfp, opts) };
      },
    });
    container.register(DirectReclaimer, {
      useFactory: (c) => {
        let v: Vmscan | undefined;
        return {
          tryToFreePages: (gfp: number, order: number, nid: number, hz: number) => (v ??= resolveToken(c, VMSCAN)).tryToFreePages(gfp, order, nid, hz),
          zoneReclaimablePages: (zoneId: number) => (v ??= resolveToken(c, VMSCAN)).zoneReclaimablePages(zoneId),
        };
      },
    });
    // kswapd0 … : one thread object runs every node's kswapd (the machine's thread list is static).
    container.register(KernelThread, {
      useFactory: (c) => {
        let v: Vmscan | undefined;
        const vm = () => (v ??= resolveToken(c, VMSCAN));
        return {
          name: "kswapd0",
          periodNs: 0,
          perCpu: false,
          pending: () => {
            // The per-CPU batches are not drained between steps: as in 6.1, a page waits in its
            // CPU's batch until the batch fills (PAGEVEC_SIZE) or that CPU calls lru_add_drain
            // (reclaim, madvise, mlock, migration), so meminfo's LRU figures lag by up to 15 pages
            // per CPU, as the real kernel's do.
            for (let nid = 0; nid < vm().nrNodes; nid++) if (vm().kswapdPending(nid)) return true;
            return false;
          },
          run: () => {
            for (let nid = 0; nid < vm().nrNodes; nid++) vm().kswapdRun(nid);
          },
        };
      },
    });
    // /sys/kernel/mm/lru_gen/{enabled,min_ttl_ms} and /sys/kernel/debug/lru_gen{,_full}: every machine has them (lru_gen built in).
    let lruGen: KernelFile[] | undefined;
    const lruGenFiles = (c: DependencyContainer): KernelFile[] =>
      (lruGen ??= lruGenKernelFiles(makeLruGenSwitch(resolveToken(c, VMSCAN), resolveToken(c, Lru) as LruCore)));
    LRU_GEN_PATHS.forEach((path, i) => {
      container.register(KernelFile, {
        useFactory: (c) => ({
          path,
          read: (p: string) => lruGenFiles(c)[i]!.read(p),
          ...(i < 3 ? { write: (p: string, v: string) => lruGenFiles(c)[i]!.write!(p, v) } : {}),
        }),
      });
    });
    // mmsim compare: simulated time the workload's tasks spent in direct reclaim (throttling
    // included) and kswapd's busy time, as deltas over the workload.
    const timeMetric = (key: string, rank: number, label: string, read: (v: Vmscan) => number) =>
      container.register(CompareMetric, {
        useFactory: (c) => {
          let before = 0;
          return {
            key,
            rank,
            label,
            hideWhenZero: true,
            begin: () => {
              before = read(resolveToken(c, VMSCAN));
            },
            sample: () => read(resolveToken(c, VMSCAN)) - before,
          };
        },
      });
    timeMetric("directReclaimNs", 67.5, "time in direct reclaim (ns)", (v) => v.directReclaimNs);
    timeMetric("throttledNs", 67.6, "  of it throttled (ns)", (v) => v.throttledNs);
    timeMetric("kswapdNs", 67.7, "kswapd busy (ns)", (v) => v.kswapd.reduce((sum, k) => sum + k.busyNs, 0));
    container.register(Validator, {
      useFactory: (c) => ({
        name: "reclaim",
        validate: (sink: ValidationSink) => {
          resolveToken(c, VMSCAN).validate(sink);
          (resolveToken(c, Lru) as LruCore).validate(sink);
        },
      }),
    });
  },
  sysctls: RECLAIM_SYSCTLS,
};

/** The classic two-list LRU in the `reclaim` slot (the reference kernel's default: lru_gen built but off). */
export const lruPolicyModule: MmsimModule = {
  slot: "reclaim",
  name: "lru",
  description: "the classic two-list LRU of Linux 6.1 (active and inactive lists per type, use-once, workingset refaults)",
  register(container: DependencyContainer): void {
    container.register(ReclaimPolicy, { useFactory: instanceCachingFactory(() => new TwoListLru()) });
    container.register(ReclaimPolicyFactory, { useValue: { name: "lru", create: () => new TwoListLru() } });
  },
};

/** The multi-generational LRU in the `reclaim` slot (6.1's lru_gen, CONFIG_LRU_GEN_ENABLED: on at boot). */
export const mglruPolicyModule: MmsimModule = {
  slot: "reclaim",
  name: "mglru",
  description: "the multi-generational LRU of Linux 6.1 (lru_gen: generations and tiers, aging, eviction with the PID controller, look-around, min_ttl_ms)",
  register(container: DependencyContainer): void {
    container.register(ReclaimPolicy, { useFactory: instanceCachingFactory(() => new MultiGenLru()) });
    container.register(ReclaimPolicyFactory, { useValue: { name: "mglru", create: () => new MultiGenLru() } });
  },
};
