// mmsim: booting the reference board at 1, 16 and 64 GiB, and the whole machine's host bytes per simulated frame (issue 22: 64 GiB in < 1 s, ≤ 32 B per frame)
/*
 * The boot figures are whole boots (Machine.create + boot: memblock, paging_init's page tables,
 * vmemmap, the buddy allocator, deferred struct-page init, watermarks, CMA), in-process, median
 * of a few (tools/bench/reporter.ts prints median, target, met / not met).
 *
 * Host bytes per simulated frame is the slope of the resident set size of a fresh process that
 * boots a board, between two board sizes (so the fixed cost — Node, the modules — cancels):
 * everything the machine keeps per 4 KiB frame (MemMap's columns, the page-table store, the
 * linear map's PTE words, the pageblock bitmap …), not MemMap's column widths alone.
 */
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Machine, type ResolvedScenario } from "@mmsim/machine";
import { time } from "@mmsim/core/testing";
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

/** Resident set size (bytes) of a fresh Node process after it booted a `gib` GiB board (after a full GC). */
function rssAfterBoot(gib: number): number {
  const script = `
    import { Machine } from "@mmsim/machine";
    const s = ${JSON.stringify(scenario(gib, 2))};
    globalThis.machine = Machine.create(s); globalThis.machine.boot();
    globalThis.gc(); globalThis.gc();
    process.stdout.write(String(process.memoryUsage().rss));`;
  const out = execFileSync(process.execPath, ["--expose-gc", "--input-type=module", "-e", script], { cwd: fileURLToPath(new URL("..", import.meta.url)), encoding: "utf8" });
  return Number(out);
}

{
  // Two fresh processes; the slope between them is the per-frame cost.
  const small = 2;
  const large = 34;
  const a = rssAfterBoot(small);
  const b = rssAfterBoot(large);
  const frames = ((large - small) * 1024 ** 3) / 4096;
  const perFrame = (b - a) / frames;
  const target = 32;
  console.log(`${perFrame <= target ? "met      " : "NOT MET  "}  host bytes per simulated 4 KiB frame, whole machine (RSS slope of a booted board, ${small} → ${large} GiB): ${perFrame.toFixed(1)} B, target ≤ ${target} B`);
}

describe("boot (Machine.create + boot: memblock, paging_init, vmemmap, buddy, deferred init, watermarks, CMA)", () => {
  bench("boot 1 GiB, 2 CPUs (the reference board)", () => {
    Machine.create(scenario(1, 2)).boot();
  }, { time: 2000 });
  bench("boot 16 GiB, 4 CPUs", () => {
    Machine.create(scenario(16, 4)).boot();
  }, { iterations: 5, warmupIterations: 1, time: 0, warmupTime: 0 });
  bench(time("boot 64 GiB, 8 CPUs", { maxMs: 1000 }), () => {
    Machine.create(scenario(64, 8)).boot();
  }, { iterations: 5, warmupIterations: 1, time: 0, warmupTime: 0 });
});
