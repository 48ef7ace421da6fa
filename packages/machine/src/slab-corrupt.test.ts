// mmsim: slab_corrupt — driver bugs on purpose, caught by slub_debug as 6.1 reports them (issue 23: "workload steps that corrupt on purpose")
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";

const run = (yaml: string) => {
  const m = Machine.create(loadScenario(yaml, "c.yaml"));
  m.runWorkload();
  return m.log.all().map((r) => r.text);
};

describe("slab_corrupt", () => {
  const DEBUG = "machine:\n  cmdline: console=ttyAMA0 nokaslr slub_debug=FZPU,kmalloc-128\n";

  it("an overrun past an object is caught at its free: Right Redzone overwritten, then repaired", { timeout: 30_000 }, () => {
    const log = run(`${DEBUG}workload:\n  - kmalloc: { as: a, size: 100 }\n  - slab_corrupt: { as: a, bug: overflow, bytes: 4 }\n  - kfree: { as: a }\n`);
    expect(log).toContain("BUG kmalloc-128 (Not tainted): Right Redzone overwritten");
    expect(log.some((l) => /^0x[0-9a-f]{16}-0x[0-9a-f]{16} @offset=\d+\. First byte 0x41 instead of 0xcc$/.test(l))).toBe(true);
    expect(log.some((l) => /^FIX kmalloc-128: Restoring Right Redzone /.test(l))).toBe(true);
  });

  it("a write after free is caught when the object is allocated again: Poison overwritten", { timeout: 30_000 }, () => {
    const log = run(`${DEBUG}workload:\n  - kmalloc: { as: b, size: 128 }\n  - slab_corrupt: { as: b, bug: use_after_free }\n  - kmalloc: { as: c, size: 128 }\n`);
    expect(log).toContain("BUG kmalloc-128 (Not tainted): Poison overwritten");
    expect(log.some((l) => / First byte 0x41 instead of 0x6b$/.test(l))).toBe(true);
  });

  it("a double free: slub_debug refuses it; without it the freelist hardening BUG()s (an Oops); SLAB WARNs", { timeout: 30_000 }, () => {
    const dbg = run(`${DEBUG}workload:\n  - kmalloc: { as: c, size: 128 }\n  - slab_corrupt: { as: c, bug: double_free }\n`);
    expect(dbg.some((l) => l.startsWith("BUG kmalloc-128 (Not tainted): Slab has 0 allocated objects but 1 are to be freed"))).toBe(true);
    const plain = run("workload:\n  - kmalloc: { as: c, size: 128, count: 3 }\n  - slab_corrupt: { as: c, bug: double_free }\n");
    expect(plain.some((l) => l.startsWith("Internal error: Oops - BUG: "))).toBe(true);
    const slab = run("kernel: { policies: { slab: slab } }\nworkload:\n  - kmalloc: { as: c, size: 128 }\n  - slab_corrupt: { as: c, bug: double_free }\n");
    expect(slab.some((l) => /^WARNING: CPU: 0 PID: 0 at mm\/slab\.c:\d+ ___cache_free$/.test(l))).toBe(true);
  });

  it("an allocator that simulates no object bytes refuses overflow and use_after_free with a way out", () => {
    const m = Machine.create(loadScenario("kernel: { policies: { slab: slab } }\nworkload:\n  - kmalloc: { as: c, size: 128 }\n  - slab_corrupt: { as: c, bug: overflow }\n", "c.yaml"));
    expect(() => m.runWorkload()).toThrow(/c\.yaml:4: slab_corrupt c: the slab allocator simulates no object bytes; use double_free, or kernel\.policies\.slab: slub/);
  });
});
