// mmsim: DI wiring for the workload's stand-in process — its steps (mmap, munmap, access) and mmsim's where/tlb debug files (no kernel counterpart)
import { KernelFile, type MmsimModule } from "@mmsim/core";
import type { DependencyContainer } from "tsyringe";
import { USER_STEPS, tlbFile, whereFiles } from "./steps/user.ts";

/**
 * The workload's process until the vma and fault packages replace it: one mm (PopulatedAnonMm)
 * the machine creates at vmalloc_init and registers as WORKLOAD_PROCESS.
 */
export const processModule: MmsimModule = {
  slot: "process",
  name: "populated-anon-mm",
  description: "the workload's stand-in process: populated anonymous mmaps, access through the MMU, mmsim's where/ and tlb debug files",
  register(container: DependencyContainer): void {
    container.register(KernelFile, { useFactory: tlbFile });
    container.register(KernelFile, { useFactory: whereFiles });
  },
  steps: USER_STEPS,
};
