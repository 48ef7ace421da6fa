// A simulated kernel panic is an outcome of the simulation (issue 23): the kernel's panic lines
// in the log, the machine's files as they were at the panic, and no exception but KernelPanic.
import { KernelPanic, SLAB_PANIC } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { referenceScenario } from "./machine.test-helpers.ts";
import { parseMemLimit } from "./platform/arm64/setup.ts";
import { loadScenario } from "./scenario.ts";

const PANIC_PGTABLE = [
  "Kernel panic - not syncing: Failed to allocate page table page",
  "Kernel Offset: disabled",
];
const END_PGTABLE = "---[ end Kernel panic - not syncing: Failed to allocate page table page ]---";

/** Boots, expecting a panic; returns the machine and the panic's log lines. */
function bootPanicking(m: Machine): { panic: KernelPanic; lines: string[] } {
  let thrown: unknown;
  try {
    m.boot();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(KernelPanic);
  const p = m.panicked!;
  expect(p.duringBoot).toBe(true);
  return { panic: thrown as KernelPanic, lines: m.log.all().slice(p.logIndex).map((r) => r.text) };
}

describe("kernel panics during boot", () => {
  it("mem=4K leaves no page for early_pgtable_alloc: the kernel's panic lines, at KERN_EMERG", () => {
    const m = Machine.create(referenceScenario({ machine: { cmdline: "console=ttyAMA0 nokaslr mem=4K" } }));
    const { panic, lines } = bootPanicking(m);
    expect(panic.where).toBe("early_pgtable_alloc");
    expect(panic.reason).toBe("Failed to allocate page table page");
    expect(lines).toEqual([...PANIC_PGTABLE, "Memory Limit: 0 MB", END_PGTABLE]);
    expect(m.log.all().slice(m.panicked!.logIndex).every((r) => r.level === 0)).toBe(true);
  }, 60_000 /* boots a board (two for the workload panic): seconds on a loaded 2-core machine */);

  it("after a boot panic the files that exist then are readable, boot() throws the same panic again, the workload does not run", () => {
    const m = Machine.create(referenceScenario({ machine: { cmdline: "mem=4K" } }));
    const { panic } = bootPanicking(m);
    expect(m.readFile("/proc/cmdline")).toBe("mem=4K\n");
    expect(m.readFile("/sys/kernel/debug/memblock/memory")).toMatch(/^ *0: 0x0000000040000000\.\.0x0000000040000fff/);
    expect(m.readFile("/proc/meminfo")).toBeUndefined();
    expect(m.listFiles()).toContain("/sys/kernel/debug/memblock/reserved");
    expect(() => m.boot()).toThrow(panic);
    const r = m.runWorkload();
    expect(r.panic).toBe(panic);
    expect(r.steps).toBe(0);
    // The panic is logged once.
    expect(m.log.all().filter((x) => x.text.startsWith("Kernel panic")).length).toBe(1);
  }, 60_000 /* boots a board (two for the workload panic): seconds on a loaded 2-core machine */);

  it("a reservation covering all RAM panics in early_pgtable_alloc, with no mem= limit", () => {
    const m = Machine.create(referenceScenario({ machine: { memory: 256 * 1024 ** 2, reserved: [{ start: 0x40000000, size: 256 * 1024 ** 2, name: "all" }] } }));
    const { lines } = bootPanicking(m);
    expect(lines).toEqual([...PANIC_PGTABLE, "Memory Limit: none", END_PGTABLE]);
  }, 60_000 /* boots a board (two for the workload panic): seconds on a loaded 2-core machine */);

  it("400 reserved regions fill memblock.reserved (385 static entries, no resize before paging_init): the kernel panics", () => {
    const reserved = Array.from({ length: 400 }, (_, i) => ({ start: 0x60000000 + i * 0x10000, size: 4096, name: `r${i}` }));
    const m = Machine.create(referenceScenario({ machine: { reserved } }));
    const { panic } = bootPanicking(m);
    expect(panic.reason).toBe("Failed to allocate page table page");
  }, 60_000 /* boots a board (two for the workload panic): seconds on a loaded 2-core machine */);
});

describe("mem= as 6.1's early_mem() reads it (memparse, PAGE_MASK, the last one wins)", () => {
  it("parses like memparse: suffixes K..E, 0x hex, octal, garbage after the number ignored", () => {
    expect(parseMemLimit("console=ttyAMA0")).toBeUndefined();
    expect(parseMemLimit("mem=512M")).toBe(512 * 1024 ** 2);
    expect(parseMemLimit("mem=1G mem=256M")).toBe(256 * 1024 ** 2);
    expect(parseMemLimit("mem=0x10000000")).toBe(0x10000000);
    expect(parseMemLimit("mem=0x20000K")).toBe(0x20000 * 1024);
    expect(parseMemLimit("mem=010000000")).toBe(0o10000000 & ~4095);
    expect(parseMemLimit("mem=1t")).toBe(2 ** 40);
    expect(parseMemLimit("mem=300Mfoo")).toBe(300 * 1024 ** 2);
    expect(parseMemLimit("mem=4097")).toBe(4096);
    expect(parseMemLimit("mem=1")).toBe(0);
    expect(parseMemLimit("mem=abc")).toBe(0);
    expect(parseMemLimit("mem=16E")).toBe(0); // 2^64 wraps to 0 in u64
  }, 60_000 /* boots a board (two for the workload panic): seconds on a loaded 2-core machine */);

  it("mem=1 is 0 after PAGE_MASK, which memblock_mem_limit_remove_map ignores: the board boots with all its RAM", () => {
    const m = Machine.create(referenceScenario({ machine: { cmdline: "console=ttyAMA0 nokaslr mem=1" } }));
    m.boot();
    expect(m.panicked).toBeUndefined();
    expect(m.readFile("/proc/meminfo")).toMatch(/^MemTotal: +\d+ kB/);
    expect(m.log.dmesg()).toContain("Memory: 98324K/1048576K available");
  }, 60_000 /* boots a board (two for the workload panic): seconds on a loaded 2-core machine */);
});

describe("kernel panics in the workload", () => {
  it("kmem_cache_create with SLAB_PANIC that fails panics as kmem_cache_create_usercopy does; files stay readable as at the panic", () => {
    const s = loadScenario(
      `workload:\n  - kmalloc: { as: a, size: 64, count: 10 }\n  - kmem_cache_create: { name: bad, size: 64, flags: ${SLAB_PANIC | 0x1} }\n  - kmalloc: { as: b, size: 64, count: 10 }\n`,
      "panic.yaml",
    );
    const m = Machine.create(s);
    const r = m.runWorkload();
    expect(r.panic?.reason).toBe("kmem_cache_create_usercopy: Failed to create slab 'bad'. Error -22");
    expect(r.steps).toBe(1);
    expect(m.panicked?.duringBoot).toBe(false);
    const lines = m.log.all().slice(m.panicked!.logIndex).map((x) => x.text);
    expect(lines[0]).toBe("Kernel panic - not syncing: kmem_cache_create_usercopy: Failed to create slab 'bad'. Error -22");
    expect(lines.at(-1)).toBe("---[ end Kernel panic - not syncing: kmem_cache_create_usercopy: Failed to create slab 'bad'. Error -22 ]---");
    // The third step did not run: the files are as after the first step.
    const before = Machine.create(s);
    before.runWorkload({ stopAfter: 1 });
    for (const f of ["/proc/meminfo", "/proc/slabinfo", "/proc/buddyinfo"]) expect(m.readFile(f)).toBe(before.readFile(f));
    expect(m.runWorkload().panic).toBe(r.panic);
  }, 60_000 /* boots a board (two for the workload panic): seconds on a loaded 2-core machine */);
});
