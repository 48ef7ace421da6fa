// mmsim: DI wiring for the address-space syscalls (cf. mm/mmap.c being built in: no Kconfig choice)
import { Initcall, type MmsimModule, NR_FREE_PAGES, VM_STAT, type VmStat, resolveToken } from "@mmsim/core";
import { BuddyAllocator } from "@mmsim/buddy";
import { Lifecycle, type DependencyContainer } from "tsyringe";
import { MADVISE_OPS, MmapContext, NoMadviseOps, ShmemZeroFiles, VM_FILE_OPS } from "./mmap-context.ts";
import { VM_ACCT_MEMORY_INFO, type VmAcctMemoryInfo } from "./overcommit.ts";
import { VMA_SYSCTLS } from "./sysctls.ts";

/**
 * Overcommit's view of a buddy allocator: totalram_pages, no swap, no hugetlb pages, and
 * NR_FREE_PAGES from the machine's vmstat (what __vm_enough_memory reads).
 */
export function buddyAcctMemoryInfo(buddy: BuddyAllocator, vmstat: VmStat): VmAcctMemoryInfo {
  return {
    totalramPages: () => buddy.state.totalramPages,
    totalSwapPages: () => 0,
    hugetlbTotalPages: () => 0,
    nrFreePages: () => vmstat.globalZonePageState(NR_FREE_PAGES),
  };
}

/**
 * Registers MmapContext (one per machine: the vm sysctls, vm_committed_as, the interfaces to the
 * mechanisms above), overcommit's view of the page allocator, shmem_zero_setup's default files,
 * madvise's reclaim/KSM hooks as no-ops (reclaim and KSM register theirs later), and the
 * subsys_initcalls init_user_reserve / init_admin_reserve. MM_PAGE_OPS and ANON_VMA_OPS come
 * from @mmsim/fault and @mmsim/rmap; the machine wires the processes (steps, tasks).
 */
export const vmaModule: MmsimModule = {
  slot: "vma",
  name: "vma",
  description: "address spaces of Linux 6.1: the VMA tree, mmap/munmap/brk/mprotect/mremap/madvise/mlock, overcommit",
  register(container: DependencyContainer): void {
    container.register(VM_ACCT_MEMORY_INFO, {
      useFactory: (c): VmAcctMemoryInfo => buddyAcctMemoryInfo(c.resolve(BuddyAllocator), resolveToken(c, VM_STAT)),
    });
    container.register(VM_FILE_OPS, { useClass: ShmemZeroFiles }, { lifecycle: Lifecycle.ContainerScoped });
    container.register(MADVISE_OPS, { useClass: NoMadviseOps }, { lifecycle: Lifecycle.ContainerScoped });
    container.register(MmapContext, { useClass: MmapContext }, { lifecycle: Lifecycle.ContainerScoped });
    container.register(Initcall, { useFactory: (c) => ({ level: "subsys", name: "init_user_reserve", run: () => (c.resolve(MmapContext).overcommit.initUserReserve(), 0) }) });
    container.register(Initcall, { useFactory: (c) => ({ level: "subsys", name: "init_admin_reserve", run: () => (c.resolve(MmapContext).overcommit.initAdminReserve(), 0) }) });
  },
  sysctls: VMA_SYSCTLS,
};
