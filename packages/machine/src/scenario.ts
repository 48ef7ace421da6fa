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
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  type AnyStepDef, DEFAULT_COSTS, MAX_CPUS, MAX_NODES, MISSING, PAGE_SIZE, SZ_1G, SZ_64M, ScenarioError, type StepBase, type StepCheckContext,
  type StepLoadContext, ConfigError, INT_MAX, bool, checked, describeValue, formatSize, hex, int, parseSize, sizeField as size, str, unknownFieldProblem, z,
} from "@mmsim/core";
import { type Document, isAlias, isMap, isNode, isScalar, isSeq, LineCounter, parse as parseYaml, parseDocument, visit } from "yaml";
import { QEMU_VIRT_ARM64, VIRT_RAM_BASE, VIRT_RAM_MAX } from "./platform/qemu-virt-arm64.ts";
import { ModuleCatalog } from "./catalog.ts";
import type { KernelRegistry } from "./registry.ts";
import type { DiskDeclaration, KernelSpec, MachineSpec, ResolvedScenario, WorkloadStep } from "./scenario-types.ts";
import { Ext2Fs, parseDiskSpec } from "@mmsim/block";
import { DEFAULT_DISK_MOUNT } from "@mmsim/filemap";

export { formatSize, gfpFlagNames, parseGfp, parseSize } from "@mmsim/core";

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
  /**
   * The modules whose steps and sysctls the scenario may use (default: ModuleCatalog.default();
   * a catalog into which user modules were loaded, see loadScenarioFileAsync).
   */
  readonly catalog?: ModuleCatalog;
  /** The user's working directory, for module files given on the command line (default process.cwd()). */
  readonly cwd?: string;
}

/**
 * The reference capture's command line, trailing space included: QEMU's `-append` string ends
 * with one, and the kernel prints it in `Kernel command line: ` and /proc/cmdline as given.
 */
export const REFERENCE_CMDLINE = "console=ttyAMA0 nokaslr ";

/**
 * Largest scenario file mmsim reads: 4 MiB. The examples are a few KB; a long workload is a
 * `repeat`, not a long file. Beyond it the file is refused before it is parsed (`mmsim run
 * /dev/zero` must not read forever).
 */
export const MAX_SCENARIO_BYTES = 4 * 1024 * 1024;

/** YAML expands at most this many aliases (a "billion laughs" file is refused). */
export const MAX_YAML_ALIASES = 1000;

/** Deepest nesting of flow collections ([…], {…}) the loader parses: deeper ones exhaust the parser's stack. */
export const MAX_FLOW_DEPTH = 256;

/**
 * The 1-based line where flow collections nest deeper than MAX_FLOW_DEPTH, or undefined. A quick
 * scan before parsing (quoted strings and comments skipped): the YAML parser recurses once per
 * level, and tens of thousands of levels crash V8 itself, not with an exception.
 */
function flowTooDeep(text: string): number | undefined {
  let depth = 0;
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) line++;
    else if (c === 91 || c === 123) {
      if (++depth > MAX_FLOW_DEPTH) return line;
    } else if (c === 93 || c === 125) depth = Math.max(0, depth - 1);
    else if (c === 34 || c === 39) {
      // a quoted string: to its closing quote (a backslash escapes inside "…"), not past the line's end for '…'
      for (i++; i < text.length; i++) {
        const d = text.charCodeAt(i);
        if (c === 34 && d === 92) i++;
        else if (d === c) break;
        else if (d === 10) line++;
      }
    } else if (c === 35 && (i === 0 || text.charCodeAt(i - 1) <= 32)) {
      while (i + 1 < text.length && text.charCodeAt(i + 1) !== 10) i++;
    }
  }
  return undefined;
}

/** Keys that would reach an object's prototype: refused wherever a scenario names a field. */
const UNSAFE_KEYS: ReadonlySet<string> = new Set(["__proto__", "constructor", "prototype"]);

/** The YAML tags a scenario may carry (the core schema's own, and `<<` merge keys): data, nothing else. */
const SCENARIO_TAGS: ReadonlySet<string> = new Set(
  ["str", "int", "float", "bool", "null", "map", "seq", "merge"].map((t) => `tag:yaml.org,2002:${t}`),
);

/** Smallest RAM mmsim boots. */
export const MIN_MEMORY = SZ_64M;
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
  { path: "machine.cmdline", type: "string", def: JSON.stringify(REFERENCE_CMDLINE), what: "kernel command line, as /proc/cmdline shows it; parameters mmsim implements: slub_debug[=<flags FZPUTAO->[,<slab>…][;…]], slub_min_order=, slub_max_order=, slub_min_objects=, memblock=debug, stack_depot_disable=, mem=, rodata=, kfence.sample_interval=" },
  { path: "machine.reserved", type: "list", def: "[]", what: "extra memblock reservations: { start, size, name }, inside RAM" },
  { path: "machine.disk", type: "map", def: "(no disk)", what: "a virtio disk vda (254:0) holding an ext2 image of the files, mounted at mount: { size: 64M, mount: /mnt/disk, files: [{ path: /data/f, size: 1M, contents: zero | random | { fill: 0x2a } | { text: name, compressibility: 0.5 } }] }" },
  { path: "kernel.sysctl.<name>", type: "integer", def: "(kernel's)", what: "" },
  { path: "kernel.config.deferred_struct_page_init", type: "boolean", def: "true", what: "CONFIG_DEFERRED_STRUCT_PAGE_INIT" },
  { path: "kernel.config.transparent_hugepage", type: "boolean", def: "true", what: "CONFIG_TRANSPARENT_HUGEPAGE (raises min_free_kbytes)" },
  { path: "kernel.config.init_on_alloc", type: "boolean", def: "true", what: "CONFIG_INIT_ON_ALLOC_DEFAULT_ON (pages cleared on allocation)" },
  { path: "kernel.config.cma_mbytes", type: "integer ≥ 0", def: "64", what: "CONFIG_CMA_SIZE_MBYTES; 0 = no default CMA area" },
  { path: "kernel.config.va_bits", type: "39 | 48", def: "48", what: "CONFIG_ARM64_VA_BITS (4 KiB pages): 3 or 4 levels of tables, the kernel layout" },
  { path: "kernel.config.kfence", type: "boolean", def: "false", what: "CONFIG_KFENCE (not set in the reference config): a 2 MiB pool from memblock, mapped with pages (all pages if kfence.sample_interval=0); the linear map is pages because of rodata_full — rodata=on or rodata=off in machine.cmdline gives block mappings" },
  { path: "kernel.policies.<slot>", type: "name", def: "(one per slot)", what: "implementation of a pluggable slot, e.g. slab: slub" },
  { path: "kernel.modules", type: "list", def: "[]", what: "extra modules to load (insmod): catalog names or module files (./my-module.mjs)" },
  { path: "kernel.costs.<name>", type: "ns ≥ 0", def: "(cost model)", what: `cost-model override: ${Object.keys(DEFAULT_COSTS).join(", ")}` },
];

/**
 * A short text of every scenario field with its type and default, for `mmsim run --help`.
 */
export function describeScenarioSchema(catalog: ModuleCatalog = ModuleCatalog.default()): string {
  const registry = catalog.registry();
  const sysctls = [...registry.sysctls.values()].map((x) => (x.type === "integer" ? x.procname : `${x.procname} (${x.type})`));
  const docs = FIELD_DOCS.map((f) => (f.path === "kernel.sysctl.<name>" ? { ...f, what: `vm sysctl written after boot: ${sysctls.join(", ")}` } : f));
  const w = Math.max(...docs.map((f) => f.path.length));
  const tw = Math.max(...docs.map((f) => f.type.length));
  const dw = Math.max(...docs.map((f) => f.def.length));
  const lines = [
    "Scenario file (YAML or JSON; snake_case fields; every field optional). Sizes are bytes or",
    "4K, 64M, 1G, 1.5G (binary units). Any field can be overridden with --set path=value.",
    "",
    `  ${"field".padEnd(w)}  ${"type".padEnd(tw)}  ${"default".padEnd(dw)}  what`,
    ...docs.map((f) => `  ${f.path.padEnd(w)}  ${f.type.padEnd(tw)}  ${f.def.padEnd(dw)}  ${f.what}`),
    "",
    "workload: a list of steps (default none), each a map with one key:",
    ...registry.stepDocs().map((s) => `  ${s}`),
  ];
  return lines.join("\n") + "\n";
}

// ---------------------------------------------------------------------------------------------
// Value schemas (zod 4; the shared ones are core's): each one says what to write instead
// ---------------------------------------------------------------------------------------------

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

/** The sysctl names a scenario of the default catalog may write. */
export const SCENARIO_SYSCTLS: readonly string[] = Object.freeze([...ModuleCatalog.default().registry().sysctls.keys()]);

const reservedRegion = z.strictObject({ start: size, size, name: str("a name for the region") });

const machineSchema = z.strictObject({
  board: checked<"qemu-virt-arm64">((v) => (v === QEMU_VIRT_ARM64 ? { ok: QEMU_VIRT_ARM64 } : `unknown board ${describeValue(v)}; the only board is ${QEMU_VIRT_ARM64}`)).default(QEMU_VIRT_ARM64),
  memory: memory.default(SZ_1G),
  cpus: int(1, MAX_CPUS, "a CPU count").default(2),
  nodes: int(1, MAX_NODES, "a node count").default(1),
  cmdline: checked<string>((v) => (typeof v === "string" ? { ok: v } : `expected a string, got ${describeValue(v)}`)).default(REFERENCE_CMDLINE),
  reserved: z.array(reservedRegion).default([]),
  // checked after the schema (resolveDisk): its errors name the sub-field and its line
  disk: z.unknown().optional(),
});

const configSchema = z.strictObject({
  deferred_struct_page_init: bool.default(true),
  transparent_hugepage: bool.default(true),
  init_on_alloc: bool.default(true),
  cma_mbytes: int(0, INT_MAX, "megabytes").default(64),
  kfence: bool.default(false),
  va_bits: checked<number>((v) => (v === 39 || v === 48 ? { ok: v } : `CONFIG_ARM64_VA_BITS with 4 KiB pages is 39 (3 levels of tables) or 48 (4 levels, the reference); got ${describeValue(v)}`)).default(48),
});

function kernelSchemaOf(registry: KernelRegistry) {
  const names = [...registry.sysctls.keys()];
  return z.strictObject({
  sysctl: mapOf(names, "sysctls", (name, v) => registry.sysctls.get(name)!.parse(v)).default({}),
  config: configSchema.prefault({}),
  policies: mapOf(undefined, "", (_k, v) => (typeof v === "string" && v !== "" ? { ok: v } : `expected an implementation name (e.g. slub), got ${describeValue(v)}`)).default({}),
  costs: mapOf(Object.keys(DEFAULT_COSTS), "costs", (_k, v) =>
    typeof v === "number" && Number.isFinite(v) && v >= 0 ? { ok: v } : `expected nanoseconds ≥ 0, got ${describeValue(v)}`,
  ).default({}),
  modules: checked<string[]>((v) =>
    Array.isArray(v) && v.every((x) => typeof x === "string" && x !== "") ? { ok: v as string[] } : `expected a list of module names or files (e.g. [./my-module.mjs]), got ${describeValue(v)}`,
  ).default([]),
  });
}

function scenarioSchemaOf(registry: KernelRegistry) {
  return z.strictObject({
    seed: int(0, Number.MAX_SAFE_INTEGER, "a seed").default(1),
    machine: machineSchema.prefault({}),
    kernel: kernelSchemaOf(registry).prefault({}),
    workload: z.array(z.unknown()).default([]),
  });
}

/** The field names of the kernel map (fixed; only the sysctl names depend on the modules). */
const KERNEL_FIELDS = ["sysctl", "config", "policies", "costs", "modules"];

/** Valid fields of each strict object, by the path of the object (numbers as "[]"). */
const VALID_FIELDS: Readonly<Record<string, readonly string[]>> = {
  "": ["seed", "machine", "kernel", "workload"],
  machine: Object.keys(machineSchema.shape),
  "machine.reserved[]": Object.keys(reservedRegion.shape),
  kernel: KERNEL_FIELDS,
  "kernel.config": Object.keys(configSchema.shape),
};

/** Paths whose value is a map (so `--set` may create them). */
const MAP_FIELDS: ReadonlySet<string> = new Set([...Object.keys(VALID_FIELDS), "kernel.sysctl", "kernel.policies", "kernel.costs"]);

/** `["machine", "reserved", 0]` → `machine.reserved[]`: the key of VALID_FIELDS. */
function shapeKeyOf(path: Path): string {
  return path.map((s) => (typeof s === "number" ? "[]" : s)).join(".").replace(/\.\[\]/g, "[]");
}

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
    // An integer a JS number would round (0x20000000000001) stays text, so its message shows it as given.
    if (typeof v === "number" && Number.isInteger(v) && !Number.isSafeInteger(v)) return text;
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
    const unsafe = path?.find((seg) => typeof seg === "string" && UNSAFE_KEYS.has(seg));
    if (unsafe !== undefined) {
      throw new ScenarioError(SITE, COMMAND_LINE, text, `"${unsafe}" is not a field of a scenario (a scenario is data: no path may reach an object's prototype); name a field as in the file, e.g. machine.memory`);
    }
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
function firstIssue(issues: readonly z.core.$ZodIssue[], base: Path, raw: unknown, origins: Origins, registry?: KernelRegistry): ScenarioError {
  const located = issues.map((iss, i) => {
    let path: Path = [...base, ...(iss.path as (string | number)[])];
    let problem: string;
    if (iss.code === "unrecognized_keys") {
      const key = iss.keys[0]!;
      const valid = VALID_FIELDS[shapeKeyOf(path)] ?? validStepFields(path, registry);
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

function validStepFields(path: Path, registry?: KernelRegistry): readonly string[] {
  const kind = path[path.length - 1];
  const s = registry?.steps.get(String(kind))?.schema as unknown;
  return s && typeof s === "object" && "shape" in s ? Object.keys((s as { shape: object }).shape) : [];
}

function valueAt(raw: unknown, path: Path): unknown {
  let v = raw;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

/** Steps with where they came from, for the cross-field pass. */
interface Located {
  readonly step: StepBase;
  readonly path: Path;
}

/** Resolves a list of raw steps through the registry's definitions (schema, then make). */
function resolveSteps(raw: readonly unknown[], base: Path, origins: Origins, registry: KernelRegistry, out: Located[]): StepBase[] {
  const kinds = registry.stepKinds();
  const steps: StepBase[] = [];
  raw.forEach((item, i) => {
    const path = [...base, i];
    if (item === null || typeof item !== "object" || Array.isArray(item)) {
      throw origins.error(path, `expected a step: a map with one key (${kinds.join(", ")}), e.g. "- show: /proc/buddyinfo"; got ${describeValue(item)}`);
    }
    const keys = Object.keys(item);
    const unknown = keys.find((k) => !registry.steps.has(k));
    if (unknown !== undefined) {
      throw origins.error([...path, unknown], unknownFieldProblem(unknown, kinds, "step kinds").replace("unknown field", "unknown step"));
    }
    if (keys.length !== 1) {
      throw origins.error(path, keys.length === 0 ? `empty step; write one of ${kinds.join(", ")}` : `a step has one kind, this one has ${keys.join(" and ")}: write them as separate steps ("- ${keys[0]}: …" then "- ${keys[1]}: …")`);
    }
    const kind = keys[0]!;
    const def: AnyStepDef = registry.steps.get(kind)!;
    const bodyRaw = (item as Record<string, unknown>)[kind];
    const r = def.schema.safeParse(bodyRaw);
    if (!r.success) throw firstIssue(r.error.issues, [...path, kind], bodyRaw, origins, registry);
    const stepPath = [...path, kind];
    const ctx: StepLoadContext = {
      line: origins.lineOf(path),
      error: (sub, problem) => origins.error([...stepPath, ...sub], problem),
      steps: (rawSteps, sub) => resolveSteps(rawSteps, [...stepPath, ...sub], origins, registry, out),
    };
    const step = def.make(r.data, ctx) as StepBase;
    out.push({ step, path: stepPath });
    steps.push(step);
  });
  return steps;
}

/**
 * Most steps a workload may execute, repeats expanded: 10,000,000. Each executed step costs host
 * time whatever it does (the step itself, the kernel threads due after it, the observer): about
 * 1–10 µs for the lightest, so the limit is a run of seconds to a couple of minutes; nested
 * repeats whose product is 10^8 or 10^12 would run for hours or years.
 */
export const MAX_EXECUTED_STEPS = 10_000_000;

/**
 * Most host operations a workload may perform: 50,000,000 pages, objects or steps (each step's
 * `cost`, repeats multiplied out). A failing page allocation costs about 3 µs of host time (the
 * slow path and its retries), a successful one less: the limit is a few minutes at worst.
 * `count: 2147483647` (2^31 allocations, hours) is refused; 60 GiB of mmap (15.7M pages) is not.
 */
export const MAX_WORKLOAD_OPS = 50_000_000;

/** Steps that make (or resize) a buffer of `size` bytes under their `as`, for checkHostCost. */
const BUFFER_STEPS: ReadonlySet<string> = new Set(["mmap", "mremap", "vmalloc", "kvmalloc", "malloc"]);

/** Bigger than any number a message should print whole. */
const HUGE = 1e15;

/**
 * Refuses a workload whose repeats multiply to more than MAX_EXECUTED_STEPS executed steps, or
 * whose steps' host operations add up to more than MAX_WORKLOAD_OPS, naming the step or the
 * innermost repeat that crosses the limit and the product.
 * @returns [executed steps, host operations] of `steps` executed once
 */
function checkHostCost(steps: readonly StepBase[], path: Path, outer: number, origins: Origins, registry: KernelRegistry, buffers = new Map<string, number>()): [number, number] {
  let n = 0;
  let ops = 0;
  const big = (x: number) => (x > HUGE ? "more than 10^15" : String(x));
  steps.forEach((st, i) => {
    const here = [...path, i, st.kind];
    if (st.kind !== "repeat") {
      n += 1;
      // A step over a named buffer without a size of its own (access: the whole buffer) costs as
      // much as the buffer is large: the size of the last step that made a buffer of that name.
      const named = st as StepBase & { as?: unknown; size?: unknown; count?: unknown };
      let sized: StepBase = st;
      if (typeof named.as === "string") {
        if (BUFFER_STEPS.has(st.kind) && typeof named.size === "number") buffers.set(named.as, named.size * (typeof named.count === "number" && named.count > 1 ? named.count : 1));
        else if (named.size === undefined && buffers.has(named.as)) sized = { ...st, size: buffers.get(named.as) } as StepBase;
        if ((st.kind === "munmap" && named.size === undefined) || st.kind === "malloc_free" || st.kind === "vfree") buffers.delete(named.as);
      }
      let cost = Math.max(1, registry.steps.get(st.kind)?.cost?.(sized) ?? 1);
      // fork (and spawn, a fork first) copies the parent's page tables and the child's exit zaps
      // them: about 0.3 µs a page, counted as the pages of the buffers made so far, as if populated.
      if (st.kind === "fork" || st.kind === "spawn") for (const bytes of buffers.values()) cost += Math.ceil(bytes / 4096);
      ops += cost;
      // A step of cost 1 is bounded by the steps' limit below, which is the lower one.
      if (cost > 1 && outer * ops > MAX_WORKLOAD_OPS) {
        throw origins.error(here, `the workload would perform ${big(outer * ops)} page, object or step operations (counts and sizes, repeats multiplied out), more than ${MAX_WORKLOAD_OPS} (minutes of host time at about 3 µs each); lower the count or size${outer > 1 ? ", or the repeat's times" : ""}`);
      }
      // The program of a task the step starts (fork, spawn) runs once each time the step runs.
      const program = (st as { steps?: unknown }).steps;
      if (Array.isArray(program)) {
        const [childSteps, childOps] = checkHostCost(program as StepBase[], [...here, "steps"], outer, origins, registry, buffers);
        n += childSteps;
        ops += childOps;
        if (outer * n > MAX_EXECUTED_STEPS) throw origins.error(here, `the workload would execute ${big(outer * n)} steps (repeats and the programs of the tasks it starts multiplied out), more than ${MAX_EXECUTED_STEPS}; lower a repeat's times`);
      }
      return;
    }
    const r = st as StepBase & { times: number; steps: readonly StepBase[] };
    const [bodySteps, bodyOps] = checkHostCost(r.steps, [...here, "steps"], outer * r.times, origins, registry, buffers);
    n += r.times * bodySteps;
    ops += r.times * bodyOps;
    if (outer * n > MAX_EXECUTED_STEPS) {
      throw origins.error([...here, "times"], `the workload would execute ${big(outer * n)} steps (repeats multiplied out), more than ${MAX_EXECUTED_STEPS} (about a minute of host time at a few µs per step); lower times, or move work into a step's count`);
    }
    if (outer * ops > MAX_WORKLOAD_OPS) {
      throw origins.error([...here, "times"], `the workload would perform ${big(outer * ops)} page, object or step operations (repeats multiplied out), more than ${MAX_WORKLOAD_OPS} (minutes of host time at about 3 µs each); lower times or the counts inside`);
    }
  });
  return [n, ops];
}

/**
 * `machine.disk`: { size, mount, files } → the disk's spec (@mmsim/block's parseDiskSpec, and the
 * ext2 image built once to check that the files fit) and its mount point.
 * @throws ScenarioError at the line of the field at fault
 */
function resolveDisk(raw: unknown, file: string, origins: Origins): DiskDeclaration {
  let mount = DEFAULT_DISK_MOUNT;
  let rest = raw;
  if (raw !== null && typeof raw === "object" && !Array.isArray(raw) && "mount" in raw) {
    const { mount: m, ...others } = raw as Record<string, unknown>;
    if (typeof m !== "string" || !/^\/[^\0]*$/.test(m) || m.split("/").some((c) => c === "." || c === "..")) {
      throw origins.error(["machine", "disk", "mount"], `expected an absolute path to mount the disk on (e.g. ${DEFAULT_DISK_MOUNT}, the default), got ${describeValue(m)}`);
    }
    mount = m.length > 1 ? m.replace(/\/+$/, "") : m;
    if (mount === "/") throw origins.error(["machine", "disk", "mount"], "the disk cannot be mounted on / (the rootfs is tmpfs, as on the capture board); mount it on a directory such as /mnt/disk");
    rest = others;
  }
  try {
    const spec = parseDiskSpec(rest, file, "machine.disk");
    new Ext2Fs(spec, file); // mke2fs: the files must fit
    return { spec, mount };
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    const where = e.path.startsWith("disk") ? `machine.${e.path}` : e.path;
    throw origins.error(parsePath(where) ?? ["machine", "disk"], `expected ${e.expected}, got ${e.got}`);
  }
}

/** Cross-field rules, checked after overrides: the board's own, then each step's in file order. */
function crossCheck(m: MachineSpec, located: readonly Located[], origins: Origins, registry: KernelRegistry): void {
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
  const scratch = new Map<string, unknown>();
  const all = located.map((l) => l.step);
  for (const { step, path } of located) {
    const def = registry.steps.get(step.kind);
    if (!def?.check) continue;
    const ctx: StepCheckContext = {
      machine: m,
      all,
      checkCpu: (cpu, sub) => {
        if (cpu >= m.cpus) throw origins.error([...path, ...sub], `cpu ${cpu} does not exist: machine.cpus is ${m.cpus}${origins.note(["machine", "cpus"])}; use a cpu from 0 to ${m.cpus - 1}`);
      },
      note: (field) => origins.note(["machine", field]),
      error: (sub, problem) => origins.error([...path, ...sub], problem),
      scratch: <T>(key: string, init: () => T): T => {
        if (!scratch.has(key)) scratch.set(key, init());
        return scratch.get(key) as T;
      },
    };
    def.check(step, ctx);
  }
}

/**
 * Parses, overrides and validates a scenario; every default filled in.
 * @param text the file's text (YAML or JSON)
 * @param file where it came from, for error messages (and ResolvedScenario.file)
 * @throws ScenarioError naming file:line and the field, with what to write instead
 */
export function loadScenario(text: string, file: string, overrides: ScenarioOverrides = {}, options: LoadScenarioOptions = {}): ResolvedScenario {
  try {
    return loadScenarioText(text, file, overrides, options);
  } catch (e) {
    // A file nested thousands of levels deep exhausts the parser's (or a schema's) stack.
    if (e instanceof RangeError && /call stack/i.test(e.message)) {
      throw new ScenarioError(SITE, file, "(structure)", "nested too deeply for mmsim to read (maps and lists inside each other thousands of levels down); a scenario is a few levels deep");
    }
    throw e;
  }
}

function loadScenarioText(text: string, file: string, overrides: ScenarioOverrides, options: LoadScenarioOptions): ResolvedScenario {
  const registry = (options.catalog ?? ModuleCatalog.default()).registry();
  precheckText(text, file);
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true, merge: true });
  const origins = new Origins(file, doc, lc);
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lc.linePos(syntax.pos[0]).line;
    throw new ScenarioError(SITE, file, "(syntax)", `${syntax.message.replace(/\s+at line \d+, column \d+[\s\S]*$/, "")}; the file must be YAML or JSON`, line);
  }
  checkYamlNodes(doc, lc, file);
  let raw: unknown;
  try {
    raw = doc.toJS({ maxAliasCount: MAX_YAML_ALIASES });
  } catch (e) {
    // checkYamlNodes found unresolved and self-referential aliases: what is left is the expansion count.
    throw new ScenarioError(SITE, file, "(aliases)", `the file's YAML aliases expand too far (${(e as Error).message.slice(0, 120)}); mmsim expands at most ${MAX_YAML_ALIASES} aliases: write the values out, or use a repeat step`);
  }
  if (raw === null || raw === undefined) raw = {};
  const unsafe = unsafeKeyPath(raw, []);
  if (unsafe) throw origins.error(unsafe, `"${String(unsafe[unsafe.length - 1])}" is not a field of a scenario (a scenario is data: no name may reach an object's prototype); remove it`);
  if (typeof raw !== "object" || Array.isArray(raw)) {
    throw new ScenarioError(SITE, file, "(top level)", `expected a map of fields (seed, machine, kernel, workload), got ${describeValue(raw)}`, origins.lineOf([]));
  }
  const top = raw as Record<string, unknown>;
  if (options.ignoreWorkload) delete top.workload;
  applyOverrides(top, overrides, origins);

  const parsed = scenarioSchemaOf(registry).safeParse(top);
  if (!parsed.success) throw firstIssue(parsed.error.issues, [], top, origins, registry);
  const d = parsed.data;

  const machine: MachineSpec = {
    board: d.machine.board,
    memory: d.machine.memory,
    cpus: d.machine.cpus,
    nodes: d.machine.nodes,
    cmdline: d.machine.cmdline,
    reserved: d.machine.reserved,
    ...(d.machine.disk !== undefined ? { disk: resolveDisk(d.machine.disk, file, origins) } : {}),
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
    modules: d.kernel.modules,
  };
  const located: Located[] = [];
  const workload = resolveSteps(d.workload, ["workload"], origins, registry, located) as WorkloadStep[];
  checkHostCost(workload, ["workload"], 1, origins, registry);
  crossCheck(machine, located, origins, registry);
  return { file, seed: d.seed, machine, kernel, workload };
}

/**
 * Reads and loads a scenario file.
 * @throws ScenarioError when the file cannot be read or is not a valid scenario
 */
export function loadScenarioFile(path: string, overrides: ScenarioOverrides = {}, options: LoadScenarioOptions = {}): ResolvedScenario {
  return loadScenario(readScenarioText(path), path, overrides, options);
}

/** The file's text, read up to MAX_SCENARIO_BYTES (a device such as /dev/zero never ends). */
function readScenarioText(path: string): string {
  let fd: number | undefined;
  try {
    fd = openSync(path, "r");
    if (fstatSync(fd).isDirectory()) throw Object.assign(new Error("EISDIR"), { code: "EISDIR" });
    const buf = Buffer.alloc(MAX_SCENARIO_BYTES + 1);
    let n = 0;
    for (;;) {
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
      if (n > MAX_SCENARIO_BYTES) throw tooLarge(path);
    }
    return buf.toString("utf8", 0, n);
  } catch (e) {
    if (e instanceof ScenarioError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new ScenarioError(SITE, path, "(file)", code === "ENOENT" ? "no such file" : code === "EISDIR" ? "is a directory, not a scenario file" : `cannot be read (${code ?? String(e)})`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** True for a value of kernel.policies or kernel.modules that names a module file rather than a catalog entry. */
export function isModulePath(value: string): boolean {
  return value.startsWith(".") || value.startsWith("/") || /\.(m?js)$/.test(value);
}

/** The path of the first key named like a prototype property (UNSAFE_KEYS), or undefined. */
function unsafeKeyPath(v: unknown, path: (string | number)[]): (string | number)[] | undefined {
  if (v === null || typeof v !== "object") return undefined;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = unsafeKeyPath(v[i], [...path, i]);
      if (p) return p;
    }
    return undefined;
  }
  for (const k of Object.keys(v)) {
    if (UNSAFE_KEYS.has(k)) return [...path, k];
    const p = unsafeKeyPath((v as Record<string, unknown>)[k], [...path, k]);
    if (p) return p;
  }
  return undefined;
}

/** What is checked before the text is parsed: its size, and how deep its flow collections nest. */
function precheckText(text: string, file: string): void {
  if (text.length > MAX_SCENARIO_BYTES) throw tooLarge(file);
  const deep = flowTooDeep(text);
  if (deep !== undefined) {
    throw new ScenarioError(SITE, file, "(structure)", `lists or maps nested more than ${MAX_FLOW_DEPTH} levels deep ([[[… or {{{…); a scenario is a few levels deep`, deep);
  }
}

function tooLarge(file: string): ScenarioError {
  return new ScenarioError(SITE, file, "(file)", `larger than ${MAX_SCENARIO_BYTES / 1024 / 1024} MiB, the limit of a scenario file; a scenario is a few KB: make a long workload with a repeat step`);
}

/**
 * Checks the parsed YAML before it becomes data: every tag is one of the core schema's (a
 * scenario is data: no !!set, !!binary, !!timestamp or custom tags), every alias names an anchor
 * defined before it and outside the node it stands in (a node containing itself would be
 * infinite), and no integer is beyond 2^53 − 1 (a JS number would round it).
 * @throws ScenarioError at the node's line
 */
function checkYamlNodes(doc: Document, lc: LineCounter, file: string): void {
  const warning = doc.warnings[0];
  if (warning) {
    throw new ScenarioError(SITE, file, "(syntax)", `${warning.message.replace(/\s+at line \d+, column \d+[\s\S]*$/, "")}: a scenario holds plain data (maps, lists, strings, numbers, booleans); remove the tag`, lc.linePos(warning.pos[0]).line);
  }
  const anchors = new Set<string>();
  let problem: ScenarioError | undefined;
  visit(doc, (_key, node, path) => {
    if (!isNode(node)) return undefined;
    const line = rangeLine(node, lc);
    if (isAlias(node)) {
      const name = node.source;
      if (!anchors.has(name)) {
        problem = new ScenarioError(SITE, file, `*${cut(name)}`, `alias to an anchor not defined before it; define &${cut(name)} earlier in the file`, line);
      } else if (path.some((p) => isNode(p) && p.anchor === name)) {
        problem = new ScenarioError(SITE, file, `*${cut(name)}`, `the alias stands inside the node &${cut(name)} it names, which would then contain itself forever; write the nested value out`, line);
      }
      return problem ? visit.BREAK : undefined;
    }
    if (node.anchor) anchors.add(node.anchor);
    if (node.tag !== undefined && !SCENARIO_TAGS.has(node.tag)) {
      problem = new ScenarioError(SITE, file, "(syntax)", `the tag ${cut(node.tag.replace(/^tag:yaml\.org,2002:/, "!!"))} is not allowed: a scenario holds plain data (maps, lists, strings, numbers, booleans); remove the tag`, line);
      return visit.BREAK;
    }
    if (isScalar(node) && typeof node.value === "number" && !Number.isSafeInteger(node.value) && /^[-+]?(0x[0-9a-fA-F]+|0o[0-7]+|\d+)$/.test(node.source ?? String(node.value))) {
      problem = new ScenarioError(SITE, file, "(number)", `${cut(node.source ?? String(node.value))} is beyond 2^53 − 1 (9007199254740991), the largest integer mmsim holds exactly; no board has addresses or sizes that large`, line);
      return visit.BREAK;
    }
    return undefined;
  });
  if (problem) throw problem;
}

/** A text for a message: escaped and cut to at most 60 characters. */
function cut(text: string): string {
  return describeValue(text).slice(1, -1).slice(0, 60);
}

/**
 * Loads a scenario that may name module files (kernel.policies values, kernel.modules entries,
 * also when set with --set): imports them into a catalog first (a path is the user's, relative
 * to the working directory), so the steps and sysctls they contribute are checked like the
 * built-in ones. Pass the catalog on to Machine.createAsync.
 * @throws ScenarioError for a file that cannot be read or imported, or an invalid scenario
 */
export async function loadScenarioFileAsync(
  path: string,
  overrides: ScenarioOverrides = {},
  options: LoadScenarioOptions = {},
): Promise<{ scenario: ResolvedScenario; catalog: ModuleCatalog }> {
  const text = readScenarioText(path);
  precheckText(text, path);
  const catalog = options.catalog ?? ModuleCatalog.default();
  // A first, lenient look at the file, then with the overrides applied, for the module files it
  // names; the full load below reports every problem with its line.
  const inFile = moduleRefs(lenientParse(text));
  const top = lenientParse(text);
  try {
    applyOverrides(top, overrides, new Origins(path, undefined, new LineCounter()));
  } catch {
    // reported by loadScenario
  }
  const refs = moduleRefs(top);
  const names = new Map<string, string>();
  if (refs.length > 0) {
    const { pathToFileURL } = await import("node:url");
    const { dirname, resolve } = await import("node:path");
    for (const [field, v] of refs) {
      // A path written in the file is relative to the file; one given on the command line, to the user's directory.
      const base = inFile.some(([f, x]) => f === field && x === v) ? dirname(resolve(path)) : (options.cwd ?? process.cwd());
      names.set(v, (await catalog.loadModule(pathToFileURL(resolve(base, v)).href, path, field)).name);
    }
  }
  const scenario = loadScenario(text, path, overrides, { ...options, catalog });
  if (names.size === 0) return { scenario, catalog };
  // The loaded modules by name, so the machine needs no path (and no working directory) to find them.
  const k = scenario.kernel;
  const policies = Object.fromEntries(Object.entries(k.policies).map(([slot, v]) => [slot, names.get(v) ?? v]));
  const modules = (k.modules ?? []).map((v) => names.get(v) ?? v);
  return { scenario: { ...scenario, kernel: { ...k, policies, modules } }, catalog };
}

/** The parsed file as a map, or {} when it is not one (the full load reports why). */
function lenientParse(text: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = parseYaml(text, { maxAliasCount: 1000 });
  } catch {
    raw = undefined;
  }
  return raw !== null && typeof raw === "object" && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
}

/** The module files a raw scenario names: [field, path] for kernel.policies values and kernel.modules entries. */
function moduleRefs(top: Record<string, unknown>): [string, string][] {
  const kernel = (top.kernel ?? {}) as { policies?: unknown; modules?: unknown };
  const refs: [string, string][] = [];
  if (kernel.policies && typeof kernel.policies === "object") {
    for (const [slot, v] of Object.entries(kernel.policies)) if (typeof v === "string" && isModulePath(v)) refs.push([`kernel.policies.${slot}`, v]);
  }
  if (Array.isArray(kernel.modules)) for (const v of kernel.modules) if (typeof v === "string" && isModulePath(v)) refs.push(["kernel.modules", v]);
  return refs;
}
