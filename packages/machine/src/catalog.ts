// mmsim: the policy catalog — (slot, name) → MmsimModule (cf. Kconfig choices; no kernel counterpart)
import { ScenarioError, UnknownPolicyError, isMmsimModule, type MmsimModule, slabCommonModule } from "@mmsim/core";
import { buddyModule } from "@mmsim/buddy";
import { hwArm64Module } from "@mmsim/hw-arm64";
import { memblockModule } from "@mmsim/memblock";
import { slabModule } from "@mmsim/slab";
import { slubModule } from "@mmsim/slub";
import { vmallocModule } from "@mmsim/vmalloc";
import { vmaModule } from "@mmsim/vma";
import { filemapModule } from "@mmsim/filemap";
import { lruPolicyModule, mglruPolicyModule, reclaimModule } from "@mmsim/reclaim";
import { swapModule } from "@mmsim/swap";
import { migrateModule } from "@mmsim/migrate";
import { compactionModule } from "@mmsim/compaction";
import { ksmModule } from "@mmsim/ksm";
import { lmkdModule, oomKillerModule } from "@mmsim/oom";
import { memcgModule } from "@mmsim/memcg-psi";
import { processModule } from "./process-module.ts";
import { psiModule } from "./psi-module.ts";
import { KernelRegistry } from "./registry.ts";

/**
 * Every module a machine can be built from, by slot and name. Mechanisms every machine has
 * (`memblock`, `buddy`, `arch`, `vmalloc`, `vma`, `filemap`, `swap`, `migrate`, `process`; `slab_common` with any slab allocator) are
 * slots with one entry; policies are slots with several (`slab: slub`). A scenario may also name
 * a module file (a policy, or an extra module under kernel.modules), loaded with import().
 */
export class ModuleCatalog {
  private readonly bySlot = new Map<string, Map<string, MmsimModule>>();
  private cachedRegistry: KernelRegistry | undefined;

  /** Adds a module; a second module with the same slot and name replaces the first. */
  add(m: MmsimModule): this {
    let slot = this.bySlot.get(m.slot);
    if (!slot) this.bySlot.set(m.slot, (slot = new Map()));
    slot.set(m.name, m);
    this.cachedRegistry = undefined;
    return this;
  }

  /** Every module, slot by slot in the order slots were first added. */
  modules(): MmsimModule[] {
    return [...this.bySlot.values()].flatMap((s) => [...s.values()]);
  }

  /**
   * The steps and sysctls every module of the catalog contributes: what a scenario may use.
   * @throws ConfigError when two modules define the same step kind or sysctl
   */
  registry(): KernelRegistry {
    return (this.cachedRegistry ??= new KernelRegistry(this.modules()));
  }

  /**
   * The module for a slot and name.
   * @throws UnknownPolicyError naming what is available
   */
  get(slot: string, name: string): MmsimModule {
    const m = this.bySlot.get(slot)?.get(name);
    if (!m) throw new UnknownPolicyError("machine.ModuleCatalog", slot, name, this.names(slot));
    return m;
  }

  /** Slots that have at least one module. */
  slots(): string[] {
    return [...this.bySlot.keys()].sort();
  }

  /** Names available for a slot. */
  names(slot: string): string[] {
    return [...(this.bySlot.get(slot)?.keys() ?? [])].sort();
  }

  /** The catalog of the packages @mmsim/machine depends on. */
  static default(): ModuleCatalog {
    return new ModuleCatalog()
      .add(memblockModule)
      .add(buddyModule)
      .add(hwArm64Module)
      .add(vmallocModule)
      .add(vmaModule)
      .add(memcgModule)
      .add(filemapModule)
      .add(swapModule)
      .add(migrateModule)
      .add(slabCommonModule)
      .add(processModule)
      .add(psiModule)
      .add(slabModule)
      .add(slubModule)
      .add(reclaimModule)
      .add(lruPolicyModule)
      .add(mglruPolicyModule)
      .add(compactionModule)
      .add(ksmModule)
      .add(oomKillerModule)
      .add(lmkdModule);
  }

  /**
   * Loads a user's module file (its default export must be an MmsimModule) and adds it.
   * @throws ScenarioError when the file cannot be imported or exports something else
   */
  /**
   * The module named `name` in any slot (kernel.modules names modules this way).
   * @throws ScenarioError naming the modules there are
   */
  find(name: string, file = "<command line>"): MmsimModule {
    for (const slot of this.bySlot.values()) {
      const m = slot.get(name);
      if (m) return m;
    }
    throw new ScenarioError("machine.ModuleCatalog.find", file, "kernel.modules", `no module "${name}"; modules: ${this.modules().map((m) => m.name).join(", ")}, or a module file (./my-module.mjs)`);
  }

  async loadModule(path: string, file = "<command line>", field = "kernel.policies"): Promise<MmsimModule> {
    let mod: unknown;
    try {
      mod = ((await import(path)) as { default?: unknown }).default;
    } catch (e) {
      throw new ScenarioError("machine.ModuleCatalog.loadModule", file, field, `cannot import ${path}: ${(e as Error).message}`);
    }
    if (!isMmsimModule(mod)) throw new ScenarioError("machine.ModuleCatalog.loadModule", file, field, `${path}: its default export is not an MmsimModule ({ slot, name, register })`);
    this.add(mod);
    return mod;
  }
}
