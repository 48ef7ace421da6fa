// mmsim: booting the reference board at 1, 16 and 64 GiB (issue target: 64 GiB in under 2 s)
import { Machine, type ResolvedScenario } from "@mmsim/machine";
import { bench, describe } from "vitest";

function scenario(gib: number, cpus: number): ResolvedScenario {
  return {
    file: "<bench>",
    seed: 1,
    machine: { board: "qemu-virt-arm64", memory: gib * 1024 ** 3, cpus, nodes: 1, cmdline: "console=ttyAMA0 nokaslr ", reserved: [] },
    kernel: { sysctl: {}, config: { deferredStructPageInit: true, transparentHugepage: true, initOnAlloc: true, cmaMbytes: 64, vaBits: 48, kfence: false }, policies: {}, costs: {} },
    workload: [],
  };
}

describe("boot (Machine.create + boot: memblock, vmemmap, buddy, deferred init, watermarks, CMA)", () => {
  bench("boot 1 GiB, 2 CPUs (the reference board)", () => {
    Machine.create(scenario(1, 2)).boot();
  }, { time: 2000 });
  bench("boot 16 GiB, 4 CPUs", () => {
    Machine.create(scenario(16, 4)).boot();
  }, { iterations: 5, warmupIterations: 1, time: 0, warmupTime: 0 });
  bench("boot 64 GiB, 8 CPUs (target < 2 s)", () => {
    Machine.create(scenario(64, 8)).boot();
  }, { iterations: 3, warmupIterations: 1, time: 0, warmupTime: 0 });
});
