// mmsim: DI wiring for memblock (no kernel counterpart; cf. mm/Makefile `obj-y += memblock.o`)
/*
 * memblock is a mechanism every machine has, with a single implementation: the class is its
 * own service, registered under the MEMBLOCK token (STYLE C3 exception, C4). One Memblock per
 * machine container (ContainerScoped); it takes the machine's KernelLog. Its command-line
 * parameter, `early_param("memblock", early_memblock)`, is a KernelParam that sets
 * memblock_debug on this machine's Memblock.
 */
import { Lifecycle, type DependencyContainer } from "tsyringe";
import { KernelParam, earlyParam, token, type MmsimModule } from "@mmsim/core";
import { Memblock, earlyMemblock } from "./memblock.ts";

/** The machine's memblock. Kernel: the global `struct memblock memblock`. */
export const MEMBLOCK = token<Memblock>("Memblock");

/** Registers Memblock under MEMBLOCK in one machine's child container, and its `memblock=` parameter. */
export const memblockModule: MmsimModule = {
  slot: "memblock",
  name: "memblock",
  description: "Boot-time memory manager of mm/memblock.c (Linux 6.1): memory/reserved regions, early allocations, hand-over to the buddy allocator",
  register(container: DependencyContainer): void {
    container.register(MEMBLOCK, { useClass: Memblock }, { lifecycle: Lifecycle.ContainerScoped });
    container.register(KernelParam, { useFactory: (c) => earlyParam("memblock", (p) => earlyMemblock(c.resolve(MEMBLOCK), p)) });
  },
};
