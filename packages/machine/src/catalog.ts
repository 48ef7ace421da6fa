// mmsim: the policy catalog — (slot, name) → MmsimModule (cf. Kconfig choices; no kernel counterpart)
import { ScenarioError, UnknownPolicyError, isMmsimModule, type MmsimModule } from "@mmsim/core";
import { buddyModule } from "@mmsim/buddy";
import { memblockModule } from "@mmsim/memblock";
import { slabModule } from "@mmsim/slab";
import { slubModule } from "@mmsim/slub";

/**
 * Every module a machine can be built from, by slot and name. Mechanisms every machine has
 * (`memblock`, `buddy`) are slots with one entry; later packages add policies (`slab: slub`).
 * A scenario may also name a module file, loaded with import() (loadModule).
 */
export class ModuleCatalog {
  private readonly bySlot = new Map<string, Map<string, MmsimModule>>();

  /** Adds a module; a second module with the same slot and name replaces the first. */
  add(m: MmsimModule): this {
    let slot = this.bySlot.get(m.slot);
    if (!slot) this.bySlot.set(m.slot, (slot = new Map()));
    slot.set(m.name, m);
    return this;
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
    return new ModuleCatalog().add(memblockModule).add(buddyModule).add(slabModule).add(slubModule);
  }

  /**
   * Loads a user's module file (its default export must be an MmsimModule) and adds it.
   * @throws ScenarioError when the file cannot be imported or exports something else
   */
  async loadModule(path: string, file = "<command line>"): Promise<MmsimModule> {
    let mod: unknown;
    try {
      mod = ((await import(path)) as { default?: unknown }).default;
    } catch (e) {
      throw new ScenarioError("machine.ModuleCatalog.loadModule", file, "kernel.policies", `cannot import ${path}: ${(e as Error).message}`);
    }
    if (!isMmsimModule(mod)) throw new ScenarioError("machine.ModuleCatalog.loadModule", file, "kernel.policies", `${path}: its default export is not an MmsimModule ({ slot, name, register })`);
    this.add(mod);
    return mod;
  }
}
