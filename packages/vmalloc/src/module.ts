// mmsim: DI wiring for vmalloc (no kernel counterpart; cf. mm/Makefile `mmu-y += … vmalloc.o`)
/*
 * vmalloc is a mechanism every machine has, with a single implementation: the class is its
 * own service, registered under the VMALLOC token (STYLE C3 exception, C4). One Vmalloc per
 * machine container (ContainerScoped). It needs, registered in the same container:
 * VMALLOC_CONFIG (the layout and shape), PageAllocator (buddy), VmapPageTables (the arch
 * page tables, adapted by the machine), KERNEL_LOG and SIM_CLOCK. The slab layer is handed
 * over at vmallocInit(slab), as 6.1's mm_init() runs vmalloc_init() after kmem_cache_init().
 */
import { Lifecycle, type DependencyContainer } from "tsyringe";
import { type MmsimModule, Validator, resolveToken } from "@mmsim/core";
import type { ValidationSink } from "@mmsim/core";
import { VMALLOC_STEPS } from "./steps.ts";
import { VMALLOC } from "./token.ts";
import { Vmalloc } from "./vmalloc.ts";

export { VMALLOC } from "./token.ts";

/** Registers Vmalloc under VMALLOC in one machine's child container. */
export const vmallocModule: MmsimModule = {
  slot: "vmalloc",
  name: "vmalloc",
  description: "Non-contiguous kernel memory of mm/vmalloc.c (Linux 6.1): vmap_area trees, vmalloc/vfree/vmap/ioremap, lazy purge, kvmalloc, /proc/vmallocinfo",
  register(container: DependencyContainer): void {
    container.register(VMALLOC, { useClass: Vmalloc }, { lifecycle: Lifecycle.ContainerScoped });
    container.register(Validator, { useFactory: (c) => ({ name: "vmalloc", validate: (sink: ValidationSink) => resolveToken(c, VMALLOC).validate(sink) }) });
  },
  steps: VMALLOC_STEPS,
};
