// mmsim: reads the process/address-space probe captures (fixtures/process/) into structured stages
/*
 * The probes of fixtures/process/src/ (static arm64 programs run on the real 6.1 kernel by
 * tools/real-kernel/capture) print one block per stage of their sequence:
 *
 *   =====STAGE <probe>:<role>:<stage>=====
 *   note …            addr <label> 0x…     result <key> <value>
 *   --- faults        minflt/majflt over the action (getrusage, the task alone)
 *   --- vmstat-delta  /proc/vmstat deltas over the action (system-wide)
 *   --- maps | smaps_rollup | status | meminfo | pagemap
 *   =====END STAGE=====
 *
 * This module turns a capture's `workload` file into ProcessStage records, so that a test can
 * compare mmsim's own /proc files and counters with the real kernel's, stage by stage. Maps
 * lines are kept verbatim (the kernel pads the path to column 73) and also split into fields.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ArgumentError } from "@mmsim/core";

/** Where the process captures live, from src/ and from dist/ alike. */
export const PROCESS_CAPTURES_DIR = fileURLToPath(new URL("../fixtures/process/linux-6.1-arm64/", import.meta.url));

/** One /proc/<pid>/maps line (fs/proc/task_mmu.c show_map_vma). */
export interface MapsLine {
  /** The line as printed, without the newline. */
  readonly raw: string;
  readonly start: number;
  readonly end: number;
  /** `rw-p`, `r-xp`, `---p`, `rw-s`, … */
  readonly perms: string;
  readonly offset: number;
  /** `major:minor` in hex, as printed (`00:00`). */
  readonly dev: string;
  readonly inode: number;
  /** The name column: a path, `[heap]`, `[stack]`, `[vvar]`, `[vdso]`, or "" for anonymous memory. */
  readonly path: string;
}

/** One decoded /proc/self/pagemap entry, with /proc/kpagecount and /proc/kpageflags of its frame. */
export interface PagemapEntry {
  readonly label: string;
  /** The page-aligned virtual address. */
  readonly vaddr: number;
  readonly present: boolean;
  readonly swapped: boolean;
  /** Bit 61: a file page or shared anonymous (shmem) page; also set for the huge zero page. */
  readonly fileOrShared: boolean;
  /** Bit 56: mapped exactly once (page_mapcount == 1). */
  readonly exclusive: boolean;
  readonly softDirty: boolean;
  /** Frame number (present pages only): compare for identity, never as a value. */
  readonly pfn?: number;
  /** /proc/kpagecount (the page's mapcount; 0 for the zero pages). */
  readonly mapcount?: number;
  /** /proc/kpageflags as printed in hex. */
  readonly kpageflags?: string;
  /** KPF_* names set in kpageflags (`ANON`, `ZERO_PAGE`, `THP`, `MLOCKED`, …). */
  readonly flags: readonly string[];
}

/** One stage block of a probe. */
export interface ProcessStage {
  /** `<probe>:<role>:<stage>`, e.g. `fork:child:write-half`. */
  readonly id: string;
  readonly probe: string;
  /** `main`, or `parent`/`child` in the fork probe. */
  readonly role: string;
  readonly stage: string;
  readonly notes: readonly string[];
  /** `addr` lines: label → address (bigint: a probe may print a kernel-half address). */
  readonly addrs: Readonly<Record<string, bigint>>;
  /** `result` lines: key → the rest of the line. */
  readonly results: Readonly<Record<string, string>>;
  /** getrusage deltas over the action: exact for the task. */
  readonly faults: { readonly minflt: number; readonly majflt: number };
  /** /proc/vmstat deltas over the action: the whole system, so they may include other activity. */
  readonly vmstatDelta: Readonly<Record<string, number>>;
  readonly maps: readonly MapsLine[];
  /** The `[rollup]` header line of smaps_rollup. */
  readonly smapsRollupHeader: string;
  /** smaps_rollup fields in kB (`Rss`, `Anonymous`, `LazyFree`, `AnonHugePages`, `Locked`, …). */
  readonly smapsRollup: Readonly<Record<string, number>>;
  /** /proc/self/status, every field as printed after the tab (`R (running)`, `  944 kB`). */
  readonly status: Readonly<Record<string, string>>;
  /** The status fields that end in ` kB`, in kB (`VmRSS`, `RssAnon`, `VmPTE`, `VmLck`, `VmStk`, …). */
  readonly statusKb: Readonly<Record<string, number>>;
  /** Selected /proc/meminfo lines in kB (`AnonPages`, `Mlocked`, `CommitLimit`, `Committed_AS`, …). */
  readonly meminfo: Readonly<Record<string, number>>;
  readonly pagemap: readonly PagemapEntry[];
}

/** capture.json of a process capture. */
export interface ProcessCaptureInfo {
  readonly kernel: string;
  readonly qemu: string;
  readonly cmdline: string;
  readonly mem: string;
  readonly smp: number;
  readonly how: string;
}

/** One capture: the workload's own lines before the first stage, and the stages in order. */
export interface ProcessCapture {
  readonly name: string;
  readonly dir: string;
  readonly info: ProcessCaptureInfo;
  /** Lines printed outside stage blocks (the workload script's sysctl report). */
  readonly preamble: readonly string[];
  readonly stages: readonly ProcessStage[];
  /** The stage with this id; throws an ArgumentError listing the ids when there is none. */
  stage(id: string): ProcessStage;
}

const SITE = "conformance.parseProcessCapture";
const SECTIONS = ["faults", "vmstat-delta", "maps", "smaps_rollup", "status", "meminfo", "pagemap"] as const;
type Section = (typeof SECTIONS)[number];

// "%08lx-%08lx %c%c%c%c %08llx %02x:%02x %lu " then the name padded to column 73 (seq_pad)
const MAPS_RE = /^([0-9a-f]+)-([0-9a-f]+) ([r-][w-][x-][ps]) ([0-9a-f]+) ([0-9a-f]+:[0-9a-f]+) (\d+) *(.*)$/;
const PAGEMAP_RE = /^(\S+) 0x([0-9a-f]+) present=([01]) swapped=([01]) file_or_shared=([01]) exclusive=([01]) soft_dirty=([01])(?: pfn=0x([0-9a-f]+) mapcount=(\d+) kpageflags=(0x[0-9a-f]+) flags=(\S+))?$/;

function bad(where: string, expected: string, got: string, site: string = SITE): ArgumentError {
  return new ArgumentError(site, where, expected, got);
}

/** Parses one maps line; throws naming `where` when the line is not in the kernel's format. */
export function parseMapsLine(raw: string, where = "maps line"): MapsLine {
  const m = MAPS_RE.exec(raw);
  if (!m) throw bad(where, "a /proc/<pid>/maps line (start-end perms offset dev inode [path])", JSON.stringify(raw));
  return {
    raw,
    start: parseInt(m[1]!, 16),
    end: parseInt(m[2]!, 16),
    perms: m[3]!,
    offset: parseInt(m[4]!, 16),
    dev: m[5]!,
    inode: Number(m[6]!),
    path: m[7]!,
  };
}

/** Parses a `  948 kB` value; throws naming `where` when it is not one. */
export function parseKb(value: string, where: string, site: string = SITE): number {
  const m = /^\s*(\d+) kB$/.exec(value);
  if (!m) throw bad(where, "a value in kB", JSON.stringify(value), site);
  return Number(m[1]);
}

/** Parses one decoded pagemap line of a probe (`label 0x… present=… … flags=…`). */
export function parsePagemapLine(line: string, where: string, site: string = SITE): PagemapEntry {
  const m = PAGEMAP_RE.exec(line);
  if (!m) throw bad(where, "a decoded pagemap line (label 0x… present=… …)", JSON.stringify(line), site);
  const present = m[3] === "1";
  const entry: PagemapEntry = {
    label: m[1]!,
    vaddr: parseInt(m[2]!, 16),
    present,
    swapped: m[4] === "1",
    fileOrShared: m[5] === "1",
    exclusive: m[6] === "1",
    softDirty: m[7] === "1",
    flags: m[11] === undefined || m[11] === "-" ? [] : m[11].split(","),
  };
  if (m[8] === undefined) {
    if (present) throw bad(where, "a present entry with pfn, mapcount and kpageflags", JSON.stringify(line), site);
    return entry;
  }
  return { ...entry, pfn: parseInt(m[8], 16), mapcount: Number(m[9]), kpageflags: m[10]! };
}

/**
 * One stage block as printed, before its sections are interpreted: the probes of
 * fixtures/process/ and fixtures/files/ share the block format and differ in their sections.
 */
export interface RawStageBlock {
  /** `<probe>:<role>:<stage>`. */
  readonly header: string;
  /** The 1-based line of the `=====STAGE` header. */
  readonly line: number;
  /** The note/addr/result lines before the first section. */
  readonly head: readonly string[];
  /** Section name → its lines (every section in `sections` is there). */
  readonly sections: ReadonlyMap<string, readonly string[]>;
  /** The id split in three. */
  readonly probe: string;
  readonly role: string;
  readonly stage: string;
  /** `<file>:<line> (<header>) <what>`: where an error message points. */
  at(what: string): string;
}

/**
 * Splits a probe's output into its stage blocks and the lines outside them.
 * @param sections the section names a block must have (`--- name` lines), each once
 * @param site the error site the messages name
 * @throws ArgumentError naming the file, line and stage of the first malformed block
 */
export function splitStageBlocks(text: string, file: string, sections: readonly string[], site: string = SITE): { preamble: string[]; blocks: RawStageBlock[] } {
  const preamble: string[] = [];
  const blocks: RawStageBlock[] = [];
  let cur: { header: string; line: number; head: string[]; sections: Map<string, string[]> } | undefined;
  let section: string | undefined;
  const lines = text.split("\n");
  const close = (b: NonNullable<typeof cur>): RawStageBlock => {
    const at = (what: string): string => `${file}:${b.line} (${b.header}) ${what}`;
    const parts = b.header.split(":");
    if (parts.length !== 3 || parts.some((p) => p === "")) throw bad(at("stage header"), "<probe>:<role>:<stage>", JSON.stringify(b.header), site);
    for (const s of sections) if (!b.sections.has(s)) throw bad(at("sections"), `a "--- ${s}" section`, "none", site);
    return { ...b, probe: parts[0]!, role: parts[1]!, stage: parts[2]!, at };
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    const open = /^=====STAGE (.+)=====$/.exec(l);
    if (open) {
      if (cur) throw bad(`${file}:${i + 1}`, `=====END STAGE===== before the next stage`, `a new stage ${open[1]} inside ${cur.header}`, site);
      cur = { header: open[1]!, line: i + 1, head: [], sections: new Map() };
      section = undefined;
      continue;
    }
    if (l === "=====END STAGE=====") {
      if (!cur) throw bad(`${file}:${i + 1}`, "=====END STAGE===== after a =====STAGE … line", "an END with no stage open", site);
      blocks.push(close(cur));
      cur = undefined;
      continue;
    }
    if (!cur) {
      if (l !== "") preamble.push(l);
      continue;
    }
    const s = /^--- (\S+)$/.exec(l);
    if (s) {
      if (!sections.includes(s[1]!)) throw bad(`${file}:${i + 1}`, `one of ${sections.join(", ")}`, `--- ${s[1]}`, site);
      section = s[1]!;
      cur.sections.set(section, []);
      continue;
    }
    if (section) cur.sections.get(section)!.push(l);
    else cur.head.push(l);
  }
  if (cur) throw bad(`${file}:${cur.line}`, "=====END STAGE=====", `stage ${cur.header} never ends (the probe crashed or the capture was cut)`, site);
  const seen = new Set<string>();
  for (const b of blocks) {
    if (seen.has(b.header)) throw bad(file, "stage ids that appear once", `${b.header} twice`, site);
    seen.add(b.header);
  }
  return { preamble, blocks };
}

/** The non-empty lines of a block's section. */
export function sectionLines(b: RawStageBlock, section: string): string[] {
  return (b.sections.get(section) ?? []).filter((l) => l !== "");
}

/** A block's note, addr and result lines. */
export function parseStageHead(b: RawStageBlock, site: string = SITE): { notes: string[]; addrs: Record<string, bigint>; results: Record<string, string> } {
  const notes: string[] = [];
  const addrs: Record<string, bigint> = {};
  const results: Record<string, string> = {};
  for (const l of b.head) {
    if (l === "") continue;
    const m = /^(note|addr|result) (\S+)(?: (.*))?$/.exec(l);
    if (!m) throw bad(b.at("head"), "note/addr/result lines", JSON.stringify(l), site);
    if (m[1] === "note") notes.push(l.slice(5));
    else if (m[1] === "addr") {
      if (!/^0x[0-9a-f]+$/.test(m[3] ?? "")) throw bad(b.at(`addr ${m[2]}`), "a hex address", JSON.stringify(m[3]), site);
      addrs[m[2]!] = BigInt(m[3]!);
    } else results[m[2]!] = m[3] ?? "";
  }
  return { notes, addrs, results };
}

/** A section of `name number` lines (faults, vmstat deltas, vmstat values). */
export function parseCounters(b: RawStageBlock, section: string, site: string = SITE): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of sectionLines(b, section)) {
    const m = /^(\S+) (-?\d+)$/.exec(l);
    if (!m) throw bad(b.at(section), "`name number` lines", JSON.stringify(l), site);
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

function buildStage(b: RawStageBlock): ProcessStage {
  const at = b.at;
  const sec = (s: Section): string[] => sectionLines(b, s);
  const { notes, addrs, results } = parseStageHead(b);
  const counters = (s: Section): Record<string, number> => parseCounters(b, s);
  const f = counters("faults");
  if (f.minflt === undefined || f.majflt === undefined) throw bad(at("faults"), "minflt and majflt", JSON.stringify(f));

  const rollup = sec("smaps_rollup");
  const smapsRollup: Record<string, number> = {};
  for (const l of rollup.slice(1)) {
    const m = /^(\w+):\s+(.*)$/.exec(l);
    if (!m) throw bad(at("smaps_rollup"), "`Field:   N kB` lines", JSON.stringify(l));
    smapsRollup[m[1]!] = parseKb(m[2]!, at(`smaps_rollup ${m[1]}`));
  }
  const status: Record<string, string> = {};
  const statusKb: Record<string, number> = {};
  for (const l of sec("status")) {
    const m = /^(\w+):\t?(.*)$/.exec(l);
    if (!m) throw bad(at("status"), "`Field:\\tvalue` lines", JSON.stringify(l));
    status[m[1]!] = m[2]!;
    if (m[2]!.endsWith(" kB")) statusKb[m[1]!] = parseKb(m[2]!, at(`status ${m[1]}`));
  }
  const meminfo: Record<string, number> = {};
  for (const l of sec("meminfo")) {
    const m = /^(\w+):\s+(.*)$/.exec(l);
    if (!m) throw bad(at("meminfo"), "`Field:   N kB` lines", JSON.stringify(l));
    meminfo[m[1]!] = parseKb(m[2]!, at(`meminfo ${m[1]}`));
  }
  return {
    id: b.header,
    probe: b.probe,
    role: b.role,
    stage: b.stage,
    notes,
    addrs,
    results,
    faults: { minflt: f.minflt, majflt: f.majflt },
    vmstatDelta: counters("vmstat-delta"),
    maps: sec("maps").map((l) => parseMapsLine(l, at("maps"))),
    smapsRollupHeader: rollup[0] ?? "",
    smapsRollup,
    status,
    statusKb,
    meminfo,
    pagemap: sec("pagemap").map((l) => parsePagemapLine(l, at("pagemap"))),
  };
}

/**
 * Parses the text of a capture's `workload` file into its stages.
 * @param file what error messages call the text (its path)
 * @throws ArgumentError naming the file, line and stage of the first malformed block
 */
export function parseProcessWorkload(text: string, file = "workload"): { preamble: string[]; stages: ProcessStage[] } {
  const { preamble, blocks } = splitStageBlocks(text, file, SECTIONS);
  return { preamble, stages: blocks.map(buildStage) };
}

/** One capture of stage blocks: its directory, capture.json, the preamble, the stages by id. */
export interface StageCapture<S extends { readonly id: string }> {
  readonly name: string;
  readonly dir: string;
  readonly info: ProcessCaptureInfo;
  readonly preamble: readonly string[];
  readonly stages: readonly S[];
  /** The stage with this id; throws an ArgumentError listing the ids when there is none. */
  stage(id: string): S;
}

/**
 * Reads one capture directory (run.sh, workload, capture.json) whose workload `parse` splits into
 * stages; `kind` ("process", "file") and `type` ("ProcessCapture", "FilesCapture": errors come from
 * `read<type>` and `<type>.stage`) name it in errors. The process and file parsers share it.
 * @param name a capture under `root`, or a directory path
 */
export function readStageCapture<S extends { readonly id: string }>(
  kind: string, type: string, name: string, root: string,
  parse: (text: string, file: string) => { preamble: string[]; stages: S[] },
): StageCapture<S> {
  const dir = existsSync(name) && statSync(name).isDirectory() ? name : join(root, name);
  for (const f of ["workload", "capture.json"]) {
    if (!existsSync(join(dir, f))) {
      throw new ArgumentError(`conformance.read${type}`, name, `a ${kind} capture directory with ${f} (one of ${listStageCaptures(root).join(", ")})`, `no ${join(dir, f)}`);
    }
  }
  const info = JSON.parse(readFileSync(join(dir, "capture.json"), "utf8")) as ProcessCaptureInfo;
  const file = join(dir, "workload");
  const { preamble, stages } = parse(readFileSync(file, "utf8"), file);
  const byId = new Map(stages.map((s) => [s.id, s]));
  return {
    name,
    dir,
    info,
    preamble,
    stages,
    stage(id: string): S {
      const s = byId.get(id);
      if (!s) throw new ArgumentError(`conformance.${type}.stage`, id, `a stage of ${name} (${stages.map((x) => x.id).join(", ")})`, "no such stage");
      return s;
    },
  };
}

/** The names of the captures (directories with a workload) under `root`, sorted. */
export function listStageCaptures(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((d) => existsSync(join(root, d, "workload")))
    .sort();
}

/**
 * Reads one process capture directory (run.sh, workload, capture.json).
 * @param name a capture under PROCESS_CAPTURES_DIR (`fork`), or a directory path
 */
export function readProcessCapture(name: string, root: string = PROCESS_CAPTURES_DIR): ProcessCapture {
  return readStageCapture("process", "ProcessCapture", name, root, parseProcessWorkload);
}

/** The names of the captures under `root`, sorted. */
export function listProcessCaptures(root: string = PROCESS_CAPTURES_DIR): string[] {
  return listStageCaptures(root);
}

/** The VMAs of a stage that lie in [lo, hi): for picking a probe's own mappings out of the whole maps. */
export function mapsWithin(stage: ProcessStage, lo: number, hi: number): MapsLine[] {
  return stage.maps.filter((m) => m.start >= lo && m.end <= hi);
}
