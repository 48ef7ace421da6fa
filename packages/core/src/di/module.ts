// mmsim: the module shape every package exports (no kernel counterpart; cf. Kconfig + obj-$(CONFIG_X))
import type { DependencyContainer } from "tsyringe";
import type { AnySysctl } from "../contrib/sysctl.ts";
import type { AnyStepDef } from "../workload/step.ts";

/**
 * A slot is the part of the simulated kernel a module fills: a mechanism every machine has
 * (`memblock`, `buddy`), or a pluggable policy chosen in the scenario (`slab`, `reclaim`, `oom`).
 */
export type ModuleSlot = string;

/** Options a scenario passes to a module (already validated by the module's own schema). */
export type ModuleOptions = Readonly<Record<string, unknown>>;

/**
 * What a package registers into one simulated machine's child container. The composition root
 * (`@mmsim/machine`) keeps a catalog of `(slot, name) → MmsimModule`; a scenario names one per
 * slot (`slab: slub`), or a module path whose default export is an `MmsimModule`.
 *
 * `register` must only call `container.register(...)` on the container it is given: never the
 * global tsyringe container, so two machines in one process share nothing (STYLE C4).
 */
export interface MmsimModule {
  /** The slot this module fills, e.g. `"memblock"`, `"slab"`. */
  readonly slot: ModuleSlot;
  /** Its name in scenario files: short kebab-case, e.g. `"memblock"`, `"slub"`, `"mglru"`. */
  readonly name: string;
  /** One sentence a catalog listing can show. */
  readonly description: string;
  /**
   * Registers the module's services into one machine's child container, and its contributions
   * under the contribution tokens (KernelFile, KernelThread, Initcall, Validator, CompareMetric),
   * which many modules may register (the machine resolves them all).
   */
  register(container: DependencyContainer, options?: ModuleOptions): void;
  /** Workload steps it contributes (static: the scenario loader checks them before any machine exists). */
  readonly steps?: readonly AnyStepDef[];
  /** Sysctls it contributes (static for the same reason); /proc/sys/<dir>/<procname> serves each. */
  readonly sysctls?: readonly AnySysctl[];
}

/** True when `x` has the shape of an MmsimModule (used on `import()`ed user modules). */
export function isMmsimModule(x: unknown): x is MmsimModule {
  if (typeof x !== "object" || x === null) return false;
  const m = x as Record<string, unknown>;
  return typeof m.slot === "string" && typeof m.name === "string" && typeof m.register === "function";
}
