// mmsim: SLUB's reports name the running task (`current`), not swapper/0 pid 0, when a task's step frees or allocates (issue 14)
import { describe, expect, it } from "vitest";
import { Machine } from "../machine.ts";
import { loadScenario } from "../scenario.ts";

describe("SLUB's current", () => {
  it("a double free in a forked child is reported with the child's pid and comm (dump_stack's task line)", { timeout: 60_000 }, () => {
    const m = Machine.create(loadScenario(`machine:
  cmdline: console=ttyAMA0 nokaslr slub_debug=FZPU,kmalloc-128
workload:
  - kmalloc: { as: c, size: 128 }
  - fork:
      as: child
      steps:
        - slab_corrupt: { as: c, bug: double_free }
  - wait: { for: child }
`, "c.yaml"));
    m.runWorkload();
    const log = m.log.all().map((r) => r.text);
    const bug = log.findIndex((l) => l.startsWith("BUG kmalloc-128 (Not tainted): Slab has 0 allocated objects but 1 are to be freed"));
    expect(bug).toBeGreaterThanOrEqual(0);
    const task = log.slice(bug).find((l) => l.startsWith("CPU: "));
    expect(task).toMatch(/^CPU: \d+ PID: 2 Comm: init /);
    expect(log.some((l) => /PID: 0 Comm: swapper/.test(l))).toBe(false);
  });
});
