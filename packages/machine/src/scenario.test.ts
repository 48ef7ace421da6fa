// mmsim: tests of the scenario loader: defaults, overrides, and every error with its file:line and field
import { readFileSync } from "node:fs";
import { DEFAULT_COSTS, GFP_HIGHUSER_MOVABLE, GFP_KERNEL, ScenarioError, __GFP_ZERO } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { ModuleCatalog } from "./catalog.ts";
import { SUPPORTED_SYSCTLS } from "./machine.ts";

/** The step kinds, as the registry of the default catalog lists them (help order). */
const STEP_KINDS = ModuleCatalog.default().registry().stepKinds().join(", ");
import {
  DEFAULT_SCENARIO_FILE, SCENARIO_SYSCTLS, type ScenarioOverrides, describeScenarioSchema, formatSize, gfpFlagNames,
  loadScenario, loadScenarioFile, parseGfp, parseSize,
} from "./scenario.ts";

/** The error loadScenario throws, as "file:line: field: problem" (without the site). */
function problem(text: string, overrides: ScenarioOverrides = {}, file = "s.yaml"): string {
  try {
    loadScenario(text, file, overrides);
  } catch (e) {
    expect(e).toBeInstanceOf(ScenarioError);
    const err = e as ScenarioError;
    expect(err.message).toBe(`machine.loadScenario: ${err.file}${err.line !== undefined ? `:${err.line}` : ""}: ${err.field}: ${err.problem}`);
    return err.message.slice("machine.loadScenario: ".length);
  }
  throw new Error("expected a ScenarioError");
}

const REFERENCE = {
  seed: 1,
  machine: { board: "qemu-virt-arm64", memory: 1024 ** 3, cpus: 2, nodes: 1, cmdline: "console=ttyAMA0 nokaslr ", reserved: [] },
  kernel: {
    sysctl: {},
    config: { deferredStructPageInit: true, transparentHugepage: true, initOnAlloc: true, cmaMbytes: 64, vaBits: 48, kfence: false },
    policies: {},
    costs: {},
    modules: [],
  },
  workload: [],
};

describe("defaults", () => {
  it("an empty file is the reference board with no workload", () => {
    expect(loadScenario("", "empty.yaml")).toEqual({ file: "empty.yaml", ...REFERENCE });
    expect(loadScenario("# only a comment\n", "c.yaml")).toEqual({ file: "c.yaml", ...REFERENCE });
    expect(loadScenario("{}", "e.json")).toEqual({ file: "e.json", ...REFERENCE });
  });

  it("fills step defaults: order 0, GFP_KERNEL, count 1, nid -1; free all; op ==; no cpu (the task's CPU at run time)", () => {
    const s = loadScenario("workload:\n  - alloc: { name: a }\n  - free: { name: a }\n  - expect: { path: /proc/meminfo, field: MemFree, value: 1 }\n", "s.yaml");
    expect(s.workload).toEqual([
      { kind: "alloc", line: 2, name: "a", order: 0, gfp: GFP_KERNEL, gfpText: "GFP_KERNEL", cpu: undefined, count: 1, nid: -1 },
      { kind: "free", line: 3, name: "a", count: "all", cpu: undefined },
      { kind: "expect", line: 4, path: "/proc/meminfo", field: "MemFree", op: "==", value: 1 },
    ]);
  });

  it("reads the full shape, snake_case in the file and camelCase out", () => {
    const text = [
      "seed: 42",
      "machine: { board: qemu-virt-arm64, memory: 1.5G, cpus: 4, nodes: 2, cmdline: quiet, reserved: [{ start: 0x50000000, size: 1M, name: my-buffer }] }",
      "kernel:",
      "  sysctl: { min_free_kbytes: 8192, lowmem_reserve_ratio: 256 256 32 0 }",
      "  config: { deferred_struct_page_init: false, transparent_hugepage: false, init_on_alloc: false, cma_mbytes: 0 }",
      "  policies: { slab: slub }",
      "  costs: { clearPage: 200 }",
      "workload:",
      "  - show: /proc/buddyinfo",
      '  - alloc: { name: a, order: 3, gfp: "GFP_KERNEL | __GFP_ZERO", cpu: 3, count: 10, nid: 1 }',
      "  - label: after-alloc",
      "  - repeat:",
      "      times: 3",
      "      steps:",
      "        - alloc: { name: b, gfp: 0x100cca }",
      "        - free: { name: b, count: 1, cpu: 1 }",
      "  - sysctl: { name: watermark_scale_factor, value: 100 }",
      '  - expect: { path: /proc/meminfo, field: MemFree, op: ">", value: 900000 }',
      "",
    ].join("\n");
    const s = loadScenario(text, "full.yaml");
    expect(s.seed).toBe(42);
    expect(s.machine).toEqual({ board: "qemu-virt-arm64", memory: 1536 * 1024 ** 2, cpus: 4, nodes: 2, cmdline: "quiet", reserved: [{ start: 0x50000000, size: 0x100000, name: "my-buffer" }] });
    expect(s.kernel).toEqual({
      sysctl: { min_free_kbytes: 8192, lowmem_reserve_ratio: [256, 256, 32, 0] },
      config: { deferredStructPageInit: false, transparentHugepage: false, initOnAlloc: false, cmaMbytes: 0, vaBits: 48, kfence: false },
      policies: { slab: "slub" },
      costs: { clearPage: 200 },
      modules: [],
    });
    expect(s.workload).toEqual([
      { kind: "show", line: 9, path: "/proc/buddyinfo" },
      { kind: "alloc", line: 10, name: "a", order: 3, gfp: GFP_KERNEL | __GFP_ZERO, gfpText: "GFP_KERNEL | __GFP_ZERO", cpu: 3, count: 10, nid: 1 },
      { kind: "label", line: 11, name: "after-alloc" },
      {
        kind: "repeat",
        line: 12,
        times: 3,
        steps: [
          { kind: "alloc", line: 15, name: "b", order: 0, gfp: GFP_HIGHUSER_MOVABLE, gfpText: "GFP_HIGHUSER_MOVABLE", cpu: undefined, count: 1, nid: -1 },
          { kind: "free", line: 16, name: "b", count: 1, cpu: 1 },
        ],
      },
      { kind: "sysctl", line: 17, name: "watermark_scale_factor", value: 100 },
      { kind: "expect", line: 18, path: "/proc/meminfo", field: "MemFree", op: ">", value: 900000 },
    ]);
  });

  it("reads JSON (with tabs) the same way, with lines", () => {
    const json = '{\n\t"seed": 7,\n\t"machine": { "memory": 536870912 },\n\t"workload": [\n\t\t{ "show": "/proc/buddyinfo" }\n\t]\n}\n';
    const s = loadScenario(json, "s.json");
    expect(s.seed).toBe(7);
    expect(s.machine.memory).toBe(512 * 1024 ** 2);
    expect(s.workload).toEqual([{ kind: "show", line: 5, path: "/proc/buddyinfo" }]);
    expect(problem('{\n  "machine": {\n    "memory": "1G",\n    "cpu": 2\n  }\n}\n', {}, "s.json")).toBe(
      's.json:4: machine.cpu: unknown field "cpu"; did you mean "cpus"? valid fields of machine: board, memory, cpus, nodes, cmdline, reserved, disk',
    );
  });
});

describe("the built-in default scenario", () => {
  it("is packages/machine/scenarios/default.yaml and loads", () => {
    expect(DEFAULT_SCENARIO_FILE.replace(/\\/g, "/")).toMatch(/packages\/machine\/scenarios\/default\.yaml$/);
    const s = loadScenarioFile(DEFAULT_SCENARIO_FILE);
    expect(s.file).toBe(DEFAULT_SCENARIO_FILE);
    expect({ ...s, file: undefined, workload: [] }).toEqual({ file: undefined, ...REFERENCE });
    expect(s.workload.map((w) => w.kind)).toEqual([
      "show", "alloc", "alloc", "alloc", "alloc", "label", "show", "free", "free", "free", "free", "label", "show", "expect", "expect",
    ]);
    const allocs = s.workload.filter((w) => w.kind === "alloc");
    expect(allocs.map((a) => [a.order, a.gfpText, a.cpu, a.count])).toEqual([
      [0, "GFP_KERNEL", 0, 2000],
      [3, "GFP_KERNEL", 1, 64],
      [0, "GFP_HIGHUSER_MOVABLE", undefined, 5000],
      [9, "GFP_HIGHUSER_MOVABLE", undefined, 4],
    ]);
    // Half of each is freed.
    const frees = s.workload.filter((w) => w.kind === "free");
    expect(frees.map((f) => f.count)).toEqual(allocs.map((a) => a.count / 2));
    // Every step carries its line in the file.
    const lines = readFileSync(DEFAULT_SCENARIO_FILE, "utf8").split("\n");
    for (const w of s.workload) expect(lines[w.line! - 1]).toMatch(new RegExp(`^  - ${w.kind}:`));
  });

  it("loads without its workload for commands that only boot", () => {
    expect(() => loadScenarioFile(DEFAULT_SCENARIO_FILE, { smp: 1 })).toThrow(/workload\[2\]\.alloc\.cpu: cpu 1 does not exist/);
    expect(loadScenarioFile(DEFAULT_SCENARIO_FILE, { smp: 1 }, { ignoreWorkload: true }).workload).toEqual([]);
  });
});

describe("overrides", () => {
  it("--mem, --smp, --nodes, --seed set their fields; strings are read as YAML scalars", () => {
    const s = loadScenario("machine: { memory: 1G }\n", "s.yaml", { mem: "4G", smp: "4", nodes: 2, seed: "99" });
    expect([s.machine.memory, s.machine.cpus, s.machine.nodes, s.seed]).toEqual([4 * 1024 ** 3, 4, 2, 99]);
  });

  it("--set sets any field by its path, creating maps, after the named options", () => {
    const s = loadScenario("machine:\n  reserved: [{ start: 0x50000000, size: 1M, name: buf }]\n", "s.yaml", {
      mem: "2G",
      set: [
        "machine.memory=3G",
        "kernel.sysctl.min_free_kbytes=8192",
        "kernel.sysctl.lowmem_reserve_ratio=[1, 2, 3, 4]",
        "kernel.policies.slab=slub",
        "kernel.config.init_on_alloc=false",
        "machine.cmdline=console=ttyAMA0 mem=512M",
        "machine.reserved[0].size=2M",
        "kernel.costs.clearPage=1.5",
      ],
    });
    expect(s.machine.memory).toBe(3 * 1024 ** 3);
    expect(s.machine.cmdline).toBe("console=ttyAMA0 mem=512M");
    expect(s.machine.reserved).toEqual([{ start: 0x50000000, size: 2 * 1024 ** 2, name: "buf" }]);
    expect(s.kernel.sysctl).toEqual({ min_free_kbytes: 8192, lowmem_reserve_ratio: [1, 2, 3, 4] });
    expect(s.kernel.policies).toEqual({ slab: "slub" });
    expect(s.kernel.config.initOnAlloc).toBe(false);
    expect(s.kernel.costs).toEqual({ clearPage: 1.5 });
  });

  it("an unknown path gets the unknown-field error, from <command line>", () => {
    expect(problem("", { set: ["machine.memroy=1G"] })).toBe(
      '<command line>: machine.memroy: unknown field "memroy"; did you mean "memory"? valid fields of machine: board, memory, cpus, nodes, cmdline, reserved, disk',
    );
    expect(problem("", { set: ["kernal.sysctl.min_free_kbytes=1"] })).toBe(
      '<command line>: kernal: unknown field "kernal"; did you mean "kernel"? valid fields at the top level: seed, machine, kernel, workload',
    );
    expect(problem("", { set: ["kernel.sysctl.min_free_kbyte=1"] })).toBe(
      '<command line>: kernel.sysctl.min_free_kbyte: unknown field "min_free_kbyte"; did you mean "min_free_kbytes"? valid sysctls: min_free_kbytes, watermark_scale_factor, watermark_boost_factor, lowmem_reserve_ratio, percpu_pagelist_high_fraction, admin_reserve_kbytes, max_map_count, overcommit_kbytes, overcommit_memory, overcommit_ratio, user_reserve_kbytes, drop_caches, dirty_background_ratio, dirty_background_bytes, dirty_ratio, dirty_bytes, dirty_writeback_centisecs, dirty_expire_centisecs, dirtytime_expire_seconds, page-cluster, randomize_va_space, mmap_rnd_bits, exception-trace, swappiness, vfs_cache_pressure, compact_memory, compaction_proactiveness, extfrag_threshold, compact_unevictable_allowed, panic_on_oom, oom_kill_allocating_task, oom_dump_tasks',
    );
  });

  it("a bad value from the command line names <command line>", () => {
    expect(problem("machine: { memory: 1G }\n", { mem: "3000" })).toBe("<command line>: machine.memory: RAM must be at least 64M (67108864 bytes); got 3000");
    expect(problem("", { smp: "four" })).toBe('<command line>: machine.cpus: expected a CPU count from 1 to 256, got "four"');
    expect(problem("", { nodes: "0" })).toBe("<command line>: machine.nodes: 0 is out of range: expected a node count from 1 to 16");
    expect(problem("", { seed: "-1" })).toBe("<command line>: seed: -1 is out of range: expected a seed from 0 to 9007199254740991");
    expect(problem("", { set: ["kernel.sysctl.min_free_kbytes=x"] })).toBe('<command line>: kernel.sysctl.min_free_kbytes: expected an integer (kbytes), got "x"');
  });

  it("rejects malformed --set, workload, scalars as maps, and new list elements", () => {
    expect(problem("", { set: ["nothing"] })).toBe("<command line>: nothing: expected --set path=value, e.g. --set machine.memory=4G");
    expect(problem("", { set: ["machine..memory=1G"] })).toBe(
      "<command line>: machine..memory: not a field path; write it as in the file, e.g. machine.memory, kernel.sysctl.min_free_kbytes, machine.reserved[0].size",
    );
    expect(problem("", { set: ["workload=[]"] })).toBe("<command line>: workload: the workload cannot be set from the command line; write it in a scenario file");
    expect(problem("", { set: ["seed.x=1"] })).toBe('<command line>: seed.x: seed is a value, not a map, so it has no field "x"');
    expect(problem("", { set: ["machine.reserved[0].size=1"] })).toBe(
      "<command line>: machine.reserved[0].size: machine.reserved has no element 0; --set changes existing list elements only, add new ones in the scenario file",
    );
  });

  it("checks cross-field rules after overrides, noting what the command line set", () => {
    expect(problem("machine:\n  reserved:\n    - { start: 0x7ff00000, size: 1M, name: buf }\n", { mem: "512M" })).toBe(
      's.yaml:3: machine.reserved[0]: region "buf" [0x7ff00000, 0x80000000) is not inside RAM [0x40000000, 0x60000000) (machine.memory is 512M (set on the command line)); move it inside RAM or raise machine.memory',
    );
    expect(problem("workload:\n  - alloc: { name: a, cpu: 1 }\n", { smp: 1 })).toBe(
      "s.yaml:2: workload[0].alloc.cpu: cpu 1 does not exist: machine.cpus is 1 (set on the command line); use a cpu from 0 to 0",
    );
  });
});

describe("errors name file:line and the field, and say what to write instead", () => {
  it("unknown fields, with the nearest valid names", () => {
    expect(problem("machine:\n  memroy: 1G\n")).toBe(
      's.yaml:2: machine.memroy: unknown field "memroy"; did you mean "memory"? valid fields of machine: board, memory, cpus, nodes, cmdline, reserved, disk',
    );
    expect(problem("seed: 1\nfoo: 1\n")).toBe('s.yaml:2: foo: unknown field "foo"; valid fields at the top level: seed, machine, kernel, workload');
    expect(problem("kernel:\n  config:\n    deferredStructPageInit: false\n")).toBe(
      's.yaml:3: kernel.config.deferredStructPageInit: unknown field "deferredStructPageInit"; did you mean "deferred_struct_page_init"? valid fields of kernel.config: deferred_struct_page_init, transparent_hugepage, init_on_alloc, cma_mbytes, kfence, va_bits',
    );
    expect(problem("kernel:\n  costs:\n    clearpage: 5\n")).toBe(
      `s.yaml:3: kernel.costs.clearpage: unknown field "clearpage"; did you mean "clearPage"? valid costs: ${Object.keys(DEFAULT_COSTS).join(", ")}`,
    );
    expect(problem("machine:\n  reserved:\n    - { start: 0x50000000, size: 1M, nme: x }\n")).toBe(
      's.yaml:3: machine.reserved[0].nme: unknown field "nme"; did you mean "name"? valid fields of machine.reserved[0]: start, size, name',
    );
    expect(problem("workload:\n  - show: /proc/buddyinfo\n  - alloc: { name: a, ordr: 1 }\n")).toBe(
      's.yaml:3: workload[1].alloc.ordr: unknown field "ordr"; did you mean "order"? valid fields of workload[1].alloc: name, order, gfp, cpu, count, nid',
    );
    expect(problem("workload:\n  - allocs: { name: a }\n")).toBe(
      `s.yaml:2: workload[0].allocs: unknown step "allocs"; did you mean "alloc" or "malloc"? valid step kinds: ${STEP_KINDS}`,
    );
  });

  it("wrong types", () => {
    expect(problem("machine:\n  cpus: two\n")).toBe('s.yaml:2: machine.cpus: expected a CPU count from 1 to 256, got "two"');
    expect(problem("machine: 5\n")).toBe("s.yaml:1: machine: expected a map of fields, got 5");
    expect(problem("workload: { show: x }\n")).toBe('s.yaml:1: workload: expected a list, got {"show":"x"}');
    expect(problem("kernel:\n  config:\n    init_on_alloc: yes\n")).toBe('s.yaml:3: kernel.config.init_on_alloc: expected true or false, got "yes"');
    expect(problem("machine:\n  cmdline: 5\n")).toBe("s.yaml:2: machine.cmdline: expected a string, got 5");
    expect(problem("machine:\n  board: raspberry-pi\n")).toBe('s.yaml:2: machine.board: unknown board "raspberry-pi"; the only board is qemu-virt-arm64');
    expect(problem("- show: /proc/buddyinfo\n")).toBe('s.yaml:1: (top level): expected a map of fields (seed, machine, kernel, workload), got [{"show":"/proc/buddyinfo"}]');
    expect(problem("workload:\n  - 5\n")).toBe(
      `s.yaml:2: workload[0]: expected a step: a map with one key (${STEP_KINDS}), e.g. "- show: /proc/buddyinfo"; got 5`,
    );
    expect(problem("workload:\n  - show: /proc/buddyinfo\n    free: { name: a }\n")).toBe(
      's.yaml:2: workload[0]: a step has one kind, this one has show and free: write them as separate steps ("- show: …" then "- free: …")',
    );
    expect(problem("kernel:\n  costs: { clearPage: -1 }\n")).toBe("s.yaml:2: kernel.costs.clearPage: expected nanoseconds ≥ 0, got -1");
    expect(problem("kernel:\n  policies: { slab: 3 }\n")).toBe("s.yaml:2: kernel.policies.slab: expected an implementation name (e.g. slub), got 3");
  });

  it("YAML syntax, with the line", () => {
    expect(problem("seed: 1\nseed: 2\n")).toBe("s.yaml:2: (syntax): Map keys must be unique; the file must be YAML or JSON");
    expect(problem('{\n  "seed": 1,\n  "machine": {\n}\n')).toMatch(/^s\.yaml:\d: \(syntax\): .*; the file must be YAML or JSON$/);
  });

  it("RAM: page-aligned, at least 64M, at most the board's", () => {
    expect(problem("machine:\n  memory: 100000001\n")).toBe(
      "s.yaml:2: machine.memory: RAM must be a multiple of 4096 bytes (the page size); 100000001 is not: write 97656K or 97660K",
    );
    expect(problem("machine:\n  memory: 32M\n")).toBe("s.yaml:2: machine.memory: RAM must be at least 64M (67108864 bytes); got 32M");
    expect(problem("machine:\n  memory: 1T\n")).toBe(
      "s.yaml:2: machine.memory: RAM must be at most 255G on qemu-virt-arm64 (RAM ends below the high PCIe window); got 1T",
    );
    expect(problem("machine:\n  memory: lots\n")).toBe(
      's.yaml:2: machine.memory: "lots" is not a size; write bytes (1073741824) or a size with a binary unit (4K, 64M, 1G, 1.5G)',
    );
    expect(problem("machine:\n  memory: 1.3K\n")).toMatch(/^s\.yaml:2: machine\.memory: "1\.3K" is not a whole number of bytes/);
  });

  it("reserved regions lie inside RAM", () => {
    expect(problem("machine:\n  reserved:\n    - { start: 0x30000000, size: 1M, name: low }\n")).toBe(
      's.yaml:3: machine.reserved[0]: region "low" [0x30000000, 0x30100000) is not inside RAM [0x40000000, 0x80000000) (machine.memory is 1G); move it inside RAM or raise machine.memory',
    );
    expect(problem("machine:\n  reserved:\n    - { start: 0x7ff00000, size: 2M, name: tail }\n")).toBe(
      's.yaml:3: machine.reserved[0]: region "tail" [0x7ff00000, 0x80100000) is not inside RAM [0x40000000, 0x80000000) (machine.memory is 1G); move it inside RAM or raise machine.memory',
    );
    expect(problem("machine:\n  reserved:\n    - { start: 0x50000000, size: 0, name: z }\n")).toBe("s.yaml:3: machine.reserved[0].size: a reserved region needs a size > 0");
    expect(problem("machine:\n  reserved:\n    - { start: 0x50000000, name: z }\n")).toBe("s.yaml:3: machine.reserved[0].size: is required: a size (bytes, or 4K, 64M, 1G)");
  });

  it("alloc steps: order, gfp, cpu and nid", () => {
    expect(problem("workload:\n  - alloc: { name: a, order: 11 }\n")).toBe("s.yaml:2: workload[0].alloc.order: 11 is out of range: expected an order from 0 to 10");
    expect(problem("workload:\n  - alloc: { order: 1 }\n")).toBe("s.yaml:2: workload[0].alloc.name: is required: a name for the pages (a later free names it)");
    expect(problem("workload:\n  - alloc: { name: a, gfp: GFP_KERNL }\n")).toBe(
      's.yaml:2: workload[0].alloc.gfp: unknown GFP flag "GFP_KERNL"; the closest are GFP_KERNEL, __GFP_ZERO, GFP_USER',
    );
    expect(problem('workload:\n  - alloc: { name: a, gfp: "GFP_KERNEL | __GFP_ZER" }\n')).toBe(
      's.yaml:2: workload[0].alloc.gfp: unknown GFP flag "__GFP_ZER"; the closest are __GFP_ZERO, GFP_USER, __GFP_DMA',
    );
    expect(problem('workload:\n  - alloc: { name: a, gfp: "GFP_KERNEL |" }\n')).toBe(
      's.yaml:2: workload[0].alloc.gfp: empty term in "GFP_KERNEL |"; write a name like GFP_KERNEL, an expression like "GFP_KERNEL | __GFP_ZERO", or a number',
    );
    expect(problem('workload:\n  - alloc: { name: a, gfp: "GFP_DMA | GFP_DMA32" }\n')).toBe(
      "s.yaml:2: workload[0].alloc.gfp: GFP_DMA | GFP_DMA32 combines zone modifiers that select no zone (__GFP_DMA, __GFP_DMA32, __GFP_HIGHMEM and __GFP_MOVABLE allow one zone); use one of them",
    );
    expect(problem("workload:\n  - alloc: { name: a, cpu: 2 }\n")).toBe("s.yaml:2: workload[0].alloc.cpu: cpu 2 does not exist: machine.cpus is 2; use a cpu from 0 to 1");
    expect(problem("workload:\n  - alloc: { name: a, nid: 1 }\n")).toBe(
      "s.yaml:2: workload[0].alloc.nid: node 1 does not exist: machine.nodes is 1; use -1 (any node) or a node from 0 to 0",
    );
    expect(problem("workload:\n  - alloc: { name: a, count: 0 }\n")).toBe("s.yaml:2: workload[0].alloc.count: 0 is out of range: expected a count from 1 to 2147483647");
  });

  it("a free must name an earlier alloc (checked before running; both lines named)", () => {
    expect(problem("workload:\n  - alloc: { name: a }\n  - free: { name: b }\n")).toBe(
      's.yaml:3: workload[1].free.name: free of "b" names no earlier alloc; allocs before it: a (line 2)',
    );
    expect(problem("workload:\n  - free: { name: a }\n  - alloc: { name: a }\n")).toBe(
      's.yaml:2: workload[0].free.name: free of "a" comes before its alloc at line 3; move the free after the alloc',
    );
    expect(problem("workload:\n  - free: { name: x, count: 1 }\n")).toBe('s.yaml:2: workload[0].free.name: free of "x" names no earlier alloc; allocs before it: none');
    expect(problem("workload:\n  - alloc: { name: a }\n  - free: { name: a, count: 0 }\n")).toBe('s.yaml:3: workload[1].free.count: expected a count ≥ 1 or "all", got 0');
    expect(problem("workload:\n  - alloc: { name: a }\n  - free: { name: a, cpu: 5 }\n")).toBe(
      "s.yaml:3: workload[1].free.cpu: cpu 5 does not exist: machine.cpus is 2; use a cpu from 0 to 1",
    );
    // An alloc inside a repeat counts for the frees after it, inside or outside the repeat.
    expect(() =>
      loadScenario("workload:\n  - repeat: { times: 2, steps: [ { alloc: { name: a } }, { free: { name: a } } ] }\n  - free: { name: a }\n", "s.yaml"),
    ).not.toThrow();
  });

  it("repeat: times 1..1e6, a non-empty list of steps, checked inside", () => {
    expect(problem("workload:\n  - repeat: { times: 0, steps: [ { show: /proc/buddyinfo } ] }\n")).toBe(
      "s.yaml:2: workload[0].repeat.times: 0 is out of range: expected a repeat count from 1 to 1000000",
    );
    expect(problem("workload:\n  - repeat: { times: 1000001, steps: [ { show: /proc/buddyinfo } ] }\n")).toBe(
      "s.yaml:2: workload[0].repeat.times: 1000001 is out of range: expected a repeat count from 1 to 1000000",
    );
    expect(problem("workload:\n  - repeat: { times: 2, steps: [] }\n")).toBe("s.yaml:2: workload[0].repeat.steps: expected a non-empty list of steps, got []");
    expect(problem("workload:\n  - repeat: { times: 2 }\n")).toBe("s.yaml:2: workload[0].repeat.steps: is required: a list of steps");
    expect(problem("workload:\n  - repeat:\n      times: 2\n      steps:\n        - alloc: { name: a, order: -1 }\n")).toBe(
      "s.yaml:5: workload[0].repeat.steps[0].alloc.order: -1 is out of range: expected an order from 0 to 10",
    );
  });

  it("sysctls: the supported names and the kernel's ranges", () => {
    expect(problem("kernel:\n  sysctl:\n    watermark_scale_factor: 5000\n")).toBe(
      "s.yaml:3: kernel.sysctl.watermark_scale_factor: 5000 is out of range: the kernel accepts 1..3000 (in units of 0.01 % of the zone's memory)",
    );
    expect(problem("kernel:\n  sysctl:\n    percpu_pagelist_high_fraction: 4\n")).toBe(
      "s.yaml:3: kernel.sysctl.percpu_pagelist_high_fraction: 4 is out of range: the kernel accepts 0 or a fraction of at least 8",
    );
    expect(problem("workload:\n  - sysctl: { name: min_fre_kbytes, value: 1 }\n")).toBe(
      's.yaml:2: workload[0].sysctl.name: unknown sysctl "min_fre_kbytes"; did you mean "min_free_kbytes"? valid sysctls: min_free_kbytes, watermark_scale_factor, watermark_boost_factor, lowmem_reserve_ratio, percpu_pagelist_high_fraction, admin_reserve_kbytes, max_map_count, overcommit_kbytes, overcommit_memory, overcommit_ratio, user_reserve_kbytes, drop_caches, dirty_background_ratio, dirty_background_bytes, dirty_ratio, dirty_bytes, dirty_writeback_centisecs, dirty_expire_centisecs, dirtytime_expire_seconds, page-cluster, randomize_va_space, mmap_rnd_bits, exception-trace, swappiness, vfs_cache_pressure, compact_memory, compaction_proactiveness, extfrag_threshold, compact_unevictable_allowed, panic_on_oom, oom_kill_allocating_task, oom_dump_tasks',
    );
    expect(problem("workload:\n  - sysctl: { name: min_free_kbytes, value: -1 }\n")).toBe(
      "s.yaml:2: workload[0].sysctl.value: -1 is out of range: the kernel accepts 0..2147483647 (kbytes)",
    );
    expect(problem("workload:\n  - sysctl: { name: lowmem_reserve_ratio, value: [1, 2, 3] }\n")).toBe(
      's.yaml:2: workload[0].sysctl.value: expected 4 values, got [1,2,3]; write 4 integers ≥ 0, one per zone (DMA DMA32 Normal Movable), e.g. [256, 256, 32, 0] or "256 256 32 0"',
    );
  });

  it("expect, show and label steps", () => {
    expect(problem('workload:\n  - expect: { path: /proc/meminfo, field: MemFree, op: "=>", value: 1 }\n')).toBe(
      's.yaml:2: workload[0].expect.op: expected one of == != < <= > >=, got "=>" (quote it: op: ">")',
    );
    expect(problem("workload:\n  - expect: { path: /proc/meminfo, field: MemFree }\n")).toBe("s.yaml:2: workload[0].expect.value: is required: the number to compare with");
    expect(problem("workload:\n  - show: proc/buddyinfo\n")).toBe('s.yaml:2: workload[0].show: "proc/buddyinfo" is not an absolute path like /proc/buddyinfo; it must start with /');
    expect(problem("workload:\n  - label: a\n  - label: a\n")).toBe('s.yaml:3: workload[1].label: label "a" is already used at line 2; labels must be unique');
    expect(problem("workload:\n  - label: 3\n")).toBe("s.yaml:2: workload[0].label: a label must not be a number (--after 3 means step 3); got 3");
  });

  it("a file that cannot be read", () => {
    expect(() => loadScenarioFile("/nonexistent/x.yaml")).toThrow("machine.loadScenario: /nonexistent/x.yaml: (file): no such file");
  });
});

describe("helpers", () => {
  it("parseSize takes bytes and binary units", () => {
    expect([parseSize(4096), parseSize("4K"), parseSize("64M"), parseSize("1G"), parseSize("1.5G"), parseSize("0x1000"), parseSize("2m")]).toEqual([
      4096, 4096, 64 * 1024 ** 2, 1024 ** 3, 1.5 * 1024 ** 3, 4096, 2 * 1024 ** 2,
    ]);
    expect(typeof parseSize("1.3K")).toBe("string");
    expect(typeof parseSize(-1)).toBe("string");
    expect([formatSize(1024 ** 3), formatSize(1536 * 1024 ** 2), formatSize(4097)]).toEqual(["1G", "1536M", "4097"]);
  });

  it("parseGfp reads core's GFP names and numbers", () => {
    expect(parseGfp("GFP_KERNEL|__GFP_ZERO")).toEqual({ value: GFP_KERNEL | __GFP_ZERO, text: "GFP_KERNEL | __GFP_ZERO" });
    expect(parseGfp(0xcc0)).toEqual({ value: GFP_KERNEL, text: "GFP_KERNEL" });
    expect(parseGfp("GFP_KERNEL | 0x100")).toEqual({ value: GFP_KERNEL | __GFP_ZERO, text: "GFP_KERNEL | 0x100" });
    expect(gfpFlagNames()).toEqual(expect.arrayContaining(["GFP_KERNEL", "GFP_ATOMIC", "GFP_HIGHUSER_MOVABLE", "GFP_TRANSHUGE", "__GFP_ZERO", "__GFP_COMP", "__GFP_NOWARN"]));
    expect(gfpFlagNames().filter((n) => /MASK|SHIFT|TABLE|BAD|^___/.test(n))).toEqual([]);
  });

  it("the sysctl names are the ones the machine supports", () => {
    expect([...SCENARIO_SYSCTLS].sort()).toEqual([...SUPPORTED_SYSCTLS].sort());
  });

  it("describeScenarioSchema lists every field with its default", () => {
    const text = describeScenarioSchema();
    for (const f of ["seed", "machine.memory", "machine.cpus", "machine.nodes", "machine.cmdline", "machine.reserved", "kernel.sysctl.<name>", "kernel.config.cma_mbytes", "kernel.policies.<slot>", "kernel.costs.<name>"]) {
      expect(text).toContain(`  ${f} `);
    }
    for (const f of ["kernel.config.va_bits", "kernel.config.kfence"]) expect(text).toContain(`  ${f} `);
    // Every step kind the loader accepts is documented (free-side steps beside their allocation).
    const kinds = /valid step kinds: ([a-z_, ]+)/.exec(String((() => {
      try {
        loadScenario("workload:\n  - nope: 1\n", "s.yaml");
      } catch (e) {
        return (e as Error).message;
      }
      return "";
    })()))![1]!.split(", ");
    expect(kinds.length).toBeGreaterThan(20);
    for (const k of kinds) expect(text, k).toMatch(new RegExp(`(- |; )${k}:`));
  });
});
