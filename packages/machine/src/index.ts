// mmsim: @mmsim/machine public API (named re-exports only, STYLE C11)
import "reflect-metadata";

export { Machine, SUPPORTED_SYSCTLS, TLB_FILE, WHERE_DIR, countSteps, readField } from "./machine.ts";
export { KernelRegistry } from "./registry.ts";
export { processModule } from "./process-module.ts";
export { isRepeat, noSuchFile } from "./steps/generic.ts";
export type { RepeatStep } from "./steps/generic.ts";
export type { BootHooks, WorkloadObserver, WorkloadResult } from "./machine.ts";
export { ModuleCatalog } from "./catalog.ts";
export { Processes, INIT_IMAGE } from "./process/processes.ts";
export { PROCESSES } from "./process/token.ts";
export { TASK_ENGINE, TASK_HOST, type TaskEngineApi, type TaskHost } from "./task-api.ts";
export { Scheduler, SchedEntity } from "./sched.ts";
export type { ResolvedScenario, MachineSpec, KernelSpec, WorkloadStep } from "./scenario-types.ts";
export {
  QEMU_VIRT_ARM64, QEMU_VIRT_ARM64_BOARD, VIRT_RAM_BASE, VIRT_RAM_MAX, KERNEL_IMAGE, INITRD, DTB_SIZE, PCPU_FIRST_CHUNK, SIZEOF_PG_DATA_T,
  PAGING_INIT_CALLERS, virtDevices, dtbAddress, BANNER, MEMBLOCK_DEBUG_CALLERS,
} from "./platform/qemu-virt-arm64.ts";
export { PLATFORMS, platformFor } from "./platform/index.ts";
export { UserPgtableRoot } from "./platform/platform.ts";
export type {
  Platform, PlatformContext, PlatformDescription, SetupArchCalls, PagingInit, KernelImageSizes, ArchVmalloc, EarlyVmAreaDesc,
} from "./platform/platform.ts";
export type { Arm64Board, Arm64KernelImage, Arm64MemblockCallers, Arm64PagingInitCallers } from "./platform/arm64/board.ts";
export { ARM64_ARCH_MODULE, Arm64Platform, arm64PlatformDescription } from "./platform/arm64/platform.ts";
export {
  splitRam, parseMemLimit, arm64MemblockInit, arm64PagingInit, bootmemInitEarly, arm64DmaPhysLimit, dmaContiguousReserve,
  setupPerCpuAreas, swiotlbInit,
} from "./platform/arm64/setup.ts";
export type { NodeRam, Arm64Setup, Arm64PagingInit } from "./platform/arm64/setup.ts";
export { requestStandardResources, reserveMemblockReservedRegions, arm64StandardResources } from "./platform/arm64/resources.ts";
export type { PhysRange, Arm64ResourceOptions } from "./platform/arm64/resources.ts";
export { allocLargeSystemHash } from "./alloc-large-system-hash.ts";
export { maxZonePhys, zoneSizesInit } from "./platform/arm64/zone-sizes.ts";
export type { Arm64DramLayout, Arm64ZoneSizes } from "./platform/arm64/zone-sizes.ts";
export {
  loadScenario, loadScenarioFile, loadScenarioFileAsync, isModulePath, DEFAULT_SCENARIO_FILE, describeScenarioSchema, parseSize, parseGfp, formatSize,
  formatPath, gfpFlagNames, SCENARIO_SYSCTLS, COMMAND_LINE, MIN_MEMORY, REFERENCE_CMDLINE,
} from "./scenario.ts";
export type { ScenarioOverrides, LoadScenarioOptions } from "./scenario.ts";
export { KernelReplayFactory, KernelReplayCache, KERNEL_REPLAY_FILE, filemapReadHit, fileLayout, kernelReplayMemoryMiB, loadKernelReplayPolicy } from "./kernel-replay.ts";
export type { KernelReplayOptions, KernelReplayFigures, KernelReplayCell } from "./kernel-replay.ts";
export { KernelAnonReplayCache } from "./kernel-replay-anon.ts";
