// mmsim: DI wiring for the workload's stand-in process — the process itself, its steps (mmap, munmap, access) and mmsim's where/tlb debug files (no kernel counterpart)
import { KernelFile, MEM_MAP, type MmsimModule, PageAllocator, resolveToken } from "@mmsim/core";
import { KERNEL_PAGE_TABLES, MMU, PgtableAllocator } from "@mmsim/hw-arm64";
import { type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { UserPgtableRoot } from "./platform/platform.ts";
import { USER_STEPS, WORKLOAD_PROCESS, tlbFile, whereFiles } from "./steps/user.ts";
import { PopulatedAnonMm, WORKLOAD_MM } from "./user-mm.ts";

/**
 * The workload's process (mm 1) over the booted kernel's services: its own page-table
 * allocator over init_mm's table store (tables from the page allocator), the layout paging_init
 * computed, and an ASID context on the MMU (init_new_context). Kernel: what fork/exec give a
 * new process — `mm_init()` → `init_new_context()` — until the vma package brings real tasks.
 */
function createWorkloadProcess(c: DependencyContainer): PopulatedAnonMm {
  const { store, layout } = resolveToken(c, KERNEL_PAGE_TABLES);
  const pages = resolveToken(c, PageAllocator);
  const hw = resolveToken(c, MMU);
  hw.contexts.initNewContext(WORKLOAD_MM);
  return new PopulatedAnonMm(new PgtableAllocator(store, pages, resolveToken(c, MEM_MAP)), pages, layout, (start, end) => hw.flushTlbRange(WORKLOAD_MM, start, end));
}

/**
 * The workload's process until the vma and fault packages replace it: one mm (PopulatedAnonMm)
 * this module makes on its first use after boot (an mmap, an access to it, a where/ read, the
 * page-table validator) and registers as WORKLOAD_PROCESS; its pgd is a UserPgtableRoot for the
 * platform's page-table validator.
 */
export const processModule: MmsimModule = {
  slot: "process",
  name: "populated-anon-mm",
  description: "the workload's stand-in process: populated anonymous mmaps, access through the MMU, mmsim's where/ and tlb debug files",
  register(container: DependencyContainer): void {
    container.register(WORKLOAD_PROCESS, { useFactory: instanceCachingFactory(createWorkloadProcess) });
    container.register(UserPgtableRoot, { useFactory: (c) => ({ name: "the workload's process", pgd: () => resolveToken(c, WORKLOAD_PROCESS).pgd }) });
    container.register(KernelFile, { useFactory: tlbFile });
    container.register(KernelFile, { useFactory: whereFiles });
  },
  steps: USER_STEPS,
};
