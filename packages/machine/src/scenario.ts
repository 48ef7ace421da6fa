// mmsim: the scenario loader — a YAML or JSON scenario file validated into a ResolvedScenario (no kernel counterpart)
/*
 * A scenario says which machine to boot and what to do on it. The file is YAML (JSON is YAML,
 * so .json files load the same way); fields are snake_case in the file and camelCase in the
 * ResolvedScenario the machine reads (scenario-types.ts). Every field is optional; the defaults
 * are the reference board (QEMU virt, 1 GiB, 2 CPUs, Debian 6.1's config).
 *
 *   seed: 1                                   # seed of the machine's Prandom
 *   machine:
 *     board: qemu-virt-arm64                  # the only preset so far
 *     memory: 1G                              # bytes, or 4K/64M/1G/1.5G (binary units); a multiple of 4K, ≥ 64M
 *     cpus: 2                                 # 1..256
 *     nodes: 1                                # NUMA nodes, 1..16 (RAM split evenly)
 *     cmdline: "console=ttyAMA0 nokaslr "      # as /proc/cmdline shows it (the reference's ends in a space)
 *     reserved:                               # extra memblock reservations, inside RAM [0x40000000, +memory)
 *       - { start: 0x50000000, size: 1M, name: my-buffer }
 *   kernel:
 *     sysctl: { min_free_kbytes: 8192 }       # vm.* sysctls written after boot
 *     config: { deferred_struct_page_init: true, transparent_hugepage: true, init_on_alloc: true, cma_mbytes: 64 }
 *     policies: {}                            # slot: implementation, e.g. { slab: slub }
 *     costs: { clearPage: 150 }               # cost-model overrides, ns
 *   workload:                                 # steps, in order; each is a map with one key
 *     - show: /proc/buddyinfo
 *     - alloc: { name: a, order: 0, gfp: GFP_KERNEL, cpu: 0, count: 1000 }   # nid: -1 (any node)
 *     - label: after-alloc                    # a point `mmsim cat --after after-alloc` stops at
 *     - free: { name: a }                     # count: all by default; cpu: 0
 *     - repeat: { times: 3, steps: [ { alloc: { name: b } }, { free: { name: b } } ] }
 *     - sysctl: { name: watermark_scale_factor, value: 100 }
 *     - expect: { path: /proc/meminfo, field: MemFree, op: ">", value: 900000 }
 *
 * Command-line overrides (ScenarioOverrides) are applied to the parsed file before validation:
 * `--mem 4G` is `--set machine.memory=4G`, `--smp` machine.cpus, `--nodes` machine.nodes,
 * `--seed` seed; then each `--set path=value` in order (a later one wins). Values are parsed as
 * YAML scalars (4G stays a string, 8192 becomes a number, true a boolean; `[256,256,32,0]` is a
 * list). `workload` cannot be set from the command line.
 *
 * Validation happens in three passes, and the first problem found is thrown as a ScenarioError
 * naming file, line and field (a problem in a value that came from the command line names
 * `<command line>` instead):
 *  1. the structure (zod strict objects: unknown fields rejected with the nearest valid names);
 *  2. each workload step (one key; the step kind's own strict schema);
 *  3. cross-field rules, after overrides: reserved regions inside RAM, `cpu` < cpus, `nid` -1
 *     or < nodes, every `free` names an `alloc` earlier in the file, labels unique.
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as core from "@mmsim/core";
import {
  DEFAULT_COSTS, GFP_KERNEL, KMALLOC_MAX_SIZE, MAX_NR_ZONES, NR_PAGE_ORDERS, NUMA_NO_NODE, PAGE_SIZE, SLAB_ACCOUNT,
  SLAB_CACHE_DMA, SLAB_CACHE_DMA32, SLAB_CONSISTENCY_CHECKS, SLAB_HWCACHE_ALIGN, SLAB_MEM_SPREAD, SLAB_NOLEAKTRACE,
  SLAB_PANIC, SLAB_POISON, SLAB_RECLAIM_ACCOUNT, SLAB_RED_ZONE, SLAB_STORE_USER, SLAB_TRACE, SLAB_TYPESAFE_BY_RCU, SZ_1G,
  SZ_1K, SZ_1M, SZ_64M, ScenarioError, __GFP_BITS_MASK, describeValue, formatGfpFlags, gfpZoneBad, hex,
} from "@mmsim/core";
import { type Document, isAlias, isMap, isSeq, LineCounter, parse as parseYaml, parseDocument } from "yaml";
import { z } from "zod";
import { QEMU_VIRT_ARM64, VIRT_RAM_BASE, VIRT_RAM_MAX } from "./board-qemu-virt-arm64.ts";
import { KERNEL_CACHES } from "./kernel-caches.ts";
import type { KernelSpec, MachineSpec, ResolvedScenario, WorkloadStep } from "./scenario-types.ts";

const SITE = "machine.loadScenario";

/** The `file` of an error caused by a command-line override. */
export const COMMAND_LINE = "<command line>";

/** The built-in default scenario: boot the reference board and exercise the buddy allocator. */
export const DEFAULT_SCENARIO_FILE: string = fileURLToPath(new URL("../scenarios/default.yaml", import.meta.url));

/** Board options and `--set` overrides from the command line; strings are parsed as YAML scalars. */
export interface ScenarioOverrides {
  /** `--mem`: machine.memory (e.g. "4G"). */
  readonly mem?: string;
  /** `--smp`: machine.cpus. */
  readonly smp?: number | string;
  /** `--nodes`: machine.nodes. */
  readonly nodes?: number | string;
  /** `--seed`: seed. */
  readonly seed?: number | string;
  /** `--set path=value`, applied in order after the options above. */
  readonly set?: readonly string[];
}

/** How much of the scenario to load. */
export interface LoadScenarioOptions {
  /**
   * Skip the workload (it resolves to []): for commands that only boot (`mmsim dmesg`, `mmsim cat`
   * without `--after`), so a board override that a step depends on (`--smp 1` with a step on
   * cpu 1) does not stop them. Default false.
   */
  readonly ignoreWorkload?: boolean;
}

/**
 * The reference capture's command line, trailing space included: QEMU's `-append` string ends
 * with one, and the kernel prints it in `Kernel command line: ` and /proc/cmdline as given.
 */
export const REFERENCE_CMDLINE = "console=ttyAMA0 nokaslr ";

/** Smallest RAM mmsim boots. */
export const MIN_MEMORY = SZ_64M;
/** Largest allocation order + 1 (6.1's MAX_ORDER, exclusive). */
const MAX_ALLOC_ORDER = NR_PAGE_ORDERS - 1;
/** Bounds of the simple fields. */
const MAX_CPUS = 256;
const MAX_NODES = 16;
const MAX_REPEAT = 1_000_000;
const INT_MAX = 0x7fffffff;

type Path = readonly (string | number)[];

// ---------------------------------------------------------------------------------------------
// Field documentation (also the source of `mmsim run --help`)
// ---------------------------------------------------------------------------------------------

interface FieldDoc {
  readonly path: string;
  readonly type: string;
  readonly def: string;
  readonly what: string;
}

const FIELD_DOCS: readonly FieldDoc[] = [
  { path: "seed", type: "integer ≥ 0", def: "1", what: "seed of the machine's random source (Prandom)" },
  { path: "machine.board", type: "name", def: QEMU_VIRT_ARM64, what: "board preset (only qemu-virt-arm64)" },
  { path: "machine.memory", type: "size", def: "1G", what: "RAM at 0x40000000; a multiple of 4K, at least 64M" },
  { path: "machine.cpus", type: `1..${MAX_CPUS}`, def: "2", what: "CPUs" },
  { path: "machine.nodes", type: `1..${MAX_NODES}`, def: "1", what: "NUMA nodes; RAM split evenly" },
  { path: "machine.cmdline", type: "string", def: JSON.stringify(REFERENCE_CMDLINE), what: "kernel command line, as /proc/cmdline shows it" },
  { path: "machine.reserved", type: "list", def: "[]", what: "extra memblock reservations: { start, size, name }, inside RAM" },
  { path: "kernel.sysctl.<name>", type: "integer", def: "(kernel's)", what: "vm sysctl written after boot: min_free_kbytes, watermark_scale_factor, watermark_boost_factor, lowmem_reserve_ratio (4 integers), percpu_pagelist_high_fraction" },
  { path: "kernel.config.deferred_struct_page_init", type: "boolean", def: "true", what: "CONFIG_DEFERRED_STRUCT_PAGE_INIT" },
  { path: "kernel.config.transparent_hugepage", type: "boolean", def: "true", what: "CONFIG_TRANSPARENT_HUGEPAGE (raises min_free_kbytes)" },
  { path: "kernel.config.init_on_alloc", type: "boolean", def: "true", what: "CONFIG_INIT_ON_ALLOC_DEFAULT_ON (pages cleared on allocation)" },
  { path: "kernel.config.cma_mbytes", type: "integer ≥ 0", def: "64", what: "CONFIG_CMA_SIZE_MBYTES; 0 = no default CMA area" },
  { path: "kernel.config.va_bits", type: "39 | 48", def: "48", what: "CONFIG_ARM64_VA_BITS (4 KiB pages): 3 or 4 levels of tables, the kernel layout" },
  { path: "kernel.config.kfence", type: "boolean", def: "true", what: "CONFIG_KFENCE: in 6.1 it alone keeps the linear map at page granularity; false + rodata=off in machine.cmdline gives block mappings" },
  { path: "kernel.policies.<slot>", type: "name", def: "(one per slot)", what: "implementation of a pluggable slot, e.g. slab: slub" },
  { path: "kernel.costs.<name>", type: "ns ≥ 0", def: "(cost model)", what: `cost-model override: ${Object.keys(DEFAULT_COSTS).join(", ")}` },
];

const STEP_DOCS: readonly string[] = [
  "- show: <path>                 print a file, e.g. /proc/buddyinfo",
  `- alloc: { name, order: 0, gfp: GFP_KERNEL, cpu: 0, count: 1, nid: -1 }   order 0..${MAX_ALLOC_ORDER}; gfp "GFP_KERNEL | __GFP_ZERO" or a number`,
  "- free: { name, count: all, cpu: 0 }   free pages of an earlier alloc of that name",
  `- repeat: { times, steps: [...] }  times 1..${MAX_REPEAT}`,
  "- sysctl: { name, value }       write a vm sysctl",
  "- expect: { path, field, op: \"==\", value }   op ==, !=, <, <=, >, >=; a failed expect exits 1",
  "- write: { path, value }        echo value > path (/proc/sys/vm/*, /proc/slabinfo tunables)",
  "- sleep: <ms>                   let simulated time pass (periodic work such as SLAB's cache_reap runs)",
  "- kmem_cache_create: { name, size, align, flags }   a 6.1 kernel cache by name (dentry, …) or an explicit one",
  "- kmem_cache_alloc: { cache, as, count: 1, cpu: 0, gfp: GFP_KERNEL }; kmem_cache_free: { as, count: all, order: lifo|random }",
  "- kmalloc: { as, size | sizes, count: 1, cpu: 0, gfp: GFP_KERNEL }; kfree: { as, count: all, order: lifo|random }",
  "- slab_churn: { cache | sizes, as, pattern: steady|burst|mixed, ops, live: 1000, cpus: [0] }   allocation churn from the workload RNG",
  "- vmalloc: { as, size, count: 1, cpu: 0, zero: false, caller }   vmalloc (vzalloc with zero) of size bytes (4K, 1M, …)",
  "- vfree: { as, count: all }     vfree areas of an earlier vmalloc (lazily: purged past lazy_max_pages)",
  "- kvmalloc: { as, size, gfp: GFP_KERNEL, count: 1, cpu: 0 }   kmalloc first, vmalloc fallback; kvfree: { as }",
  "- access: { as, cpu: 0, write: false, times: 1 }   touch every page of a buffer through the MMU (TLB, then a table walk on a miss)",
  "- mmap: { as, size, cpu: 0 }    a user malloc: mmap(MAP_PRIVATE|MAP_ANONYMOUS|MAP_POPULATE) in the workload's process; munmap: { as }",
  "- label: <name>                 a point for `mmsim cat --after <name>`",
];

/**
 * A short text of every scenario field with its type and default, for `mmsim run --help`.
 */
export function describeScenarioSchema(): string {
  const w = Math.max(...FIELD_DOCS.map((f) => f.path.length));
  const tw = Math.max(...FIELD_DOCS.map((f) => f.type.length));
  const dw = Math.max(...FIELD_DOCS.map((f) => f.def.length));
  const lines = [
    "Scenario file (YAML or JSON; snake_case fields; every field optional). Sizes are bytes or",
    "4K, 64M, 1G, 1.5G (binary units). Any field can be overridden with --set path=value.",
    "",
    `  ${"field".padEnd(w)}  ${"type".padEnd(tw)}  ${"default".padEnd(dw)}  what`,
    ...FIELD_DOCS.map((f) => `  ${f.path.padEnd(w)}  ${f.type.padEnd(tw)}  ${f.def.padEnd(dw)}  ${f.what}`),
    "",
    "workload: a list of steps (default none), each a map with one key:",
    ...STEP_DOCS.map((s) => `  ${s}`),
  ];
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Sizes, GFP expressions, names
// ---------------------------------------------------------------------------------------------

const SIZE_UNITS: Readonly<Record<string, number>> = { "": 1, K: SZ_1K, M: SZ_1M, G: SZ_1G, T: SZ_1G * 1024, P: SZ_1G * 1024 * 1024 };

/**
 * Parses a size: a non-negative integer, or a string `4K`, `64M`, `1G`, `1.5G` (binary units,
 * like the kernel's memparse()), or a hex/decimal string.
 * @returns bytes, or a message saying what to write instead
 */
export function parseSize(v: unknown): number | string {
  const hint = "write bytes (1073741824) or a size with a binary unit (4K, 64M, 1G, 1.5G)";
  if (typeof v === "number") {
    if (Number.isSafeInteger(v) && v >= 0) return v;
    return `${describeValue(v)} is not a whole number of bytes; ${hint}`;
  }
  if (typeof v !== "string") return `expected a size, got ${describeValue(v)}; ${hint}`;
  const s = v.trim();
  if (/^0x[0-9a-f]+$/i.test(s)) return Number.parseInt(s.slice(2), 16);
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp]?)(?:i?b)?$/i.exec(s);
  if (!m) return `${describeValue(v)} is not a size; ${hint}`;
  const bytes = Number(m[1]) * SIZE_UNITS[m[2]!.toUpperCase()]!;
  if (!Number.isSafeInteger(bytes)) return `${describeValue(v)} is not a whole number of bytes (${bytes}); ${hint}`;
  return bytes;
}

/** `1073741824` → `1G`, `1610612736` → `1536M`, `4097` → `4097`: the largest exact binary unit. */
export function formatSize(bytes: number): string {
  for (const u of ["P", "T", "G", "M", "K"]) {
    const unit = SIZE_UNITS[u]!;
    if (bytes >= unit && bytes % unit === 0) return `${bytes / unit}${u}`;
  }
  return String(bytes);
}

/**
 * GFP names a scenario may use: core's exported `GFP_*` and `__GFP_*` constants (composites and
 * modifiers of 6.1), without the masks, shifts and tables that are not allocation flags.
 */
const GFP_NAMES: ReadonlyMap<string, number> = new Map(
  Object.entries(core).filter(
    (e): e is [string, number] => typeof e[1] === "number" && /^(__)?GFP_[A-Z0-9_]+$/.test(e[0]) && !/(MASK|SHIFT|TABLE|BAD)$/.test(e[0]),
  ),
);

/** The GFP flag names a scenario accepts, in core's export order. */
export function gfpFlagNames(): readonly string[] {
  return [...GFP_NAMES.keys()];
}

/**
 * Parses gfp flags: a number, or names joined by `|` (`"GFP_KERNEL | __GFP_ZERO"`); a term may
 * also be a number (`0x100`).
 * @returns the flags and their text, or a message saying what to write instead
 */
/** SLAB_* flag names a scenario may use in kmem_cache_create. */
const SLAB_FLAG_NAMES: ReadonlyMap<string, number> = new Map([
  ["SLAB_HWCACHE_ALIGN", SLAB_HWCACHE_ALIGN], ["SLAB_RECLAIM_ACCOUNT", SLAB_RECLAIM_ACCOUNT], ["SLAB_ACCOUNT", SLAB_ACCOUNT],
  ["SLAB_PANIC", SLAB_PANIC], ["SLAB_CACHE_DMA", SLAB_CACHE_DMA], ["SLAB_CACHE_DMA32", SLAB_CACHE_DMA32],
  ["SLAB_TYPESAFE_BY_RCU", SLAB_TYPESAFE_BY_RCU], ["SLAB_MEM_SPREAD", SLAB_MEM_SPREAD], ["SLAB_RED_ZONE", SLAB_RED_ZONE],
  ["SLAB_POISON", SLAB_POISON], ["SLAB_STORE_USER", SLAB_STORE_USER], ["SLAB_CONSISTENCY_CHECKS", SLAB_CONSISTENCY_CHECKS],
  ["SLAB_TRACE", SLAB_TRACE], ["SLAB_NOLEAKTRACE", SLAB_NOLEAKTRACE],
]);

/** Parses `"SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT"` or a number. @returns the flags, or a message */
export function parseSlabFlags(v: unknown): number | string {
  if (typeof v === "number" && Number.isInteger(v) && v >= 0) return v;
  if (typeof v !== "string") return `expected SLAB_* flags like "SLAB_HWCACHE_ALIGN | SLAB_ACCOUNT", got ${describeValue(v)}`;
  let flags = 0;
  for (const t of v.split("|").map((x) => x.trim())) {
    const f = SLAB_FLAG_NAMES.get(t);
    if (f === undefined) return `unknown slab flag "${t}"; the closest are ${nearest(t, [...SLAB_FLAG_NAMES.keys()], 3, true).join(", ")}`;
    flags |= f;
  }
  return flags;
}

export function parseGfp(v: unknown): { readonly value: number; readonly text: string } | string {
  const hint = 'write a name like GFP_KERNEL, an expression like "GFP_KERNEL | __GFP_ZERO", or a number';
  let value = 0;
  let text: string;
  if (typeof v === "number") {
    if (!Number.isInteger(v) || v < 0 || v > __GFP_BITS_MASK) return `${describeValue(v)} is not a gfp mask (0..${hex(__GFP_BITS_MASK, 0)}); ${hint}`;
    value = v;
    text = formatGfpFlags(v);
  } else if (typeof v === "string") {
    const terms = v.split("|").map((t) => t.trim());
    if (terms.some((t) => t === "")) return `empty term in ${describeValue(v)}; ${hint}`;
    for (const t of terms) {
      if (/^(0x[0-9a-f]+|\d+)$/i.test(t)) {
        const n = Number(t);
        if (n > __GFP_BITS_MASK) return `${t} is not a gfp mask (0..${hex(__GFP_BITS_MASK, 0)})`;
        value |= n;
        continue;
      }
      const n = GFP_NAMES.get(t);
      if (n === undefined) {
        return `unknown GFP flag "${t}"; the closest are ${nearest(t, gfpFlagNames(), 3, true).join(", ")}`;
      }
      value |= n;
    }
    text = terms.join(" | ");
  } else {
    return `expected gfp flags, got ${describeValue(v)}; ${hint}`;
  }
  value >>>= 0;
  if (gfpZoneBad(value)) {
    return `${text} combines zone modifiers that select no zone (__GFP_DMA, __GFP_DMA32, __GFP_HIGHMEM and __GFP_MOVABLE allow one zone); use one of them`;
  }
  return { value, text };
}

/** Edit distance between two strings (Levenshtein). */
function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}

/**
 * The candidates nearest to `name` (case, `_` and `-` ignored), best first; ties keep the
 * candidates' order. Unless `always`, only those within a third of the name's length (at least 2).
 */
function nearest(name: string, candidates: readonly string[], max: number, always = false): string[] {
  const norm = (s: string) => s.toLowerCase().replace(/[_\-\s]/g, "");
  const n = norm(name);
  const limit = Math.max(2, Math.ceil(n.length / 3));
  return candidates
    .map((c, i) => ({ c, i, d: editDistance(n, norm(c)) }))
    .filter((x) => always || x.d <= limit)
    .sort((x, y) => x.d - y.d || x.i - y.i)
    .slice(0, max)
    .map((x) => x.c);
}

/** "unknown field "x"; did you mean "y"? Valid fields of machine: a, b". */
function unknownFieldProblem(key: string, valid: readonly string[], where: string): string {
  const near = nearest(key, valid, 3);
  const did = near.length > 0 ? `; did you mean ${near.map((n) => `"${n}"`).join(" or ")}?` : ";";
  return `unknown field "${key}"${did} valid ${where}: ${valid.join(", ")}`;
}

// ---------------------------------------------------------------------------------------------
// Value schemas (zod 4): each one says what to write instead
// ---------------------------------------------------------------------------------------------

/** A zod schema that checks `v` with `check` (a value or a message) and reports the message. */
function checked<T>(check: (v: unknown) => { ok: T } | string) {
  return z.unknown().transform((v, ctx): T => {
    const r = check(v);
    if (typeof r === "string") {
      ctx.addIssue({ code: "custom", message: r, input: v });
      return z.NEVER;
    }
    return r.ok;
  });
}

const MISSING = "is required";

function int(min: number, max: number, what = "an integer") {
  return checked<number>((v) => {
    if (v === undefined || v === null) return `${MISSING}: ${what} from ${min} to ${max}`;
    if (typeof v !== "number" || !Number.isInteger(v)) return `expected ${what} from ${min} to ${max}, got ${describeValue(v)}`;
    if (v < min || v > max) return `${v} is out of range: expected ${what} from ${min} to ${max}`;
    return { ok: v };
  });
}

function str(what: string, re?: RegExp, reHint?: string) {
  return checked<string>((v) => {
    if (v === undefined || v === null) return `${MISSING}: ${what}`;
    if (typeof v !== "string" || v === "") return `expected ${what}, got ${describeValue(v)}`;
    if (re && !re.test(v)) return `${describeValue(v)} is not ${what}${reHint ? `; ${reHint}` : ""}`;
    return { ok: v };
  });
}

const bool = checked<boolean>((v) => (typeof v === "boolean" ? { ok: v } : `expected true or false, got ${describeValue(v)}`));

const size = checked<number>((v) => {
  if (v === undefined || v === null) return `${MISSING}: a size (bytes, or 4K, 64M, 1G)`;
  const r = parseSize(v);
  return typeof r === "string" ? r : { ok: r };
});

const memory = checked<number>((v) => {
  const r = parseSize(v);
  if (typeof r === "string") return r;
  if (r < MIN_MEMORY) return `RAM must be at least 64M (67108864 bytes); got ${formatSize(r)}`;
  if (r % PAGE_SIZE !== 0) {
    const down = Math.floor(r / PAGE_SIZE) * PAGE_SIZE;
    return `RAM must be a multiple of 4096 bytes (the page size); ${describeValue(v)} is not: write ${formatSize(down)} or ${formatSize(down + PAGE_SIZE)}`;
  }
  if (r > VIRT_RAM_MAX) return `RAM must be at most ${formatSize(VIRT_RAM_MAX)} on ${QEMU_VIRT_ARM64} (RAM ends below the high PCIe window); got ${formatSize(r)}`;
  return { ok: r };
});

const gfp = checked<{ readonly value: number; readonly text: string }>((v) => {
  if (v === undefined || v === null) return `${MISSING}: gfp flags, e.g. GFP_KERNEL`;
  const r = parseGfp(v);
  return typeof r === "string" ? r : { ok: r };
});

const absPath = str("an absolute path like /proc/buddyinfo", /^\//, "it must start with /");

/** A map checked key by key; an unknown key gets the unknown-field message. */
function mapOf<T>(valid: readonly string[] | undefined, where: string, value: (key: string, v: unknown) => { ok: T } | string) {
  return z.unknown().transform((v, ctx): Record<string, T> => {
    if (v === null) return {};
    if (typeof v !== "object" || Array.isArray(v)) {
      ctx.addIssue({ code: "custom", message: `expected a map of name: value, got ${describeValue(v)}`, input: v });
      return z.NEVER;
    }
    const out: Record<string, T> = {};
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      if (valid && !valid.includes(k)) {
        ctx.addIssue({ code: "custom", message: unknownFieldProblem(k, valid, where), path: [k], input: x });
        continue;
      }
      const r = value(k, x);
      if (typeof r === "string") ctx.addIssue({ code: "custom", message: r, path: [k], input: x });
      else out[k] = r.ok;
    }
    return out;
  });
}

/**
 * The vm sysctls a scenario may write, with the kernel's accepted range (mm/page_alloc.c
 * and kernel/sysctl.c of 6.1: proc_dointvec_minmax bounds; percpu_pagelist_high_fraction's
 * handler rejects 1..7).
 */
const SYSCTLS: Readonly<Record<string, (v: unknown) => { ok: number | readonly number[] } | string>> = {
  min_free_kbytes: (v) => sysctlInt(v, 0, INT_MAX, "kbytes"),
  watermark_scale_factor: (v) => sysctlInt(v, 1, 3000, "in units of 0.01 % of the zone's memory"),
  watermark_boost_factor: (v) => sysctlInt(v, 0, INT_MAX, "in units of 0.01 % of the high watermark"),
  lowmem_reserve_ratio: (v) => {
    const hint = `write ${MAX_NR_ZONES} integers ≥ 0, one per zone (DMA DMA32 Normal Movable), e.g. [256, 256, 32, 0] or "256 256 32 0"`;
    const list = typeof v === "string" ? v.trim().split(/\s+/).map((s) => (/^\d+$/.test(s) ? Number(s) : s)) : v;
    if (!Array.isArray(list) || list.length !== MAX_NR_ZONES) return `expected ${MAX_NR_ZONES} values, got ${describeValue(v)}; ${hint}`;
    if (!list.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= INT_MAX)) return `${describeValue(v)}: ${hint}`;
    return { ok: list as number[] };
  },
  percpu_pagelist_high_fraction: (v) => {
    const r = sysctlInt(v, 0, INT_MAX, "0 (from the low watermark) or at least 8");
    if (typeof r !== "string" && r.ok !== 0 && r.ok < 8) return `${r.ok} is out of range: the kernel accepts 0 or a fraction of at least 8`;
    return r;
  },
};

/** The sysctl names a scenario may write. */
export const SCENARIO_SYSCTLS: readonly string[] = Object.keys(SYSCTLS);

function sysctlInt(v: unknown, min: number, max: number, unit: string): { ok: number } | string {
  if (typeof v !== "number" || !Number.isInteger(v)) return `expected an integer (${unit}), got ${describeValue(v)}`;
  if (v < min || v > max) return `${v} is out of range: the kernel accepts ${min}..${max} (${unit})`;
  return { ok: v };
}

const sysctlValue = (name: string, v: unknown) => SYSCTLS[name]!(v);

const reservedRegion = z.strictObject({ start: size, size, name: str("a name for the region") });

const machineSchema = z.strictObject({
  board: checked<"qemu-virt-arm64">((v) => (v === QEMU_VIRT_ARM64 ? { ok: QEMU_VIRT_ARM64 } : `unknown board ${describeValue(v)}; the only board is ${QEMU_VIRT_ARM64}`)).default(QEMU_VIRT_ARM64),
  memory: memory.default(SZ_1G),
  cpus: int(1, MAX_CPUS, "a CPU count").default(2),
  nodes: int(1, MAX_NODES, "a node count").default(1),
  cmdline: checked<string>((v) => (typeof v === "string" ? { ok: v } : `expected a string, got ${describeValue(v)}`)).default(REFERENCE_CMDLINE),
  reserved: z.array(reservedRegion).default([]),
});

const configSchema = z.strictObject({
  deferred_struct_page_init: bool.default(true),
  transparent_hugepage: bool.default(true),
  init_on_alloc: bool.default(true),
  cma_mbytes: int(0, INT_MAX, "megabytes").default(64),
  kfence: bool.default(true),
  va_bits: checked<number>((v) => (v === 39 || v === 48 ? { ok: v } : `CONFIG_ARM64_VA_BITS with 4 KiB pages is 39 (3 levels of tables) or 48 (4 levels, the reference); got ${describeValue(v)}`)).default(48),
});

const kernelSchema = z.strictObject({
  sysctl: mapOf(SCENARIO_SYSCTLS, "sysctls", sysctlValue).default({}),
  config: configSchema.prefault({}),
  policies: mapOf(undefined, "", (_k, v) => (typeof v === "string" && v !== "" ? { ok: v } : `expected an implementation name (e.g. slub), got ${describeValue(v)}`)).default({}),
  costs: mapOf(Object.keys(DEFAULT_COSTS), "costs", (_k, v) =>
    typeof v === "number" && Number.isFinite(v) && v >= 0 ? { ok: v } : `expected nanoseconds ≥ 0, got ${describeValue(v)}`,
  ).default({}),
});

const scenarioSchema = z.strictObject({
  seed: int(0, Number.MAX_SAFE_INTEGER, "a seed").default(1),
  machine: machineSchema.prefault({}),
  kernel: kernelSchema.prefault({}),
  workload: z.array(z.unknown()).default([]),
});

/** Valid fields of each strict object, by the path of the object (numbers as "[]"). */
const VALID_FIELDS: Readonly<Record<string, readonly string[]>> = {
  "": Object.keys(scenarioSchema.shape),
  machine: Object.keys(machineSchema.shape),
  "machine.reserved[]": Object.keys(reservedRegion.shape),
  kernel: Object.keys(kernelSchema.shape),
  "kernel.config": Object.keys(configSchema.shape),
};

/** Paths whose value is a map (so `--set` may create them). */
const MAP_FIELDS: ReadonlySet<string> = new Set([...Object.keys(VALID_FIELDS), "kernel.sysctl", "kernel.policies", "kernel.costs"]);

/** `["machine", "reserved", 0]` → `machine.reserved[]`: the key of VALID_FIELDS. */
function shapeKeyOf(path: Path): string {
  return path.map((s) => (typeof s === "number" ? "[]" : s)).join(".").replace(/\.\[\]/g, "[]");
}

// Workload steps ------------------------------------------------------------------------------

const EXPECT_OPS = ["==", "!=", "<", "<=", ">", ">="] as const;

/** A list of kmalloc sizes (kmalloc and slab_churn steps). */
const kmallocSizes = checked<number[]>((v) =>
  Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && x >= 1 && x <= KMALLOC_MAX_SIZE)
    ? { ok: v as number[] }
    : `expected a non-empty list of sizes from 1 to ${KMALLOC_MAX_SIZE}, got ${describeValue(v)}`,
);

/** kmem_cache_free and kfree: which objects, how many, from which CPU, in which order. */
function slabFree(asWhat: string) {
  return z.strictObject({
    as: str(asWhat),
    count: checked<number | "all">((v) =>
      v === "all" || (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= INT_MAX) ? { ok: v } : `expected a count ≥ 1 or "all", got ${describeValue(v)}`,
    ).default("all"),
    cpu: int(0, MAX_CPUS - 1, "a CPU number").default(0),
    order: checked<"lifo" | "random">((v) => (v === "lifo" || v === "random" ? { ok: v } : `expected lifo or random, got ${describeValue(v)}`)).default("lifo"),
  });
}

const STEP_SCHEMAS = {
  show: absPath,
  alloc: z.strictObject({
    name: str("a name for the pages (a later free names it)"),
    order: int(0, MAX_ALLOC_ORDER, "an order").default(0),
    gfp: gfp.default({ value: GFP_KERNEL, text: "GFP_KERNEL" }),
    cpu: int(0, MAX_CPUS - 1, "a CPU number").default(0),
    count: int(1, INT_MAX, "a count").default(1),
    nid: int(NUMA_NO_NODE, MAX_NODES - 1, "a node (-1 = any)").default(NUMA_NO_NODE),
  }),
  free: z.strictObject({
    name: str("the name of an earlier alloc"),
    count: checked<number | "all">((v) =>
      v === "all" || (typeof v === "number" && Number.isInteger(v) && v >= 1 && v <= INT_MAX) ? { ok: v } : `expected a count ≥ 1 or "all", got ${describeValue(v)}`,
    ).default("all"),
    cpu: int(0, MAX_CPUS - 1, "a CPU number").default(0),
  }),
  repeat: z.strictObject({
    times: int(1, MAX_REPEAT, "a repeat count"),
    steps: checked<unknown[]>((v) => (Array.isArray(v) && v.length > 0 ? { ok: v } : v === undefined ? `${MISSING}: a list of steps` : `expected a non-empty list of steps, got ${describeValue(v)}`)),
  }),
  sysctl: z.strictObject({
    name: checked<string>((v) => (typeof v === "string" && v in SYSCTLS ? { ok: v } : typeof v === "string" ? unknownFieldProblem(v, SCENARIO_SYSCTLS, "sysctls").replace("unknown field", "unknown sysctl") : `expected a sysctl name, got ${describeValue(v)}`)),
    value: z.unknown(),
  }),
  expect: z.strictObject({
    path: absPath,
    field: str("a field name, e.g. MemFree"),
    op: checked<(typeof EXPECT_OPS)[number]>((v) => ((EXPECT_OPS as readonly unknown[]).includes(v) ? { ok: v as (typeof EXPECT_OPS)[number] } : `expected one of ${EXPECT_OPS.join(" ")}, got ${describeValue(v)} (quote it: op: ">")`)).default("=="),
    value: checked<number>((v) => (typeof v === "number" && Number.isFinite(v) ? { ok: v } : v === undefined ? `${MISSING}: the number to compare with` : `expected a number, got ${describeValue(v)}`)),
  }),
  slab_churn: z.strictObject({
    cache: str("a cache created earlier (or a kmalloc cache)").optional(),
    sizes: kmallocSizes.optional(),
    as: str("a name for the objects left at the end"),
    pattern: checked<"steady" | "burst" | "mixed">((v) => (v === "steady" || v === "burst" || v === "mixed" ? { ok: v } : `expected steady, burst or mixed, got ${describeValue(v)}`)),
    ops: int(1, INT_MAX, "a number of operations"),
    live: int(0, INT_MAX, "objects kept live (steady)").default(1000),
    cpus: checked<number[]>((v) => (Array.isArray(v) && v.length > 0 && v.every((x) => Number.isInteger(x) && x >= 0 && x < MAX_CPUS) ? { ok: v as number[] } : `expected a non-empty list of CPU numbers, got ${describeValue(v)}`)).default([0]),
    gfp: gfp.default({ value: GFP_KERNEL, text: "GFP_KERNEL" }),
  }),
  sleep: int(1, 86_400_000, "milliseconds of simulated time"),
  write: z.strictObject({
    path: absPath,
    value: checked<string>((v) => (typeof v === "string" || typeof v === "number" ? { ok: String(v) } : `expected the text to write, got ${describeValue(v)}`)),
  }),
  kmem_cache_create: z.strictObject({
    name: str("a cache name (a kernel cache such as dentry takes its 6.1 size and flags)"),
    size: int(8, KMALLOC_MAX_SIZE, "an object size in bytes").optional(),
    align: int(0, 4096, "an alignment in bytes").optional(),
    flags: checked<number>((v) => {
      const r = parseSlabFlags(v);
      return typeof r === "string" ? r : { ok: r };
    }).optional(),
  }),
  kmem_cache_alloc: z.strictObject({
    cache: str("the name of a cache created earlier (or a kmalloc cache such as kmalloc-256)"),
    as: str("a name for the objects (a later kmem_cache_free names it)"),
    count: int(1, INT_MAX, "a count").default(1),
    cpu: int(0, MAX_CPUS - 1, "a CPU number").default(0),
    gfp: gfp.default({ value: GFP_KERNEL, text: "GFP_KERNEL" }),
  }),
  kmalloc: z.strictObject({
    as: str("a name for the objects (a later kfree names it)"),
    size: int(1, KMALLOC_MAX_SIZE, "a size in bytes").optional(),
    sizes: kmallocSizes.optional(),
    count: int(1, INT_MAX, "a count").default(1),
    cpu: int(0, MAX_CPUS - 1, "a CPU number").default(0),
    gfp: gfp.default({ value: GFP_KERNEL, text: "GFP_KERNEL" }),
  }),
  kmem_cache_free: slabFree("the name of an earlier kmem_cache_alloc"),
  kfree: slabFree("the name of an earlier kmalloc"),
  vmalloc: z.strictObject({
    as: str("a name for the areas (a later vfree names it)"),
    size: size,
    count: int(1, INT_MAX, "a count").default(1),
    cpu: int(0, MAX_CPUS - 1, "a CPU number").default(0),
    zero: bool.default(false),
    caller: str("the caller /proc/vmallocinfo prints (a symbol+off/size)").optional(),
  }),
  vfree: slabFree("the name of an earlier vmalloc"),
  kvmalloc: z.strictObject({
    as: str("a name for the buffers (a later kvfree names it)"),
    size: size,
    count: int(1, INT_MAX, "a count").default(1),
    cpu: int(0, MAX_CPUS - 1, "a CPU number").default(0),
    gfp: gfp.default({ value: GFP_KERNEL, text: "GFP_KERNEL" }),
    caller: str("the caller /proc/vmallocinfo prints if it falls back to vmalloc").optional(),
  }),
  kvfree: slabFree("the name of an earlier kvmalloc"),
  mmap: z.strictObject({
    as: str("a name for the mapping (a later munmap names it)"),
    size: size,
    cpu: int(0, MAX_CPUS - 1, "a CPU number").default(0),
  }),
  access: z.strictObject({
    as: str("the name of an earlier kmalloc, vmalloc, kvmalloc or mmap"),
    cpu: int(0, MAX_CPUS - 1, "a CPU number").default(0),
    write: bool.default(false),
    times: int(1, MAX_REPEAT, "how many passes over the buffer").default(1),
  }),
  munmap: z.strictObject({
    as: str("the name of an earlier mmap"),
    cpu: int(0, MAX_CPUS - 1, "a CPU number").default(0),
  }),
  label: checked<string>((v) =>
    typeof v === "number" || (typeof v === "string" && /^\d+$/.test(v))
      ? `a label must not be a number (--after ${v} means step ${v}); got ${describeValue(v)}`
      : typeof v === "string" && v !== "" ? { ok: v } : `expected a label name, got ${describeValue(v)}`,
  ),
} as const;

type StepKind = keyof typeof STEP_SCHEMAS;
const STEP_KINDS = Object.keys(STEP_SCHEMAS) as StepKind[];

// ---------------------------------------------------------------------------------------------
// Positions
// ---------------------------------------------------------------------------------------------

/** Where each value came from: the parsed document, and the paths set on the command line. */
class Origins {
  constructor(
    readonly file: string,
    private readonly doc: Document | undefined,
    private readonly lc: LineCounter,
    readonly overridden: Path[] = [],
  ) {}

  /** True when `path` was set on the command line (or lies under or above such a path). */
  fromCommandLine(path: Path): boolean {
    return this.overridden.some((o) => isPrefix(o, path) || isPrefix(path, o));
  }

  /**
   * 1-based line of `path` in the file: of its key for a map field, of its item for a list
   * element; the nearest existing ancestor when the node itself is missing.
   */
  lineOf(path: Path): number | undefined {
    if (!this.doc) return undefined;
    let node: unknown = this.doc.contents;
    let line: number | undefined = rangeLine(node, this.lc);
    for (const seg of path) {
      if (isAlias(node)) node = node.resolve(this.doc);
      if (isMap(node)) {
        const pair = node.items.find((p) => keyText(p.key) === String(seg));
        if (!pair) break;
        line = rangeLine(pair.key, this.lc) ?? line;
        node = pair.value;
      } else if (isSeq(node) && typeof seg === "number") {
        const item = node.items[seg];
        if (item === undefined) break;
        line = rangeLine(item, this.lc) ?? line;
        node = item;
      } else {
        break;
      }
    }
    return line;
  }

  /** A ScenarioError at `path`: `<command line>` when an override set it, else file:line. */
  error(path: Path, problem: string): ScenarioError {
    if (this.fromCommandLine(path)) return new ScenarioError(SITE, COMMAND_LINE, formatPath(path), problem);
    return new ScenarioError(SITE, this.file, formatPath(path), problem, this.lineOf(path));
  }

  /** " (set on the command line)" when `path` was overridden. */
  note(path: Path): string {
    return this.overridden.some((o) => isPrefix(o, path)) ? " (set on the command line)" : "";
  }
}

function keyText(k: unknown): string | undefined {
  if (k && typeof k === "object" && "value" in k) return String((k as { value: unknown }).value);
  return k === null || k === undefined ? undefined : String(k);
}

function rangeLine(node: unknown, lc: LineCounter): number | undefined {
  const r = node && typeof node === "object" && "range" in node ? (node as { range?: [number, number, number] }).range : undefined;
  return r ? lc.linePos(r[0]).line : undefined;
}

function isPrefix(p: Path, q: Path): boolean {
  return p.length <= q.length && p.every((s, i) => String(s) === String(q[i]));
}

/** `["workload", 3, "alloc", "order"]` → `workload[3].alloc.order`. */
export function formatPath(path: Path): string {
  let s = "";
  for (const seg of path) s += typeof seg === "number" ? `[${seg}]` : s === "" ? seg : `.${seg}`;
  return s === "" ? "(top level)" : s;
}

/** `machine.reserved[0].size` → `["machine", "reserved", 0, "size"]`, or undefined if malformed. */
function parsePath(text: string): (string | number)[] | undefined {
  if (!/^[A-Za-z_][\w-]*(\.[A-Za-z_][\w-]*|\[\d+\])*$/.test(text)) return undefined;
  const out: (string | number)[] = [];
  for (const m of text.matchAll(/([A-Za-z_][\w-]*)|\[(\d+)\]/g)) out.push(m[1] !== undefined ? m[1] : Number(m[2]));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Overrides
// ---------------------------------------------------------------------------------------------

/** A command-line value as YAML reads it: numbers, booleans, strings, flow lists; anything else stays the text. */
function scalarOf(text: string | number): unknown {
  if (typeof text === "number") return text;
  if (text.trim() === "") return text;
  try {
    const v: unknown = parseYaml(text);
    if (v === null || (typeof v === "object" && !Array.isArray(v))) return text;
    return v;
  } catch {
    return text;
  }
}

function applyOverrides(raw: Record<string, unknown>, o: ScenarioOverrides, origins: Origins): void {
  const sets: [string, unknown][] = [];
  if (o.mem !== undefined) sets.push(["machine.memory", scalarOf(o.mem)]);
  if (o.smp !== undefined) sets.push(["machine.cpus", scalarOf(o.smp)]);
  if (o.nodes !== undefined) sets.push(["machine.nodes", scalarOf(o.nodes)]);
  if (o.seed !== undefined) sets.push(["seed", scalarOf(o.seed)]);
  for (const s of o.set ?? []) {
    const eq = s.indexOf("=");
    if (eq <= 0) throw new ScenarioError(SITE, COMMAND_LINE, s, "expected --set path=value, e.g. --set machine.memory=4G");
    sets.push([s.slice(0, eq).trim(), scalarOf(s.slice(eq + 1))]);
  }
  for (const [text, value] of sets) {
    const path = parsePath(text);
    if (!path || typeof path[0] !== "string") {
      throw new ScenarioError(SITE, COMMAND_LINE, text, "not a field path; write it as in the file, e.g. machine.memory, kernel.sysctl.min_free_kbytes, machine.reserved[0].size");
    }
    if (path[0] === "workload") {
      throw new ScenarioError(SITE, COMMAND_LINE, text, "the workload cannot be set from the command line; write it in a scenario file");
    }
    let obj: Record<string, unknown> | unknown[] = raw;
    for (let i = 0; i < path.length - 1; i++) {
      const seg = path[i]!;
      const next = path[i + 1]!;
      const here = path.slice(0, i + 1);
      let child = (obj as Record<string | number, unknown>)[seg];
      if (typeof next === "number") {
        if (!Array.isArray(child) || next >= child.length) {
          throw new ScenarioError(SITE, COMMAND_LINE, formatPath(path), `${formatPath(here)} has no element ${next}; --set changes existing list elements only, add new ones in the scenario file`);
        }
      } else if ((child === undefined || child === null) && !MAP_FIELDS.has(shapeKeyOf(here)) && (VALID_FIELDS[shapeKeyOf(here.slice(0, -1))] ?? []).includes(String(seg))) {
        throw new ScenarioError(SITE, COMMAND_LINE, formatPath(path), `${formatPath(here)} is a value, not a map, so it has no field "${next}"`);
      } else if (child === undefined || child === null) {
        child = {};
        (obj as Record<string | number, unknown>)[seg] = child;
      } else if (typeof child !== "object" || Array.isArray(child)) {
        throw new ScenarioError(SITE, COMMAND_LINE, formatPath(path), `${formatPath(here)} is ${describeValue(child)}, not a map, so it has no field "${next}"`);
      }
      obj = child as Record<string, unknown> | unknown[];
    }
    const last = path[path.length - 1]!;
    if (typeof last === "number" && (!Array.isArray(obj) || last >= obj.length)) {
      throw new ScenarioError(SITE, COMMAND_LINE, formatPath(path), `${formatPath(path.slice(0, -1))} has no element ${last}; --set changes existing list elements only`);
    }
    (obj as Record<string | number, unknown>)[last] = value;
    origins.overridden.push(path);
  }
}

// ---------------------------------------------------------------------------------------------
// Loading
// ---------------------------------------------------------------------------------------------

/** The first zod issue (see the order below), as a ScenarioError. */
function firstIssue(issues: readonly z.core.$ZodIssue[], base: Path, raw: unknown, origins: Origins): ScenarioError {
  const located = issues.map((iss, i) => {
    let path: Path = [...base, ...(iss.path as (string | number)[])];
    let problem: string;
    if (iss.code === "unrecognized_keys") {
      const key = iss.keys[0]!;
      const valid = VALID_FIELDS[shapeKeyOf(path)] ?? validStepFields(path);
      const where = path.length === 0 ? "at the top level" : `of ${formatPath(path)}`;
      path = [...path, key];
      problem = unknownFieldProblem(key, valid, `fields ${where}`);
    } else if (iss.code === "invalid_type") {
      const input = valueAt(raw, iss.path as Path);
      const expected = iss.expected === "object" ? "a map of fields" : iss.expected === "array" ? "a list" : `a ${iss.expected}`;
      problem = input === undefined ? `${MISSING}: ${expected}` : `expected ${expected}, got ${describeValue(input)}`;
    } else {
      problem = iss.message;
    }
    const cmd = origins.fromCommandLine(path);
    return { path, problem, cmd, unknown: iss.code === "unrecognized_keys", line: origins.lineOf(path) ?? 0, i };
  });
  // Command-line values first, then unknown fields (a misspelt field is also a missing one),
  // then in file order.
  located.sort((a, b) => Number(b.cmd) - Number(a.cmd) || Number(b.unknown) - Number(a.unknown) || a.line - b.line || a.i - b.i);
  return origins.error(located[0]!.path, located[0]!.problem);
}

function validStepFields(path: Path): readonly string[] {
  const kind = path[path.length - 1];
  const s = STEP_SCHEMAS[kind as StepKind];
  return s && "shape" in s ? Object.keys(s.shape) : [];
}

function valueAt(raw: unknown, path: Path): unknown {
  let v = raw;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

type ZodOut<K extends StepKind> = z.output<(typeof STEP_SCHEMAS)[K]>;

/** Steps with where they came from, for the cross-field pass. */
interface Located {
  readonly step: WorkloadStep;
  readonly path: Path;
}

function resolveSteps(raw: unknown[], base: Path, origins: Origins, out: Located[]): WorkloadStep[] {
  const steps: WorkloadStep[] = [];
  raw.forEach((item, i) => {
    const path = [...base, i];
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      throw origins.error(path, `expected a step: a map with one key (${STEP_KINDS.join(", ")}), e.g. "- show: /proc/buddyinfo"; got ${describeValue(item)}`);
    }
    const keys = Object.keys(item);
    const unknown = keys.find((k) => !(STEP_KINDS as string[]).includes(k));
    if (unknown !== undefined) {
      throw origins.error([...path, unknown], unknownFieldProblem(unknown, STEP_KINDS, "step kinds").replace("unknown field", "unknown step"));
    }
    if (keys.length !== 1) {
      throw origins.error(path, keys.length === 0 ? `empty step; write one of ${STEP_KINDS.join(", ")}` : `a step has one kind, this one has ${keys.join(" and ")}: write them as separate steps ("- ${keys[0]}: …" then "- ${keys[1]}: …")`);
    }
    const kind = keys[0] as StepKind;
    const bodyRaw = (item as Record<string, unknown>)[kind];
    const r = STEP_SCHEMAS[kind].safeParse(bodyRaw);
    if (!r.success) throw firstIssue(r.error.issues, [...path, kind], bodyRaw, origins);
    const line = origins.lineOf(path);
    const step = makeStep(kind, r.data, line, [...path, kind], origins, out);
    steps.push(step);
  });
  return steps;
}

function makeStep(kind: StepKind, data: unknown, line: number | undefined, path: Path, origins: Origins, out: Located[]): WorkloadStep {
  let step: WorkloadStep;
  switch (kind) {
    case "show":
      step = { kind, line, path: data as ZodOut<"show"> };
      break;
    case "label":
      step = { kind, line, name: data as ZodOut<"label"> };
      break;
    case "alloc": {
      const d = data as ZodOut<"alloc">;
      step = { kind, line, name: d.name, order: d.order, gfp: d.gfp.value, gfpText: d.gfp.text, cpu: d.cpu, count: d.count, nid: d.nid };
      break;
    }
    case "free": {
      const d = data as ZodOut<"free">;
      step = { kind, line, name: d.name, count: d.count, cpu: d.cpu };
      break;
    }
    case "sysctl": {
      const d = data as ZodOut<"sysctl">;
      const v = sysctlValue(d.name, d.value);
      if (typeof v === "string") throw origins.error([...path, "value"], d.value === undefined ? `${MISSING}: ${v}` : v);
      step = { kind, line, name: d.name, value: v.ok };
      break;
    }
    case "expect": {
      const d = data as ZodOut<"expect">;
      step = { kind, line, path: d.path, field: d.field, op: d.op, value: d.value };
      break;
    }
    case "slab_churn": {
      const d = data as ZodOut<"slab_churn">;
      if ((d.cache === undefined) === (d.sizes === undefined)) throw origins.error(path, "give either cache or sizes (kmalloc sizes the seeded RNG picks from)");
      step = { kind, line, cache: d.cache, sizes: d.sizes ?? [], as: d.as, pattern: d.pattern, ops: d.ops, live: d.live, cpus: d.cpus, gfp: d.gfp.value, gfpText: d.gfp.text };
      break;
    }
    case "sleep":
      step = { kind, line, ms: data as ZodOut<"sleep"> };
      break;
    case "write": {
      const d = data as ZodOut<"write">;
      step = { kind, line, path: d.path, value: d.value };
      break;
    }
    case "kmem_cache_create": {
      const d = data as ZodOut<"kmem_cache_create">;
      const known = KERNEL_CACHES[d.name];
      if (!known && d.size === undefined) throw origins.error([...path, "size"], `${MISSING}: "${d.name}" is not a kernel cache mmsim knows (${Object.keys(KERNEL_CACHES).join(", ")}); give its size`);
      step = { kind, line, name: d.name, size: d.size ?? known!.size, align: d.align ?? known?.align ?? 8, flags: d.flags ?? known?.flags ?? 0, usercopy: known?.usercopy ?? false, ctor: known?.ctor ?? false };
      break;
    }
    case "kmem_cache_alloc": {
      const d = data as ZodOut<"kmem_cache_alloc">;
      step = { kind, line, cache: d.cache, as: d.as, count: d.count, cpu: d.cpu, gfp: d.gfp.value, gfpText: d.gfp.text };
      break;
    }
    case "kmalloc": {
      const d = data as ZodOut<"kmalloc">;
      if ((d.size === undefined) === (d.sizes === undefined)) throw origins.error(path, "give either size or sizes (a list the seeded RNG picks from)");
      step = { kind, line, sizes: d.sizes ?? [d.size!], as: d.as, count: d.count, cpu: d.cpu, gfp: d.gfp.value, gfpText: d.gfp.text };
      break;
    }
    case "vmalloc": {
      const d = data as ZodOut<"vmalloc">;
      step = { kind, line, as: d.as, size: d.size, count: d.count, cpu: d.cpu, zero: d.zero, caller: d.caller ?? `${d.as}+0x0/0x0` };
      break;
    }
    case "kvmalloc": {
      const d = data as ZodOut<"kvmalloc">;
      step = { kind, line, as: d.as, size: d.size, count: d.count, cpu: d.cpu, gfp: d.gfp.value, gfpText: d.gfp.text, caller: d.caller ?? `${d.as}+0x0/0x0` };
      break;
    }
    case "mmap": {
      const d = data as ZodOut<"mmap">;
      step = { kind, line, as: d.as, size: d.size, cpu: d.cpu };
      break;
    }
    case "access": {
      const d = data as ZodOut<"access">;
      step = { kind, line, as: d.as, cpu: d.cpu, write: d.write, times: d.times };
      break;
    }
    case "munmap": {
      const d = data as ZodOut<"munmap">;
      step = { kind, line, as: d.as, cpu: d.cpu };
      break;
    }
    case "vfree":
    case "kvfree": {
      const d = data as ZodOut<"kvfree">;
      step = { kind: "vm_free", line, as: d.as, count: d.count, cpu: d.cpu, order: d.order, via: kind };
      break;
    }
    case "kmem_cache_free":
    case "kfree": {
      const d = data as ZodOut<"kfree">;
      step = { kind: "slab_free", line, as: d.as, count: d.count, cpu: d.cpu, order: d.order };
      break;
    }
    case "repeat": {
      const d = data as ZodOut<"repeat">;
      // The body's steps are recorded first, in file order; the cross-field pass skips repeats.
      step = { kind, line, times: d.times, steps: resolveSteps(d.steps, [...path, "steps"], origins, out) };
      break;
    }
  }
  out.push({ step, path });
  return step;
}

/** Cross-field rules, checked after overrides. */
function crossCheck(m: MachineSpec, located: readonly Located[], origins: Origins): void {
  const ramEnd = VIRT_RAM_BASE + m.memory;
  m.reserved.forEach((r, i) => {
    if (r.size === 0) throw origins.error(["machine", "reserved", i, "size"], "a reserved region needs a size > 0");
    if (r.start < VIRT_RAM_BASE || r.start + r.size > ramEnd) {
      throw origins.error(
        ["machine", "reserved", i],
        `region "${r.name}" [${hex(r.start, 0)}, ${hex(r.start + r.size, 0)}) is not inside RAM [${hex(VIRT_RAM_BASE, 0)}, ${hex(ramEnd, 0)}) (machine.memory is ${formatSize(m.memory)}${origins.note(["machine", "memory"])}); move it inside RAM or raise machine.memory`,
      );
    }
  });
  const cpusNote = origins.note(["machine", "cpus"]);
  /** A step's CPU must exist. */
  const checkCpu = (cpu: number, at: Path): void => {
    if (cpu >= m.cpus) throw origins.error(at, `cpu ${cpu} does not exist: machine.cpus is ${m.cpus}${cpusNote}; use a cpu from 0 to ${m.cpus - 1}`);
  };
  const nodesNote = origins.note(["machine", "nodes"]);
  const allocsBefore = new Map<string, number | undefined>();
  const allAllocs = new Map<string, number | undefined>();
  for (const { step } of located) if (step.kind === "alloc" && !allAllocs.has(step.name)) allAllocs.set(step.name, step.line);
  const labels = new Map<string, number | undefined>();
  const slabNames = new Set<string>();
  const vmNames = new Map<string, "vmalloc" | "kvmalloc">();
  const mmapNames = new Set<string>();
  const cacheNames = new Set<string>();
  for (const { step, path } of located) {
    switch (step.kind) {
      case "kmem_cache_create":
        cacheNames.add(step.name);
        break;
      case "slab_churn":
        for (const [i, c] of step.cpus.entries()) {
          checkCpu(c, [...path, "cpus", i]);
        }
        if (step.cache !== undefined && !cacheNames.has(step.cache) && !/^(dma-)?kmalloc-/.test(step.cache)) {
          throw origins.error([...path, "cache"], `no cache "${step.cache}" is created before this step; add a kmem_cache_create step, or use sizes`);
        }
        slabNames.add(step.as);
        break;
      case "kmem_cache_alloc":
      case "kmalloc":
        checkCpu(step.cpu, [...path, "cpu"]);
        if (step.kind === "kmem_cache_alloc" && !cacheNames.has(step.cache) && !/^(dma-)?kmalloc-/.test(step.cache)) {
          throw origins.error([...path, "cache"], `no cache "${step.cache}" is created before this step; add a kmem_cache_create step, or use a kmalloc cache`);
        }
        slabNames.add(step.as);
        break;
      case "slab_free":
        checkCpu(step.cpu, [...path, "cpu"]);
        if (!slabNames.has(step.as)) throw origins.error([...path, "as"], `"${step.as}" names no earlier kmem_cache_alloc or kmalloc`);
        break;
      case "alloc":
      case "free":
        checkCpu(step.cpu, [...path, "cpu"]);
        if (step.kind === "alloc") {
          if (step.nid !== NUMA_NO_NODE && step.nid >= m.nodes) {
            throw origins.error([...path, "nid"], `node ${step.nid} does not exist: machine.nodes is ${m.nodes}${nodesNote}; use -1 (any node) or a node from 0 to ${m.nodes - 1}`);
          }
          if (!allocsBefore.has(step.name)) allocsBefore.set(step.name, step.line);
        } else if (!allocsBefore.has(step.name)) {
          const later = allAllocs.get(step.name);
          const known = [...allocsBefore].map(([n, l]) => (l !== undefined ? `${n} (line ${l})` : n));
          throw origins.error(
            [...path, "name"],
            allAllocs.has(step.name)
              ? `free of "${step.name}" comes before its alloc${later !== undefined ? ` at line ${later}` : ""}; move the free after the alloc`
              : `free of "${step.name}" names no earlier alloc; allocs before it: ${known.length > 0 ? known.join(", ") : "none"}`,
          );
        }
        break;
      case "vmalloc":
      case "kvmalloc":
        checkCpu(step.cpu, [...path, "cpu"]);
        vmNames.set(step.as, step.kind);
        break;
      case "access":
        checkCpu(step.cpu, [...path, "cpu"]);
        if (!mmapNames.has(step.as) && !vmNames.has(step.as) && !slabNames.has(step.as)) {
          throw origins.error([...path, "as"], `"${step.as}" names no buffer allocated before this step (kmalloc, vmalloc, kvmalloc or mmap)`);
        }
        break;
      case "mmap":
      case "munmap":
        checkCpu(step.cpu, [...path, "cpu"]);
        if (step.kind === "mmap") {
          if (mmapNames.has(step.as)) throw origins.error([...path, "as"], `"${step.as}" is already mapped by an earlier mmap; munmap it first or use another name`);
          mmapNames.add(step.as);
        } else if (!mmapNames.delete(step.as)) {
          throw origins.error([...path, "as"], `"${step.as}" names no earlier mmap still mapped`);
        }
        break;
      case "vm_free": {
        checkCpu(step.cpu, [...path, "cpu"]);
        const by = vmNames.get(step.as);
        const want = step.via === "vfree" ? "vmalloc" : "kvmalloc";
        if (by === undefined) throw origins.error([...path, "as"], `"${step.as}" names no earlier ${want}`);
        if (by !== want) throw origins.error([...path, "as"], `"${step.as}" was allocated by ${by}; free it with ${by === "vmalloc" ? "vfree" : "kvfree"}`);
        break;
      }
      case "label": {
        if (labels.has(step.name)) {
          const first = labels.get(step.name);
          throw origins.error(path, `label "${step.name}" is already used${first !== undefined ? ` at line ${first}` : ""}; labels must be unique`);
        }
        labels.set(step.name, step.line);
        break;
      }
      default:
        break;
    }
  }
}

/**
 * Parses, overrides and validates a scenario; every default filled in.
 * @param text the file's text (YAML or JSON)
 * @param file where it came from, for error messages (and ResolvedScenario.file)
 * @throws ScenarioError naming file:line and the field, with what to write instead
 */
export function loadScenario(text: string, file: string, overrides: ScenarioOverrides = {}, options: LoadScenarioOptions = {}): ResolvedScenario {
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  const origins = new Origins(file, doc, lc);
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lc.linePos(syntax.pos[0]).line;
    throw new ScenarioError(SITE, file, "(syntax)", `${syntax.message.replace(/\s+at line \d+, column \d+[\s\S]*$/, "")}; the file must be YAML or JSON`, line);
  }
  let raw: unknown = doc.toJS({ maxAliasCount: 1000 });
  if (raw === null || raw === undefined) raw = {};
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ScenarioError(SITE, file, "(top level)", `expected a map of fields (seed, machine, kernel, workload), got ${describeValue(raw)}`, origins.lineOf([]));
  }
  const top = raw as Record<string, unknown>;
  if (options.ignoreWorkload) delete top.workload;
  applyOverrides(top, overrides, origins);

  const parsed = scenarioSchema.safeParse(top);
  if (!parsed.success) throw firstIssue(parsed.error.issues, [], top, origins);
  const d = parsed.data;

  const machine: MachineSpec = {
    board: d.machine.board,
    memory: d.machine.memory,
    cpus: d.machine.cpus,
    nodes: d.machine.nodes,
    cmdline: d.machine.cmdline,
    reserved: d.machine.reserved,
  };
  const kernel: KernelSpec = {
    sysctl: d.kernel.sysctl,
    config: {
      deferredStructPageInit: d.kernel.config.deferred_struct_page_init,
      transparentHugepage: d.kernel.config.transparent_hugepage,
      initOnAlloc: d.kernel.config.init_on_alloc,
      cmaMbytes: d.kernel.config.cma_mbytes,
      vaBits: d.kernel.config.va_bits,
      kfence: d.kernel.config.kfence,
    },
    policies: d.kernel.policies,
    costs: d.kernel.costs,
  };
  const located: Located[] = [];
  const workload = resolveSteps(d.workload, ["workload"], origins, located);
  crossCheck(machine, located, origins);
  return { file, seed: d.seed, machine, kernel, workload };
}

/**
 * Reads and loads a scenario file.
 * @throws ScenarioError when the file cannot be read or is not a valid scenario
 */
export function loadScenarioFile(path: string, overrides: ScenarioOverrides = {}, options: LoadScenarioOptions = {}): ResolvedScenario {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError(SITE, path, "(file)", code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, not a scenario file" : `cannot be read (${code ?? String(e)})`);
  }
  return loadScenario(text, path, overrides, options);
}
