// mmsim: DI wiring for hw-arm64 (no kernel counterpart; cf. arch/arm64/Kconfig ARM64_VA_BITS)
/*
 * The arch package has one implementation, so its services are their own tokens (STYLE C3
 * exception). hwArm64Module registers the configured layout (VA_BITS from the module options,
 * default 48). The kernel's page tables exist only once the boot has run paging_init() (they
 * need memblock), so the composition root registers them itself, as a value, under
 * KERNEL_PAGE_TABLES. TLB/ASID services are registered by the integrator.
 */
import type { DependencyContainer } from "tsyringe";
import { ConfigError, Initcall, KERNEL_LOG, Validator, describeValue, resolveToken, token, type MmsimModule, type ModuleOptions } from "@mmsim/core";
import type { ValidationSink } from "@mmsim/core";
import { arm64Layout, type Arm64Layout } from "./layout.ts";
import type { Mmu } from "./mmu.ts";
import type { KernelPageTables } from "./paging-init.ts";
import type { PgtableStore } from "./pgtable-store.ts";

/** The machine's virtual memory layout (without PHYS_OFFSET until the machine re-registers it). */
export const ARM64_LAYOUT = token<Arm64Layout>("Arm64Layout");
/** swapper_pg_dir and its store, registered by the machine after paging_init. Kernel: `init_mm`'s tables. */
export const KERNEL_PAGE_TABLES = token<KernelPageTables>("KernelPageTables");

/** The MMU (per-CPU TLBs, the ASID allocator, translate), registered by the machine when it creates it. */
export const MMU = token<Mmu<PgtableStore>>("Mmu");

/**
 * Registers ARM64_LAYOUT for options `{ vaBits?: 39 | 48 }`, and the arch's contributions:
 * arch_initcall(asids_init) (its dmesg line) and the MMU's validator (TLBs and ASIDs).
 */
export const hwArm64Module: MmsimModule = {
  slot: "arch",
  name: "hw-arm64",
  description: "ARM64 MMU of arch/arm64/mm (Linux 6.1): VA layout, translation tables in simulated frames, the table walk, ptdump",
  register(container: DependencyContainer, options?: ModuleOptions): void {
    const vaBits = options?.vaBits ?? 48;
    if (vaBits !== 48 && vaBits !== 39) throw new ConfigError("hw-arm64.hwArm64Module", "<module options>", "vaBits", "39 or 48 (4 KiB pages)", describeValue(vaBits));
    container.register(ARM64_LAYOUT, { useValue: arm64Layout({ vaBits }) });
    container.register(Initcall, {
      useFactory: (c) => ({
        level: "arch",
        name: "asids_init",
        run: () => (resolveToken(c, KERNEL_LOG).prInfo(resolveToken(c, MMU).contexts.initMessage), 0),
      }),
    });
    container.register(Validator, { useFactory: (c) => ({ name: "mmu", validate: (sink: ValidationSink) => resolveToken(c, MMU).validate(sink) }) });
  },
};
