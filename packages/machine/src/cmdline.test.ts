// mmsim: the kernel command line reaching the modules (early_param/__setup through KernelParam): slub_debug= and memblock=debug on the booted board, against real 6.1 captures made with them
/*
 * The captures are in tests/conformance/fixtures/cmdline/linux-6.1-arm64/ (Debian's 6.1.0-57
 * arm64 on QEMU virt, tools/real-kernel/capture --append "…"). mmsim boots the same board with the
 * same command line; what the kernel prints and shows for the parameter must come out the same,
 * except where a figure depends on what mmsim does not model (named below).
 */
import { readFileSync } from "node:fs";
import { KernelParam } from "@mmsim/core";
import { expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { MEMBLOCK_DEBUG_CALLERS } from "./platform/qemu-virt-arm64.ts";
import { Machine } from "./machine.ts";
import { referenceScenario } from "./machine.test-helpers.ts";

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;

function capture(name: string): { cmdline: string; file(f: string): string; dmesg: string[] } {
  const file = (f: string): string => readFileSync(new URL(`../../../tests/conformance/fixtures/cmdline/linux-6.1-arm64/${name}/${f}`, import.meta.url), "utf8");
  return { cmdline: file("proc_cmdline").replace(/\n$/, ""), file, dmesg: lines(file("dmesg")) };
}

/** dmesg text without timestamps. */
function lines(text: string): string[] {
  return text.split("\n").filter((l) => l !== "").map((l) => l.replace(/^\[[ \d.]+\] /, ""));
}

function boot(memory: number, cmdline: string): Machine {
  const m = Machine.create(referenceScenario({ machine: { memory, cmdline } }));
  m.boot();
  return m;
}

describe("the boot command line reaches the modules' parameters", () => {
  it("every module of the default catalog declares its parameters as KernelParams, in link order", () => {
    const m = Machine.create(referenceScenario());
    const params = m.container.resolveAll<KernelParam>(KernelParam).map((p) => `${p.early ? "early_param" : "__setup"}(${p.str})`);
    expect(params).toEqual([
      "early_param(memblock)",
      "__setup(slub_debug)", "__setup(slub_min_order=)", "__setup(slub_max_order=)", "__setup(slub_min_objects=)",
      "early_param(stack_depot_disable)",
    ]);
  });

  it("without parameters the boot is unchanged, and /proc/cmdline shows the line as given", () => {
    const m = boot(GiB, "console=ttyAMA0 nokaslr ");
    const ref = boot(GiB, "console=ttyAMA0 nokaslr  slub_debug=- memblock=off stack_depot_disable=on");
    const strip = (t: string): string[] => lines(t).filter((l) => !l.startsWith("Kernel command line"));
    // is_stack_depot_disabled() says so; nothing else changes (slub_debug=- is no debugging, memblock=off no debug lines)
    expect(strip(ref.log.dmesg())).toEqual([...strip(m.log.dmesg()).slice(0, 3), "Stack Depot is disabled", ...strip(m.log.dmesg()).slice(3)]);
    expect(ref.readFile("/proc/cmdline")).toBe("console=ttyAMA0 nokaslr  slub_debug=- memblock=off stack_depot_disable=on\n");
  });
});

describe("slub_debug=FZPU on the 1 GiB board, against the real kernel", () => {
  const cap = capture("virt-1g-2cpu-slub_debug-FZPU");
  const m = boot(GiB, cap.cmdline);
  const dmesg = lines(m.log.dmesg());
  const plain = lines(boot(GiB, "console=ttyAMA0 nokaslr ").log.dmesg());

  it("prints setup_slub_debug's notice after the command line and the stack depot's table before Memory:, as 6.1 does", () => {
    const around = (d: string[]): string[] => d.slice(d.findIndex((l) => l.startsWith("Kernel command line")), d.findIndex((l) => l.startsWith("Memory:")));
    // the real kernel's lines mmsim prints (not "Unknown kernel command line parameters", see the README)
    expect(around(dmesg)).toEqual(around(cap.dmesg).filter((l) => !l.startsWith("Unknown kernel command line")));
    expect(dmesg).toContain("stackdepot hash table entries: 65536 (order: 7, 524288 bytes, linear)");
  });

  it("reserves the stack depot's 512 KiB in memblock, as the real kernel's Memory: line shows", () => {
    const reserved = (d: string[]): number => Number(/ (\d+)K reserved/.exec(d.find((l) => l.startsWith("Memory:"))!)![1]);
    const realPlain = lines(readFileSync(new URL("../../../tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu/dmesg", import.meta.url), "utf8"));
    expect(reserved(cap.dmesg) - reserved(realPlain)).toBe(512);
    expect(reserved(dmesg) - reserved(plain)).toBe(512);
    // available memory is the same: the table comes out of what memblock_free_all hands over, …
    expect(dmesg.find((l) => l.startsWith("Memory:"))!.split(" ")[1]).toBe(cap.dmesg.find((l) => l.startsWith("Memory:"))!.split(" ")[1]);
    // … and the NOTICE of no_hash_pointers and the SLUB line follow, as in the capture
    const after = (d: string[]): string[] => d.slice(d.findIndex((l) => l.startsWith("Memory:")) + 1, d.findIndex((l) => l.startsWith("SLUB:")) + 1);
    expect(after(dmesg)).toEqual(after(cap.dmesg));
  });

  it("/sys/kernel/slab of every kmalloc cache and of vmap_area, and /proc/slabinfo's geometry, are the real kernel's", () => {
    for (const l of cap.file("sys_kernel_slab_kmalloc-all").trim().split("\n")) {
      const [cache, ...kv] = l.split(" ");
      for (const [k, v] of kv.map((x) => x.split("="))) expect({ cache, k, v: m.readFile(`/sys/kernel/slab/${cache}/${k}`)?.trim() }).toEqual({ cache, k, v });
    }
    const vmap = /^vmap_area -> (.*)$/m.exec(cap.file("workload"))![1]!.split(" ").map((x) => x.split("="));
    for (const [k, v] of vmap) expect({ k, v: m.readFile(`/sys/kernel/slab/vmap_area/${k}`)?.trim() }).toEqual({ k, v });
    const rows = (t: string): Map<string, string[]> => new Map(t.trim().split("\n").slice(2).map((x) => x.split(/\s+/)).map((f) => [f[0]!, f.slice(3, 6)]));
    const mine = rows(m.readFile("/proc/slabinfo")!);
    const real = rows(cap.file("proc_slabinfo"));
    for (const cache of [...mine.keys()]) expect({ cache, cols: mine.get(cache) }).toEqual({ cache, cols: real.get(cache) });
    expect(mine.size).toBeGreaterThanOrEqual(22);
  });

  it("keeps a valid machine whose kmalloc caches are red-zoned", () => {
    expectValid(m);
    expect(m.readFile("/sys/kernel/slab/kmalloc-128/red_zone")).toBe("1\n");
  });
});

// ---------------------------------------------------------------------------------------------
// memblock=debug
// ---------------------------------------------------------------------------------------------

const MODELLED = new Set<string>([...Object.values(MEMBLOCK_DEBUG_CALLERS), "memblock_alloc_range_nid+0xe8/0x17c"]);
const RESERVE_BY_ALLOC = / memblock_alloc_range_nid\+0xe8\/0x17c$/;

/**
 * The memblock=debug lines (and the MEMBLOCK configuration dump) of a log, the calls of code mmsim
 * does not model left out — a request whose %pS names such a caller together with the reserve
 * memblock_alloc_range_nid() logs for it, and such a free — and the ranges memblock found shown
 * as their sizes: after the first unmodelled early allocation (the unflattened device tree) the
 * real addresses are that much lower. The memory lines of the dump are kept whole; the reserved
 * ones and the totals depend on the unmodelled allocations.
 */
function memblockCalls(d: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < d.length; i++) {
    const l = d[i]!;
    if (l === "MEMBLOCK configuration:" || /^ memory(\.cnt|\[)/.test(l)) {
      out.push(l);
      continue;
    }
    if (!l.startsWith("memblock_")) continue;
    const caller = l.slice(l.lastIndexOf(" ") + 1);
    if (!MODELLED.has(caller)) {
      if (RESERVE_BY_ALLOC.test(d[i + 1] ?? "") && !l.startsWith("memblock_phys_free")) i++;
      continue;
    }
    if (RESERVE_BY_ALLOC.test(l)) {
      const [, a, b] = /\[0x([0-9a-f]+)-0x([0-9a-f]+)\]/.exec(l)!;
      out.push(`memblock_reserve: ${Number.parseInt(b!, 16) - Number.parseInt(a!, 16) + 1} bytes memblock_alloc_range_nid+0xe8/0x17c`);
    } else {
      out.push(l);
    }
  }
  return out;
}

describe.each([
  ["virt-256m-2cpu-memblock-debug", 256 * MiB],
  ["virt-256m-2cpu-memblock-debug-mem200M", 256 * MiB],
  ["virt-1g-2cpu-memblock-debug", GiB],
  ["virt-4g-2cpu-memblock-debug", 4 * GiB],
])("memblock=debug against the real kernel (%s)", (name, memory) => {
  const cap = capture(name);
  const m = boot(memory, cap.cmdline);
  const dmesg = lines(m.log.dmesg());
  // The 1 and 4 GiB captures lost their first lines: printk's 128 KiB buffer overflowed during
  // paging_init. They start in the middle of the page tables, at a line mmsim prints too (the
  // first with an address, so that it is found once).
  const lost = cap.dmesg[0]!.startsWith("memblock_");
  const start = lost ? dmesg.indexOf(cap.dmesg[1]!) - 1 : 0;

  it("prints the real kernel's lines from arm64_memblock_init to the first early allocation mmsim does not model, character for character", () => {
    expect(start).toBeGreaterThanOrEqual(0);
    const firstUnmodelled = cap.dmesg.findIndex((l) => l.startsWith("memblock_") && !MODELLED.has(l.slice(l.lastIndexOf(" ") + 1)));
    // before them the banner and "Machine model"; with mem= also "Memory limited to …", which mmsim does not print
    const real = cap.dmesg.slice(0, firstUnmodelled).filter((l) => l.startsWith("memblock_"));
    const mine = dmesg.slice(start).filter((l) => l.startsWith("memblock_")).slice(0, real.length);
    expect(mine).toEqual(real);
    expect(real.length).toBeGreaterThan(lost ? 100 : 150);
    expect(dmesg.filter((l) => l.startsWith("memblock_")).slice(0, 2)).toEqual([
      "memblock_remove: [0x0001000000000000-0x0000fffffffffffe] arm64_memblock_init+0x38/0x260",
      "memblock_remove: [0x0000800040000000-0x000080003ffffffe] arm64_memblock_init+0x9c/0x260",
    ]);
  });

  it("then makes the real kernel's calls with the real sizes and callers, and prints the MEMBLOCK configuration's memory", () => {
    const mine = memblockCalls(dmesg.slice(start));
    const real = memblockCalls(cap.dmesg);
    expect(mine).toEqual(real);
    expect(mine).toContain("MEMBLOCK configuration:");
  });
});

describe("memblock=debug on the board", () => {
  it("is off without the parameter, and a value without 'debug' keeps it off", () => {
    for (const cmdline of ["console=ttyAMA0 nokaslr ", "console=ttyAMA0 nokaslr memblock=on"]) {
      expect(lines(boot(256 * MiB, cmdline).log.dmesg()).some((l) => l.startsWith("memblock_") || l === "MEMBLOCK configuration:"), cmdline).toBe(false);
    }
  });
});
