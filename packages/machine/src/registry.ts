// mmsim: the registry of workload steps and sysctls a set of modules contributes (no kernel counterpart; cf. the kernel's sysctl tables registered by each subsystem)
/*
 * The scenario loader, `mmsim run --help` and the workload engine read steps and sysctls from
 * here, never from a list of their own: a package adds a step or a knob to its module and
 * nothing else changes. The engine's own steps (show, repeat, sysctl, expect, write, sleep,
 * label) come first, then each module's, in the catalog's order.
 */
import { type AnyStepDef, type AnySysctl, ConfigError, type MmsimModule } from "@mmsim/core";
import { expectStep, labelStep, repeatStep, showStep, sleepStep, sysctlStepOf, writeStep } from "./steps/generic.ts";

export class KernelRegistry {
  /** Step definitions by kind, in help order. */
  readonly steps = new Map<string, AnyStepDef>();
  /** Sysctls by procname (the key of kernel.sysctl and of the sysctl step). */
  readonly sysctls = new Map<string, AnySysctl>();

  constructor(modules: readonly MmsimModule[]) {
    const own: AnyStepDef[] = [showStep, repeatStep, sysctlStepOf(() => this.sysctls), expectStep, writeStep, sleepStep, labelStep];
    for (const d of own) this.steps.set(d.kind, d);
    for (const m of modules) {
      for (const d of m.steps ?? []) {
        const prev = this.steps.get(d.kind);
        if (prev && prev !== d) throw new ConfigError("machine.KernelRegistry", `module ${m.name}`, `steps.${d.kind}`, "a step kind no other module defines", `"${d.kind}", already defined`);
        this.steps.set(d.kind, d);
      }
      for (const s of m.sysctls ?? []) {
        const prev = this.sysctls.get(s.procname);
        if (prev && prev !== s) throw new ConfigError("machine.KernelRegistry", `module ${m.name}`, `sysctls.${s.procname}`, "a sysctl no other module defines", `"${s.procname}", already defined`);
        this.sysctls.set(s.procname, s);
      }
    }
  }

  /** Step kinds, in help order. */
  stepKinds(): string[] {
    return [...this.steps.keys()];
  }

  /** The help lines of the steps. */
  stepDocs(): string[] {
    return [...this.steps.values()].map((d) => d.doc).filter((d) => d !== "");
  }
}
