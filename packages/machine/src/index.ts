// mmsim: @mmsim/machine public API (named re-exports only, STYLE C11)
import "reflect-metadata";

export { Machine, SUPPORTED_SYSCTLS, TLB_FILE, WHERE_DIR, countSteps, readField } from "./machine.ts";
export { KernelRegistry } from "./registry.ts";
export { processModule } from "./process-module.ts";
export { isRepeat, noSuchFile } from "./steps/generic.ts";
export type { RepeatStep } from "./steps/generic.ts";
export { WORKLOAD_PROCESS } from "./steps/user.ts";
export type { BootHooks, WorkloadObserver, WorkloadResult } from "./machine.ts";
export { ModuleCatalog } from "./catalog.ts";
export { PopulatedAnonMm, WORKLOAD_MM } from "./user-mm.ts";
export type { ResolvedScenario, MachineSpec, KernelSpec, WorkloadStep } from "./scenario-types.ts";
export {
  QEMU_VIRT_ARM64, VIRT_RAM_BASE, VIRT_RAM_MAX, KERNEL_IMAGE, INITRD, DTB_SIZE, PCPU_FIRST_CHUNK, SIZEOF_PG_DATA_T,
  virtDevices, BANNER, MEMBLOCK_DEBUG_CALLERS,
} from "./board-qemu-virt-arm64.ts";
export {
  splitRam, parseMemLimit, arm64MemblockInit, arm64PagingInit, dtbAddress, bootmemInitEarly, arm64DmaPhysLimit, dmaContiguousReserve,
  setupPerCpuAreas, allocLargeSystemHash, swiotlbInit,
} from "./setup-arm64.ts";
export type { NodeRam, Arm64Setup, Arm64PagingInit } from "./setup-arm64.ts";
export {
  loadScenario, loadScenarioFile, loadScenarioFileAsync, isModulePath, DEFAULT_SCENARIO_FILE, describeScenarioSchema, parseSize, parseGfp, formatSize,
  formatPath, gfpFlagNames, SCENARIO_SYSCTLS, COMMAND_LINE, MIN_MEMORY, REFERENCE_CMDLINE,
} from "./scenario.ts";
export type { ScenarioOverrides, LoadScenarioOptions } from "./scenario.ts";
