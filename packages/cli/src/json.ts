// mmsim: the schema of `mmsim … --json` — one TypeScript type per document, and the error document (no kernel counterpart)
/*
 * Every `--json` document is one JSON object on stdout, pretty-printed with two spaces, with
 *   schemaVersion  JSON_SCHEMA_VERSION: raised whenever a field is renamed, removed or changes
 *                  meaning (adding a field does not raise it);
 *   command        the command that printed it ("run", "cat", "dmesg", "layout", "pt walk", "compare").
 * Conventions (docs/json.md says the same for readers):
 *  - property names are camelCase; maps keyed by the kernel's own names (meminfo fields, vmstat
 *    counters, sysctls, slab caches, failed-allocation names from the scenario) keep their spelling;
 *  - addresses (physical and virtual) are strings, "0x" and lowercase hex digits — 64-bit kernel
 *    virtual addresses do not fit a JSON number; virtual ones have 16 digits;
 *  - counts, sizes (bytes unless the name says KiB or kB), times (ns unless the name says ms) and
 *    levels are numbers;
 *  - a value that does not apply is null, never a missing key, except where the type marks it optional.
 * On an error in --json mode, stdout stays empty and stderr carries one ErrorJson on one line,
 * with the same exit status as in text mode.
 */
import type {
  BuddyinfoZone, IomemResource, MemblockRegionRow, Pagetypeinfo, Slabinfo, VmallocinfoArea, ZoneinfoZone,
} from "@mmsim/procfs";
import type { ReplayCellResult, TraceFormat, TraceSummary } from "@mmsim/cachesim";
import type { CompareRun } from "./compare.ts";

/** The version of the documents below. */
export const JSON_SCHEMA_VERSION = 1;

/** What every document starts with. */
export interface JsonDocumentHead {
  readonly schemaVersion: typeof JSON_SCHEMA_VERSION;
  readonly command: "run" | "cat" | "dmesg" | "layout" | "pt walk" | "compare" | "replay";
}

/** One kernel log record, as `dmesg --json` and `run --json` give it. */
export interface DmesgRecord {
  /** Simulated time since boot, ns (dmesg prints it as [seconds.micros]). */
  readonly timeNs: number;
  /** printk level: 0 KERN_EMERG … 6 KERN_INFO, 7 KERN_DEBUG. */
  readonly level: number;
  /** The line without its timestamp. */
  readonly text: string;
}

/**
 * A file's parsed content, by `format` (the parser of @mmsim/procfs that read it). Files with no
 * parser (kernel_page_tables, mmsim's own debug files, /proc/cmdline, …) have format "text" and
 * content null: their `text` is the data.
 */
export type FileContent =
  | { readonly format: "meminfo"; readonly content: Readonly<Record<string, number>> }
  | { readonly format: "vmstat"; readonly content: Readonly<Record<string, number>> }
  | { readonly format: "buddyinfo"; readonly content: readonly BuddyinfoZone[] }
  | { readonly format: "pagetypeinfo"; readonly content: Pagetypeinfo }
  | { readonly format: "zoneinfo"; readonly content: readonly ZoneinfoZone[] }
  | { readonly format: "slabinfo"; readonly content: Slabinfo }
  | { readonly format: "sysctl"; readonly content: number | readonly number[] }
  | { readonly format: "memblock"; readonly content: readonly MemblockRegionRow[] }
  | { readonly format: "vmallocinfo"; readonly content: readonly VmallocinfoArea[] }
  | { readonly format: "iomem"; readonly content: readonly IomemResource[] }
  /** A /sys/kernel/slab/<cache>/<attribute> holding one number. */
  | { readonly format: "number"; readonly content: number }
  | { readonly format: "text"; readonly content: null };

/** A file as a show step or `cat` gives it: path, parsed content, and the kernel's text. */
export type FileJson = { readonly path: string; readonly text: string } & FileContent;

/** The machine a scenario boots (the scenario's `machine` section, resolved). */
export interface MachineJson {
  readonly board: string;
  /** RAM in bytes. */
  readonly memory: number;
  readonly cpus: number;
  readonly nodes: number;
  readonly cmdline: string;
  readonly reserved: readonly { readonly start: string; readonly size: number; readonly name: string }[];
}

/** A failed `expect` step. */
export interface FailedExpectJson {
  /** Its 1-based executed-step number (repeats expanded). */
  readonly step: number;
  /** Its line in the scenario file, or null when unknown. */
  readonly line: number | null;
  readonly message: string;
}

/** `mmsim run --json`. */
export interface RunJson extends JsonDocumentHead {
  readonly command: "run";
  /** The scenario file as given (or the built-in one's path). */
  readonly scenario: string;
  readonly seed: number;
  readonly machine: MachineJson;
  /** The boot log's memory lines (the records `run` prints in text mode). */
  readonly dmesg: readonly DmesgRecord[];
  /** Every record logged while the workload ran. */
  readonly workloadDmesg: readonly DmesgRecord[];
  /** The workload's show steps, in order. `afterStep`/`after` name the step before the show. */
  readonly shows: readonly (FileJson & { readonly afterStep: number; readonly after: string })[];
  readonly expects: { readonly total: number; readonly passed: number; readonly failed: readonly FailedExpectJson[] };
  readonly counters: {
    /** Executed steps, repeats expanded. */
    readonly steps: number;
    /** Allocations that returned no page, by the alloc step's name. */
    readonly failedAllocs: Readonly<Record<string, number>>;
    /** Simulated time at the end of the workload, ns since boot. */
    readonly simulatedNs: number;
    /** /proc/vmstat at the end. */
    readonly vmstat: Readonly<Record<string, number>>;
  };
  /** The simulated kernel's panic, when it panicked (exit status 3); null otherwise. */
  readonly panic: PanicJson | null;
}

/** A simulated kernel panic: what 6.1's panic() printed, and where the run stopped. */
export interface PanicJson {
  /** panic()'s message, as in "Kernel panic - not syncing: <reason>". */
  readonly reason: string;
  /** The kernel function that called panic() (e.g. "early_pgtable_alloc"). */
  readonly function: string;
  /** True when it panicked during boot (then `step` is null and the workload did not run). */
  readonly duringBoot: boolean;
  /** The executed step (1-based, repeats expanded) that panicked, or null during boot. */
  readonly step: number | null;
  /** The panic's log records, from "Kernel panic - not syncing" to "---[ end Kernel panic …". */
  readonly dmesg: readonly DmesgRecord[];
}

/** `mmsim cat <path> --json`. */
export type CatJson = JsonDocumentHead & {
  readonly command: "cat";
  /** --after: a label, an executed-step count, or null (right after boot). */
  readonly after: string | number | null;
  /** Expect steps that failed before --after's stop (the exit status is then 1). */
  readonly failedExpects: readonly FailedExpectJson[];
} & FileJson;

/** `mmsim dmesg --json`. */
export interface DmesgJson extends JsonDocumentHead {
  readonly command: "dmesg";
  readonly after: string | number | null;
  readonly failedExpects: readonly FailedExpectJson[];
  readonly dmesg: readonly DmesgRecord[];
}

/** `mmsim layout --json`. */
export interface LayoutJson extends JsonDocumentHead {
  readonly command: "layout";
  readonly vaBits: number;
  /** Bytes. */
  readonly pageSize: number;
  /** Levels of translation tables (3 with VA_BITS 39, 4 with 48). */
  readonly levels: number;
  /** The regions `layout` prints, in its order; `end` is the first address after the region. */
  readonly regions: readonly { readonly name: string; readonly start: string; readonly end: string }[];
  /** RAM (memblock.memory), physical; `end` is the first address after. */
  readonly ram: readonly { readonly start: string; readonly end: string }[];
}

/** One level of a table walk. */
export interface WalkLevelJson {
  readonly level: number;
  /** Physical address of the table read at this level. */
  readonly table: string;
  /** The VA bits that index it, e.g. "[47:39]", and the index. */
  readonly indexBits: string;
  readonly index: number;
  /** The descriptor found, 64 bits in hex. */
  readonly descriptor: string;
  /** invalid, table, block, page or reserved. */
  readonly kind: string;
  /** What the descriptor points at: the next table, or the block or page; null when invalid. */
  readonly outputAddress: string | null;
  /** The decoded fields of a block or page descriptor (null for tables and invalid ones). */
  readonly attributes: {
    readonly attrIndx: number;
    readonly memType: string;
    /** SH[1:0]: 0 non-shareable, 2 outer, 3 inner. */
    readonly shareability: number;
    /** AP[1]: EL0 may access. */
    readonly user: boolean;
    /** AP[2]: read-only. */
    readonly readOnly: boolean;
    readonly accessFlag: boolean;
    readonly notGlobal: boolean;
    readonly contiguous: boolean;
    readonly pxn: boolean;
    readonly uxn: boolean;
    /** DBM, which Linux uses as PTE_WRITE. */
    readonly dbm: boolean;
    readonly dirty: boolean;
  } | null;
  /** The hierarchical attributes of a table descriptor (null for leaves and invalid ones). */
  readonly tableAttributes: {
    readonly pxnTable: boolean;
    readonly uxnTable: boolean;
    /** APTable[1:0]: bit 0 no EL0 access below, bit 1 read-only below. */
    readonly apTable: number;
    readonly nsTable: boolean;
  } | null;
  /** The line `pt walk` prints for this level's descriptor. */
  readonly description: string;
}

/** `mmsim pt walk <va> --json`. */
export interface PtWalkJson extends JsonDocumentHead {
  readonly command: "pt walk";
  readonly va: string;
  readonly access: "read" | "write" | "exec";
  readonly after: string | number | null;
  readonly failedExpects: readonly FailedExpectJson[];
  /** The layout region of the address ("linear map", "vmalloc", "user", …). */
  readonly region: string;
  /** 1 for kernel addresses (swapper_pg_dir), 0 for user ones (the workload's process). */
  readonly ttbr: 0 | 1;
  readonly levels: readonly WalkLevelJson[];
  /** The translation, or null on a fault. */
  readonly pa: string | null;
  /** The leaf's level and mapping size in bytes, or null on a fault. */
  readonly leafLevel: number | null;
  readonly leafSize: number | null;
  /** The fault, or null. kind: translation fault, access flag fault, permission fault, address size fault. */
  readonly fault: { readonly level: number; readonly kind: string } | null;
  /** What `pt walk` prints in text mode. */
  readonly text: string;
}

/** `mmsim compare --json`. */
export interface CompareJson extends JsonDocumentHead {
  readonly command: "compare";
  readonly slot: string;
  readonly runs: readonly CompareRun[];
}

/** Every document a command prints with --json (conformance's report has a type of its own). */
/** `mmsim replay --json`: the grid of a trace replayed through cache algorithms (replay.ts). */
export interface ReplayJson {
  readonly schemaVersion: typeof JSON_SCHEMA_VERSION;
  readonly command: "replay";
  /** The trace as given, its format, and what the replay found (records, requests, distinct objects). */
  readonly trace: { readonly path: string; readonly format: TraceFormat } & TraceSummary;
  /** The sizes as given, and the capacity each is, in objects. */
  readonly sizes: readonly { readonly size: string; readonly capacity: number }[];
  readonly algorithms: readonly string[];
  /**
   * One per algorithm × size, algorithm-major, in the order given: algorithm, size, capacity, requests, misses, hits, missRatio;
   * a kernel cell adds `figures` (@mmsim/machine's KernelReplayFigures: pagesRead, refaults, pgscan, pgsteal, simulatedNs,
   * the cache size reached, …).
   */
  readonly cells: readonly ReplayCellResult[];
  /** What the user should know: a size above the distinct objects, skipped records, an algorithm left out. */
  readonly notes: readonly string[];
}

/** `mmsim replay --convert --json`. */
export interface ReplayConvertJson {
  readonly schemaVersion: typeof JSON_SCHEMA_VERSION;
  readonly command: "replay";
  readonly converted: { readonly from: string; readonly to: string; readonly records: number; readonly objects: number };
}

export type JsonDocument = RunJson | CatJson | DmesgJson | LayoutJson | PtWalkJson | CompareJson | ReplayJson | ReplayConvertJson;

/** What stderr carries, on one line, when a command fails in --json mode. */
export interface ErrorJson {
  readonly schemaVersion: typeof JSON_SCHEMA_VERSION;
  /** The command that failed, or null when the command line named none. */
  readonly command: string | null;
  readonly error: {
    /** The process's exit status: 2 bad input, 3 the simulated kernel panicked, 70 internal error. */
    readonly exitCode: number;
    /**
     * usage: the command line itself; badInput: a scenario, option, value or path mmsim cannot use;
     * panic: the simulated kernel panicked before the command could print its document (layout,
     * pt walk, compare); internal: a bug.
     */
    readonly kind: "usage" | "badInput" | "panic" | "internal";
    /** The error's class: ScenarioError, ConfigError, ArgumentError, UnknownPolicyError, TraceFormatError, UsageError, or the exception's name. */
    readonly type: string;
    /** The one-line message text mode prints after "mmsim: ". */
    readonly message: string;
    /** Where: the file ("<command line>" for options) and 1-based line, the field; null when not known. */
    readonly file: string | null;
    readonly line: number | null;
    readonly field: string | null;
    /** Internal errors only: the stack. */
    readonly stack: string | null;
  };
}

/** Serialises a document as every command prints it. */
export function jsonText(doc: JsonDocument | ErrorJson, oneLine = false): string {
  return `${oneLine ? JSON.stringify(doc) : JSON.stringify(doc, null, 2)}\n`;
}
