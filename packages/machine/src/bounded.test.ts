// Issue 23: bounded work and no hangs — every step ends, failing allocations stay cheap and quiet
// (warn_alloc's 6.1 ratelimit), periodic kernel threads do not spin, the loader refuses absurd
// host costs, and mmsim's where/ file does not grow without bound.
import { ScenarioError } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { MAX_EXECUTED_STEPS, MAX_WORKLOAD_OPS, loadScenario } from "./scenario.ts";
import { MAX_WHERE_PAGES } from "./steps/user.ts";

describe("bounded work", () => {
  it("slab_churn steady stops filling when allocations fail (64M board, live 100000 × 4096 bytes)", () => {
    // __GFP_NORETRY: the allocations fail instead of calling the OOM killer (which would find only init to kill, and panic)
    const s = loadScenario("machine: { memory: 64M }\nworkload:\n  - slab_churn: { sizes: [4096], as: x, pattern: steady, ops: 10, live: 100000, gfp: GFP_KERNEL|__GFP_NORETRY }\n", "steady.yaml");
    const m = Machine.create(s);
    const r = m.runWorkload();
    expect(r.failedAllocs.x).toBeGreaterThan(0);
    expect(r.steps).toBe(1);
  }, 60_000 /* fills a 64 MiB board with 4 KiB objects: about a second on a loaded 2-core machine */);

  it("warn_alloc prints one failure per 10 s (6.1's nopage_rs = 10*HZ, 1), then how many it suppressed", () => {
    const s = loadScenario("machine: { memory: 64M }\nworkload:\n  - alloc: { name: a, order: 10, count: 200 }\n  - sleep: 11000\n  - alloc: { name: b, order: 10, count: 1 }\n", "fail.yaml");
    const m = Machine.create(s);
    const r = m.runWorkload();
    expect(r.failedAllocs.a).toBeGreaterThan(150);
    const lines = m.log.dmesg().split("\n");
    expect(lines.filter((l) => l.includes("page allocation failure")).length).toBe(2);
    expect(lines.filter((l) => /warn_alloc: \d+ callbacks suppressed$/.test(l)).length).toBe(1);
    const suppressed = Number(/warn_alloc: (\d+) callbacks suppressed/.exec(m.log.dmesg())![1]);
    expect(suppressed).toBe(r.failedAllocs.a! - 1);
  });

  it("periodic kernel threads do not spin: SLAB's cache_reap after a day of sleep, and with a clock of 1e30 ns", () => {
    const day = Machine.create(loadScenario("machine: { memory: 256M }\nkernel: { policies: { slab: slab } }\nworkload:\n  - kmalloc: { as: a, size: 64, count: 10 }\n  - sleep: 86400000\n  - kmalloc: { as: b, size: 64 }\n", "day.yaml"));
    expect(day.runWorkload().steps).toBe(3);
    const huge = Machine.create(loadScenario("machine: { memory: 256M }\nkernel: { policies: { slab: slab }, costs: { clearPage: 1e30, slabAllocFast: 1e30 } }\nworkload:\n  - kmalloc: { as: a, size: 64, count: 10 }\n  - sleep: 5000\n  - kmalloc: { as: b, size: 64, count: 3 }\n", "huge.yaml"));
    expect(huge.runWorkload().steps).toBe(3);
  }, 60_000 /* two 256 MiB boots */);

  it("nested repeats whose product exceeds the limit are refused by the loader, naming the limit and the reason", () => {
    let e: unknown;
    try {
      loadScenario("workload:\n  - repeat:\n      times: 100000\n      steps:\n        - repeat: { times: 100000, steps: [ { label: x } ] }\n", "nest.yaml");
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(ScenarioError);
    expect((e as ScenarioError).problem).toContain(`10000000000 steps (repeats multiplied out), more than ${MAX_EXECUTED_STEPS}`);
    expect((e as ScenarioError).line).toBe(5);
    expect(() => loadScenario("workload:\n  - repeat: { times: 1000, steps: [ { repeat: { times: 1000, steps: [ { label: x } ] } } ] }\n", "ok.yaml")).not.toThrow();
  });

  it("counts and sizes count too: alloc count 2^31 − 1 (hours of failing allocations) is refused; a 64 MiB mmap in a repeat of 100 is not", () => {
    let e: unknown;
    try {
      loadScenario("machine: { memory: 64M }\nworkload:\n  - alloc: { name: a, count: 2147483647 }\n", "count.yaml");
    } catch (x) {
      e = x;
    }
    expect((e as ScenarioError).problem).toContain(`2147483647 page, object or step operations (counts and sizes, repeats multiplied out), more than ${MAX_WORKLOAD_OPS}`);
    expect((e as ScenarioError).line).toBe(3);
    expect(() => loadScenario("workload:\n  - repeat: { times: 100, steps: [ { mmap: { as: m, size: 64M } }, { munmap: { as: m } } ] }\n", "ok.yaml")).not.toThrow();
  });

  it("an access without a size costs the whole buffer it names: 64 MiB touched 100,000 times (1.6 × 10^9 accesses, hours) is refused at its line; 64 MiB touched 100 times is not", () => {
    let e: unknown;
    try {
      loadScenario("machine: { memory: 256M }\nworkload:\n  - mmap: { as: a, size: 64M }\n  - repeat: { times: 1000, steps: [ { access: { as: a, times: 100 } } ] }\n", "access.yaml");
    } catch (x) {
      e = x;
    }
    expect((e as ScenarioError).problem).toContain(`1638400000 page, object or step operations (counts and sizes, repeats multiplied out), more than ${MAX_WORKLOAD_OPS}`);
    expect((e as ScenarioError).line).toBe(4);
    expect(() => loadScenario("machine: { memory: 256M }\nworkload:\n  - mmap: { as: a, size: 64M }\n  - access: { as: a, times: 100000 }\n", "access.yaml")).toThrow(/more than 50000000/);
    expect(() => loadScenario("machine: { memory: 256M }\nworkload:\n  - mmap: { as: a, size: 64M }\n  - access: { as: a, times: 100 }\n", "ok.yaml")).not.toThrow();
    // madvise that walks pages and mlock cost the range too; mprotect and madvise(hugepage) do not
    const loop = (step: string) => `machine: { memory: 256M }\nworkload:\n  - mmap: { as: a, size: 1G, flags: [private, noreserve] }\n  - repeat: { times: 1000, steps: [ ${step} ] }\n`;
    expect(() => loadScenario(loop("{ madvise: { as: a, advice: populate_write } }"), "madv.yaml")).toThrow(/262144000 page, object or step operations/);
    expect(() => loadScenario(loop("{ mlock: { as: a } }"), "mlock.yaml")).toThrow(/262144000 page, object or step operations/);
    expect(() => loadScenario(loop("{ madvise: { as: a, offset: 4K, size: 4K, advice: dontneed } }"), "ok.yaml")).not.toThrow();
    expect(() => loadScenario(loop("{ madvise: { as: a, advice: hugepage } }"), "ok.yaml")).not.toThrow();
    expect(() => loadScenario(loop("{ mprotect: { as: a, prot: r } }"), "ok.yaml")).not.toThrow();
  });

  it("a show costs SHOW_COST operations: a million shows of /proc/zoneinfo (10 GB of output) are refused, 20,000 are not", () => {
    const shows = (times: number) => `workload:\n  - repeat: { times: ${times}, steps: [ { show: /proc/zoneinfo } ] }\n`;
    expect(() => loadScenario(shows(1_000_000), "shows.yaml")).toThrow(/shows.yaml:2: .*100000000 page, object or step operations/);
    expect(() => loadScenario(shows(20_000), "ok.yaml")).not.toThrow();
  });

  it("a fork costs the pages of the buffers made before it (copy_page_range, then the child's exit): a million forks of a 64 MiB mapping are refused, a hundred are not", () => {
    const forks = (times: number, unmap = "") => `machine: { memory: 256M }\nworkload:\n  - mmap: { as: a, size: 64M, flags: [private, populate] }\n${unmap}  - repeat: { times: ${times}, steps: [ { fork: { as: c, steps: [] } }, { wait: {} } ] }\n`;
    expect(() => loadScenario(forks(1_000_000), "fork.yaml")).toThrow(/fork.yaml:4: .*page, object or step operations/);
    expect(() => loadScenario(forks(100), "ok.yaml")).not.toThrow();
    expect(() => loadScenario(forks(1_000_000, "  - munmap: { as: a }\n"), "ok.yaml")).not.toThrow();
  });

  it("the where/ file of a mapping larger than MAX_WHERE_PAGES pages lists that many and counts the rest", () => {
    const m = Machine.create(loadScenario("machine: { memory: 2G }\nworkload:\n  - mmap: { as: big, size: 300M }\n", "big.yaml"));
    m.runWorkload();
    const text = m.readFile("/sys/kernel/debug/mmsim/where/big")!;
    const lines = text.split("\n");
    expect(lines.filter((l) => l.includes(" -> ")).length).toBe(MAX_WHERE_PAGES);
    expect(text).toContain(`  … ${(300 * 256) - MAX_WHERE_PAGES} more pages not listed (mmsim lists the first ${MAX_WHERE_PAGES} pages of a buffer)\n  physically contiguous: `);
  }, 60_000 /* a 2 GiB board and 76,800 page walks */);
});
