// mmsim: DI wiring of swap (cf. CONFIG_SWAP=y, CONFIG_ZRAM=m loaded with num_devices=1): the Swap, zram0, /proc/swaps, /sys/block/zram0/, vm.page-cluster, the swap steps and the validator
import {
  COST_MODEL, KERNEL_LOG, KernelFile, Lru, MEM_MAP, type MmsimModule, PageAllocator, RNG, SIM_CLOCK, TOPOLOGY, VM_STAT, Validator,
  type ValidationSink, defineSysctl, parseSysctlInt, resolveToken, EINVAL, SwapOps, SwapUnuse,
} from "@mmsim/core";
import { VFS } from "@mmsim/filemap";
import { BuddyAllocator } from "@mmsim/buddy";
import { VM_ACCT_MEMORY_INFO, buddyAcctMemoryInfo } from "@mmsim/vma";
import { type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { PROC_SWAPS, procSwapsShow } from "./proc-swaps.ts";
import { SWAP_STEPS } from "./steps.ts";
import { Swap } from "./swapfile.ts";
import { SWAP, type SwapService } from "./token.ts";
import { validateSwap } from "./validate.ts";
import { ZRAM_MAJOR_FIRST, Zram } from "./zram-drv.ts";
import { SwapDisk } from "./swap-bdev.ts";
import { endSwapBio } from "./page-io.ts";

/** vm.page-cluster: 0..31 (page_cluster_max), proc_dointvec_minmax. Kernel: mm/swap.c's swap_sysctl_table. */
export const pageClusterSysctl = defineSysctl({
  dir: "vm",
  procname: "page-cluster",
  type: "integer 0..31",
  doc: "swap readahead reads 2^n pages around a swapped-out page (0: no readahead); default 3",
  parse: (v) => parseSysctlInt(v, 0, 31, "log2 of the pages read"),
  service: SWAP,
  write: (s: SwapService, v) => (typeof v === "number" ? ((s.swap.pageCluster = v), 0) : -EINVAL),
  read: (s: SwapService) => `${s.swap.pageCluster}\n`,
});

/** The /sys/block/<vdX>/ files of a swap disk (@mmsim/block's sysfsFile, stat, inflight). */
const SWAP_DISK_SYSFS = Object.freeze([
  "stat", "inflight", "dev", "size", "ro", "removable", "queue/logical_block_size", "queue/physical_block_size", "queue/hw_sector_size",
  "queue/minimum_io_size", "queue/max_sectors_kb", "queue/max_hw_sectors_kb", "queue/max_segments", "queue/nr_requests", "queue/read_ahead_kb",
  "queue/rotational", "queue/scheduler", "queue/write_cache",
]);

/** The swap disk a /sys/block/ path names, and the file under it; null for another path. */
function diskOf(made: SwapService | null, path: string): { disk: SwapDisk; file: string } | null {
  if (made === null) return null;
  for (const d of made.disks) {
    const dir = `/sys/block/${d.dev.name}/`;
    if (path.startsWith(dir)) {
      const file = path.slice(dir.length);
      return SWAP_DISK_SYSFS.includes(file) ? { disk: d, file } : null;
    }
  }
  return null;
}

/** Makes the machine's swap and zram0; the Vfs and rmap reach it from then on. */
function makeSwap(c: DependencyContainer): SwapService {
  const vfs = resolveToken(c, VFS);
  const nrCpus = resolveToken(c, TOPOLOGY).nrCpus;
  const swap = new Swap({
    mem: resolveToken(c, MEM_MAP),
    pages: resolveToken(c, PageAllocator),
    vmstat: resolveToken(c, VM_STAT),
    vfs,
    clock: resolveToken(c, SIM_CLOCK),
    cost: resolveToken(c, COST_MODEL),
    rng: resolveToken(c, RNG),
    log: resolveToken(c, KERNEL_LOG),
    nrCpus,
    lru: () => (c.isRegistered(Lru, true) ? resolveToken(c, Lru) : null),
  });
  const zram0 = new Zram(0, {
    mem: swap.mem, pages: swap.pages, vmstat: swap.vmstat, clock: swap.clock, cost: swap.cost, contents: () => vfs.contents, cpu: () => swap.cpu(), nrCpus,
  });
  // register_blkdev(0): virtio_blk took 254 at boot when the board has a disk (attached at the end of boot), else zram is first
  zram0.virtioBlkFirst = () => vfs.disk !== null;
  swap.registerDevice(zram0);
  vfs.swap = swap;
  const disks: SwapDisk[] = [];
  const addDisk = (sizeBytes: number, rotational: boolean): SwapDisk => {
    // the machine's next virtio disk: after its own vda (machine.disk), if it has one
    // virtio_blk's major: 254 when it probed the board's disk at boot, else it registers at this hotplug, after zram
    const d = new SwapDisk((vfs.disk !== null ? 1 : 0) + disks.length, sizeBytes, rotational, {
      mem: swap.mem, vmstat: swap.vmstat, clock: swap.clock, cost: swap.cost, contents: () => vfs.contents, endIo: (op, page, err) => endSwapBio(swap, op, page, err),
    }, vfs.disk !== null ? ZRAM_MAJOR_FIRST : ZRAM_MAJOR_FIRST - 1);
    disks.push(d);
    swap.registerDevice(d);
    return d;
  };
  // swapoff's anonymous side (@mmsim/fault's unuse_mm, registered by the process module), resolved at the call
  if (c.isRegistered(SwapUnuse, true)) swap.unuse = { unuseMms: (type: number) => resolveToken(c, SwapUnuse).unuseMms(type) };
  return { swap, zram: [zram0], disks, addDisk };
}

/**
 * Registers the machine's swap (SWAP, and core's SwapOps), made at its first use after boot;
 * overcommit's view of memory with total_swap_pages; /proc/swaps, /sys/block/zram0/ and
 * /sys/kernel/mm/swap/vma_ra_enabled; vm.page-cluster; the swapon/swapoff/mkswap/zram steps;
 * the validator. The machine gives meminfo si_swapinfo() and rmap its SwapUnmapHooks.
 */
export const swapModule: MmsimModule = {
  slot: "swap",
  name: "swap",
  description: "swap of Linux 6.1: swap areas with priorities and clusters, the swap cache and readahead, zram0 as a swap device, swapon/swapoff",
  register(container: DependencyContainer): void {
    let made: SwapService | null = null;
    container.register(SWAP, { useFactory: instanceCachingFactory((c) => (made = makeSwap(c))) });
    container.register(SwapOps, { useFactory: (c) => resolveToken(c, SWAP).swap });
    container.register(VM_ACCT_MEMORY_INFO, {
      useFactory: (c) => ({ ...buddyAcctMemoryInfo(c.resolve(BuddyAllocator), resolveToken(c, VM_STAT)), totalSwapPages: () => made?.swap.totalSwapPages() ?? 0 }),
    });
    container.register(KernelFile, { useFactory: (c) => ({ path: PROC_SWAPS, read: () => procSwapsShow(resolveToken(c, SWAP).swap) }) });
    container.register(KernelFile, {
      useFactory: (c) => ({
        path: "/sys/kernel/mm/swap/vma_ra_enabled",
        read: () => (resolveToken(c, SWAP).swap.enableVmaReadahead ? "true\n" : "false\n"),
        write: (_p: string, v: string) => {
          const t = v.trim();
          if (t === "true" || t === "1") resolveToken(c, SWAP).swap.enableVmaReadahead = true;
          else if (t === "false" || t === "0") resolveToken(c, SWAP).swap.enableVmaReadahead = false;
          else return -EINVAL;
          return 0;
        },
      }),
    });
    container.register(KernelFile, {
      useFactory: (c) => ({
        path: "/sys/block/zram0/",
        list: () => Zram.ATTRS.map((a) => `/sys/block/zram0/${a}`),
        read: (path: string) => resolveToken(c, SWAP).zram[0]!.readAttr(path.slice("/sys/block/zram0/".length)),
        write: (path: string, value: string) => resolveToken(c, SWAP).zram[0]!.writeAttr(path.slice("/sys/block/zram0/".length), value),
      }),
    });
    container.register(KernelFile, {
      useFactory: (c) => ({
        path: "/sys/block/",
        list: () => (made === null ? [] : made.disks.flatMap((d) => SWAP_DISK_SYSFS.map((f) => `/sys/block/${d.dev.name}/${f}`))),
        read: (path: string) => {
          const d = diskOf(made, path);
          if (d === null) return undefined;
          d.disk.reap();
          const f = d.file;
          if (f === "stat") return d.disk.dev.statFile(resolveToken(c, SIM_CLOCK).now());
          if (f === "inflight") return d.disk.dev.inflightFile(resolveToken(c, SIM_CLOCK).now());
          return d.disk.dev.sysfsFile(f);
        },
        write: (path: string, value: string) => {
          const d = diskOf(made, path);
          if (d === null || d.file !== "queue/rotational") return -EINVAL;
          // queue_store_nonrot (QUEUE_SYSFS_BIT_FNS(nonrot, NONROT, 1)): a number; non-zero = rotational
          const t = value.trim();
          if (!/^\d+$/.test(t)) return -EINVAL;
          d.disk.dev.rotational = Number(t) !== 0;
          return 0;
        },
        mayAppear: (path: string) => /^\/sys\/block\/vd[a-z]+\//.test(path),
      }),
    });
    container.register(Validator, { useFactory: (c) => ({ name: "swap", validate: (sink: ValidationSink) => { if (made !== null) validateSwap(resolveToken(c, SWAP).swap, sink); } }) });
  },
  steps: SWAP_STEPS,
  sysctls: [pageClusterSysctl],
};
