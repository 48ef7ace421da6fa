// mmsim: DI wiring for SLUB (no kernel counterpart; cf. Kconfig CONFIG_SLUB and `obj-$(CONFIG_SLUB) += slub.o`)
import {
  KERNEL_LOG, type KernelLog, KernelParam, KmemCacheAllocator, STACK_DEPOT, type StackDepot, type ModuleOptions, type MmsimModule,
} from "@mmsim/core";
import { Lifecycle, type DependencyContainer } from "tsyringe";
import { SlubAllocator } from "./slub.ts";
import {
  parseSlubDebug, resolveSlubOptions, SLUB_KERNEL_PARAMS, SLUB_OPTIONS, type SlubCmdline, type SlubDebugBoot, type SlubOptions, slubKernelParams,
} from "./slub-options.ts";

/**
 * Registers SlubAllocator as the machine's KmemCacheAllocator; SLUB_OPTIONS from the module
 * options (slubDebug, slubMinOrder, slubMaxOrder, slubMinObjects, …; none on the reference
 * machine) with what the kernel command line set on top; and SLUB's command-line parameters as
 * KernelParams (`slub_debug`, `slub_min_order=`, `slub_max_order=`, `slub_min_objects=`), which
 * the machine calls right after "Kernel command line:", before it builds the allocator.
 * `slub_debug` prints what setup_slub_debug() prints and asks for the stack depot when U is on.
 * The machine registers PageAllocator, MEM_MAP, TOPOLOGY, SIM_CLOCK, COST_MODEL, KERNEL_LOG, RNG
 * (and STACK_DEPOT) before resolving.
 * @throws ConfigError for an unknown or ill-typed option
 */
export const slubModule: MmsimModule = {
  slot: "slab",
  name: "slub",
  description: "the SLUB slab allocator of mm/slub.c (Linux 6.1): per-CPU slabs, partial lists, slub_debug",
  register(container: DependencyContainer, options?: ModuleOptions): void {
    const opts = resolveSlubOptions(options ?? {}, "<slub module options>");
    const cmd: SlubCmdline = {};
    container.register(SLUB_OPTIONS, {
      useFactory: (): SlubOptions => ({
        ...opts,
        ...(cmd.slubDebugSetting !== undefined ? { slubDebugSetting: cmd.slubDebugSetting } : {}),
        ...(cmd.slubMinOrder !== undefined ? { slubMinOrder: cmd.slubMinOrder } : {}),
        ...(cmd.slubMaxOrder !== undefined ? { slubMaxOrder: cmd.slubMaxOrder } : {}),
        ...(cmd.slubMinObjects !== undefined ? { slubMinObjects: cmd.slubMinObjects } : {}),
      }),
    });
    container.register(KmemCacheAllocator, { useClass: SlubAllocator }, { lifecycle: Lifecycle.ContainerScoped });
    const initial = opts.slubDebugSetting ?? parseSlubDebug(opts.slubDebug);
    // The handlers, made once when the machine first resolves them; what they print and ask for
    // is looked up in the container then (the machine registers KERNEL_LOG and STACK_DEPOT).
    let params: KernelParam[] | undefined;
    const boot = (c: DependencyContainer): SlubDebugBoot => ({
      log: c.resolve<KernelLog>(KERNEL_LOG),
      initOnAllocOrFree: opts.initOnAlloc,
      wantStackDepot: c.isRegistered(STACK_DEPOT, true) ? () => c.resolve<StackDepot>(STACK_DEPOT).wantEarlyInit() : undefined,
    });
    for (let i = 0; i < SLUB_KERNEL_PARAMS; i++) {
      container.register(KernelParam, { useFactory: (c) => (params ??= slubKernelParams(cmd, initial, () => boot(c)))[i]! });
    }
  },
};
