// Issue 23: property tests (fast-check) — random operation sequences against memblock, the buddy
// allocator, SLAB, SLUB, vmalloc and the page tables, with every validate() after every operation;
// fast-check shrinks a failure to a minimal sequence. And determinism as a property: the same
// generated scenario run twice gives byte-identical output.
import { KernelLog, SZ_1M } from "@mmsim/core";
import { CollectingSink, expectValid } from "@mmsim/core/testing";
import { Memblock } from "@mmsim/memblock";
import * as fc from "fast-check";
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";

/** Fixed seeds: a failure reproduces; `FC_SEED=<n>` explores others. */
const SEED = Number(process.env.FC_SEED ?? 23);

describe("memblock: random add/reserve/remove/free/alloc sequences keep its invariants", () => {
  const RAM = 0x40000000;
  const page = fc.integer({ min: 0, max: 255 }).map((i) => RAM + i * 4096 * 16);
  const len = fc.integer({ min: 1, max: 64 }).map((n) => n * 4096);
  const op = fc.oneof(
    fc.record({ kind: fc.constant("add" as const), base: page, size: len }),
    fc.record({ kind: fc.constant("reserve" as const), base: page, size: len }),
    fc.record({ kind: fc.constant("remove" as const), base: page, size: len }),
    fc.record({ kind: fc.constant("free" as const), base: page, size: len }),
    fc.record({ kind: fc.constant("alloc" as const), base: fc.constant(0), size: len }),
  );
  it("validate() holds after every operation", () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 60 }), (ops) => {
        const mb = new Memblock(new KernelLog());
        mb.memblockAdd(RAM, 64 * SZ_1M);
        for (const [i, o] of ops.entries()) {
          if (o.kind === "add") mb.memblockAdd(o.base, o.size);
          else if (o.kind === "reserve") mb.memblockReserve(o.base, o.size);
          else if (o.kind === "remove") mb.memblockRemove(o.base, o.size);
          else if (o.kind === "free") mb.memblockPhysFree(o.base, o.size);
          else {
            const pa = mb.memblockPhysAlloc(o.size, 4096);
            if (pa !== 0) expect(mb.memblockIsRegionReserved(pa, o.size)).toBe(true);
          }
          expectValid(mb, `op ${i} ${JSON.stringify(o)}`);
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

/** One workload step, as a scenario file writes it. */
const step = fc.oneof(
  // An alloc name keeps one order (the loader's rule): the name carries it.
  fc.tuple(fc.constantFrom("p", "q"), fc.integer({ min: 0, max: 10 }), fc.integer({ min: 1, max: 40 }), fc.integer({ min: 0, max: 1 })).map(([n, order, count, cpu]) => ({ alloc: { name: `${n}${order}`, order, count, cpu } })),
  fc.tuple(fc.constantFrom("p", "q"), fc.integer({ min: 0, max: 10 })).map(([n, order]) => ({ free: { name: `${n}${order}` } })),
  fc.record({ kmalloc: fc.record({ as: fc.constantFrom("k", "l"), size: fc.constantFrom(8, 64, 192, 1000, 4096, 8192, 65536), count: fc.integer({ min: 1, max: 200 }), cpu: fc.integer({ min: 0, max: 1 }) }) }),
  fc.record({ kfree: fc.record({ as: fc.constantFrom("k", "l"), order: fc.constantFrom("lifo", "random") }) }),
  fc.record({ vmalloc: fc.record({ as: fc.constantFrom("v", "w"), size: fc.integer({ min: 1, max: 600 }).map((k) => k * 1024), count: fc.integer({ min: 1, max: 4 }) }) }),
  fc.record({ vfree: fc.record({ as: fc.constantFrom("v", "w") }) }),
  fc.record({ mmap: fc.record({ as: fc.constantFrom("m", "n"), size: fc.integer({ min: 1, max: 2048 }).map((k) => k * 4096) }) }),
  fc.record({ munmap: fc.record({ as: fc.constantFrom("m", "n") }) }),
  fc.record({ slab_churn: fc.record({ sizes: fc.constant([64, 512]), as: fc.constantFrom("c"), pattern: fc.constantFrom("steady", "burst", "mixed"), ops: fc.integer({ min: 1, max: 300 }), live: fc.integer({ min: 0, max: 200 }) }) }),
);

/**
 * The workload with the steps the loader would refuse left out (a free, kfree, vfree or munmap
 * before its allocation, a name reused by another family): what is left is a valid scenario.
 */
function scenarioOf(steps: readonly Record<string, unknown>[], slab: string): string {
  const made = new Set<string>();
  const kept: Record<string, unknown>[] = [];
  for (const s of steps) {
    const [kind, body] = Object.entries(s)[0] as [string, Record<string, string>];
    const name = body.name ?? body.as!;
    const freeing = { free: "alloc", kfree: "kmalloc", vfree: "vmalloc", munmap: "mmap" }[kind];
    if (freeing) {
      if (!made.has(`${freeing}:${name}`)) continue;
      if (kind === "munmap") made.delete(`${freeing}:${name}`);
    } else if (kind === "mmap" && made.has(`mmap:${name}`)) continue;
    else made.add(`${kind}:${name}`);
    kept.push(s);
  }
  return JSON.stringify({ machine: { memory: "256M" }, kernel: { policies: { slab } }, workload: kept });
}

/** Every mechanism's validate(), the slab allocator's own included. */
function validateAll(m: Machine, after: string): void {
  const sink = new CollectingSink();
  m.validate(sink);
  m.slab?.allocator.validate(sink);
  if (!sink.ok) throw new Error(`validate() found ${sink.problems.length} problem(s) after ${after}:\n${sink.toString()}`);
}

for (const slab of ["slub", "slab"]) {
  describe(`random workloads on a 256 MiB board with ${slab.toUpperCase()}: buddy, ${slab}, vmalloc and the page tables stay valid`, () => {
    it("validate() after every step", () => {
      fc.assert(
        fc.property(fc.array(step, { minLength: 1, maxLength: 12 }), (steps) => {
          const s = loadScenario(scenarioOf(steps, slab), "prop.json");
          const m = Machine.create(s);
          m.runWorkload({ onStep: (done) => validateAll(m, `step ${done} of ${JSON.stringify(s.workload.map((w) => w.kind))}`) });
          validateAll(m, "the workload");
        }),
        { seed: SEED, numRuns: 12 },
      );
    }, 120_000 /* 12 boots of a 256 MiB board and a full validate after each step: ~20 s on a loaded 2-core machine */);
  });
}

describe("determinism: the same generated scenario twice gives byte-identical output", () => {
  it("dmesg, meminfo, slabinfo, vmallocinfo and the simulated clock are equal", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 10 }), fc.integer({ min: 0, max: 2 ** 31 }), (steps, seed) => {
        const text = scenarioOf(steps, "slub").replace(/^\{/, `{"seed":${seed},`);
        const run = () => {
          const m = Machine.create(loadScenario(text, "det.json"));
          m.runWorkload();
          return [m.log.dmesg(), m.readFile("/proc/meminfo"), m.readFile("/proc/slabinfo"), m.readFile("/proc/vmallocinfo"), String(m.clock.now())].join("\n--\n");
        };
        expect(run()).toBe(run());
      }),
      { seed: SEED, numRuns: 6 },
    );
  }, 120_000 /* 12 boots of a 256 MiB board */);
});

