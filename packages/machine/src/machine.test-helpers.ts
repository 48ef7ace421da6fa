// mmsim: a resolved scenario with the reference board's defaults, for machine tests
import type { ResolvedScenario } from "./scenario-types.ts";

/** The reference board (1 GiB, 2 CPUs) with no workload; override any part. */
export function referenceScenario(over: { machine?: Partial<ResolvedScenario["machine"]>; kernel?: Partial<ResolvedScenario["kernel"]>; workload?: ResolvedScenario["workload"]; seed?: number } = {}): ResolvedScenario {
  return {
    file: "<test>",
    seed: over.seed ?? 1,
    machine: { board: "qemu-virt-arm64", memory: 1024 ** 3, cpus: 2, nodes: 1, cmdline: "console=ttyAMA0 nokaslr ", reserved: [], ...over.machine },
    kernel: {
      sysctl: {},
      config: { deferredStructPageInit: true, transparentHugepage: true, initOnAlloc: true, cmaMbytes: 64, vaBits: 48, kfence: false },
      policies: {},
      costs: {},
      ...over.kernel,
    },
    workload: over.workload ?? [],
  };
}
