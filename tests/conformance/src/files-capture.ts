// mmsim: reads the file, page-cache and tmpfs probe captures (fixtures/files/) into structured stages
/*
 * The probes of fixtures/files/src/ (static arm64 programs run on the real 6.1 kernel by
 * tools/real-kernel/capture) print one block per stage, in the process probes' format with the
 * sections a page-cache probe needs:
 *
 *   =====STAGE <probe>:<role>:<stage>=====
 *   note …            addr <label> 0x…     result <key> <value>
 *   --- faults        minflt/majflt over the action (getrusage, the task alone)
 *   --- vmstat-delta  /proc/vmstat deltas over the action (system-wide, folded by stat_refresh)
 *   --- vmstat        the same /proc/vmstat lines after the action
 *   --- status        VmRSS, RssAnon, RssFile, RssShmem
 *   --- smaps_rollup  /proc/self/smaps_rollup
 *   --- smaps         "mapping <label> 0x…" and the /proc/self/smaps block of the VMA holding it
 *   --- mincore       "<label> 0x… pages=N resident=K runs=a-b,…"
 *   --- pagemap       as in the process probes
 *   --- meminfo       the whole /proc/meminfo
 *   =====END STAGE=====
 *
 * The block splitting, head lines, counters, maps and pagemap lines are process-capture.ts's.
 */
import { fileURLToPath } from "node:url";
import { ArgumentError } from "@mmsim/core";
import {
  parseCounters,
  parseKb,
  parseMapsLine,
  parsePagemapLine,
  parseStageHead,
  sectionLines,
  splitStageBlocks,
  type MapsLine,
  type PagemapEntry,
  type ProcessCaptureInfo,
  type RawStageBlock,
  listStageCaptures,
  readStageCapture,
} from "./process-capture.ts";

/** Where the file captures live, from src/ and from dist/ alike. */
export const FILES_CAPTURES_DIR = fileURLToPath(new URL("../fixtures/files/linux-6.1-arm64/", import.meta.url));

/** The /proc/self/smaps block of the VMA holding a watched address. */
export interface SmapsEntry {
  /** The probe's name for the address (`p`, `q`, `s`). */
  readonly label: string;
  readonly vaddr: number;
  /** False when no VMA held the address (then `header` is undefined and `kb` empty). */
  readonly mapped: boolean;
  /** The VMA's maps line. */
  readonly header?: MapsLine;
  /** The `Field:   N kB` lines in kB (`Size`, `Rss`, `Pss`, `Shared_Dirty`, `Private_Dirty`, `Anonymous`, …). */
  readonly kb: Readonly<Record<string, number>>;
  /** `THPeligible` (0 or 1). */
  readonly thpEligible?: number;
  /** The `VmFlags` mnemonics (`rd`, `wr`, `sh`, `mr`, …). */
  readonly vmFlags: readonly string[];
}

/** mincore(2) of a watched range: which pages are in the page cache (file) or resident. */
export interface MincoreEntry {
  readonly label: string;
  readonly vaddr: number;
  readonly pages: number;
  readonly resident: number;
  /** Resident page runs as inclusive [first, last] page indexes from vaddr. */
  readonly runs: readonly (readonly [number, number])[];
}

/** One stage block of a file probe. */
export interface FilesStage {
  /** `<probe>:<role>:<stage>`, e.g. `tmpfs-shared:child:write-all`. */
  readonly id: string;
  readonly probe: string;
  /** `main`, or `parent`/`child`. */
  readonly role: string;
  readonly stage: string;
  readonly notes: readonly string[];
  readonly addrs: Readonly<Record<string, bigint>>;
  /** `result` lines: key → the rest of the line (`-1 errno 28 ENOSPC`, `1048576`). */
  readonly results: Readonly<Record<string, string>>;
  /** getrusage deltas over the action: exact for the task. */
  readonly faults: { readonly minflt: number; readonly majflt: number };
  /** /proc/vmstat deltas over the action (`nr_shmem`, `nr_dirty`, `pgfault`, `pgpgin` in KiB, …): the whole system. */
  readonly vmstatDelta: Readonly<Record<string, number>>;
  /** The same /proc/vmstat lines after the action. */
  readonly vmstat: Readonly<Record<string, number>>;
  /** `VmRSS`, `RssAnon`, `RssFile`, `RssShmem` in kB (they lag smaps: SPLIT_RSS_COUNTING). */
  readonly statusKb: Readonly<Record<string, number>>;
  /** The `[rollup]` header line of smaps_rollup. */
  readonly smapsRollupHeader: string;
  /** smaps_rollup fields in kB. */
  readonly smapsRollup: Readonly<Record<string, number>>;
  readonly smaps: readonly SmapsEntry[];
  readonly mincore: readonly MincoreEntry[];
  readonly pagemap: readonly PagemapEntry[];
  /** Every /proc/meminfo line: kB for the `kB` lines (`Cached`, `Shmem`, `Active(file)`), a count for `HugePages_*`. */
  readonly meminfo: Readonly<Record<string, number>>;
}

/** One capture: the workload's own lines before the first stage, and the stages in order. */
export interface FilesCapture {
  readonly name: string;
  readonly dir: string;
  readonly info: ProcessCaptureInfo;
  /** Lines printed outside stage blocks (run.sh's report of sysctls and mounts). */
  readonly preamble: readonly string[];
  readonly stages: readonly FilesStage[];
  /** The stage with this id; throws an ArgumentError listing the ids when there is none. */
  stage(id: string): FilesStage;
}

const SITE = "conformance.parseFilesCapture";
const SECTIONS = ["faults", "vmstat-delta", "vmstat", "status", "smaps_rollup", "smaps", "mincore", "pagemap", "meminfo"] as const;

function bad(where: string, expected: string, got: string): ArgumentError {
  return new ArgumentError(SITE, where, expected, got);
}

/** `Field:   N kB` lines (meminfo also has bare counts) into a record. */
function fieldLines(lines: readonly string[], where: string, bareCounts: boolean): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of lines) {
    const m = /^([\w()]+):\s+(.*)$/.exec(l);
    if (!m) throw bad(where, "`Field:   N kB` lines", JSON.stringify(l));
    if (bareCounts && /^\d+$/.test(m[2]!)) out[m[1]!] = Number(m[2]);
    else out[m[1]!] = parseKb(m[2]!, `${where} ${m[1]}`, SITE);
  }
  return out;
}

function parseSmaps(lines: readonly string[], where: string): SmapsEntry[] {
  const out: SmapsEntry[] = [];
  let i = 0;
  while (i < lines.length) {
    const m = /^mapping (\S+) 0x([0-9a-f]+)( unmapped)?$/.exec(lines[i]!);
    if (!m) throw bad(where, "a `mapping <label> 0x<addr>` line", JSON.stringify(lines[i]));
    const label = m[1]!;
    const vaddr = parseInt(m[2]!, 16);
    i++;
    if (m[3]) {
      out.push({ label, vaddr, mapped: false, kb: {}, vmFlags: [] });
      continue;
    }
    if (i >= lines.length) throw bad(`${where} ${label}`, "the VMA's maps line", "the end of the section");
    const header = parseMapsLine(lines[i]!, `${where} ${label}`);
    i++;
    const kb: Record<string, number> = {};
    let thpEligible: number | undefined;
    let vmFlags: string[] = [];
    for (; i < lines.length && !lines[i]!.startsWith("mapping "); i++) {
      const l = lines[i]!;
      const f = /^(\w+):\s*(.*)$/.exec(l);
      if (!f) throw bad(`${where} ${label}`, "`Field: value` lines", JSON.stringify(l));
      if (f[1] === "VmFlags") vmFlags = f[2]!.trim().split(/\s+/).filter((x) => x !== "");
      else if (f[1] === "THPeligible") thpEligible = Number(f[2]);
      else if (f[1] === "ProtectionKey") continue;
      else kb[f[1]!] = parseKb(f[2]!, `${where} ${label} ${f[1]}`, SITE);
    }
    out.push({ label, vaddr, mapped: true, header, kb, vmFlags, ...(thpEligible === undefined ? {} : { thpEligible }) });
  }
  return out;
}

function parseMincore(line: string, where: string): MincoreEntry {
  const m = /^(\S+) 0x([0-9a-f]+) pages=(\d+) resident=(\d+) runs=(\S+)$/.exec(line);
  if (!m) throw bad(where, "`<label> 0x<addr> pages=N resident=K runs=a-b,…`", JSON.stringify(line));
  const runs: [number, number][] = m[5] === "-" ? [] : m[5]!.split(",").map((r) => {
    const x = /^(\d+)-(\d+)$/.exec(r);
    if (!x) throw bad(where, "runs as first-last page indexes", JSON.stringify(r));
    return [Number(x[1]), Number(x[2])];
  });
  return { label: m[1]!, vaddr: parseInt(m[2]!, 16), pages: Number(m[3]), resident: Number(m[4]), runs };
}

function buildStage(b: RawStageBlock): FilesStage {
  const { notes, addrs, results } = parseStageHead(b, SITE);
  const f = parseCounters(b, "faults", SITE);
  if (f.minflt === undefined || f.majflt === undefined) throw bad(b.at("faults"), "minflt and majflt", JSON.stringify(f));
  const rollup = sectionLines(b, "smaps_rollup");
  return {
    id: b.header,
    probe: b.probe,
    role: b.role,
    stage: b.stage,
    notes,
    addrs,
    results,
    faults: { minflt: f.minflt, majflt: f.majflt },
    vmstatDelta: parseCounters(b, "vmstat-delta", SITE),
    vmstat: parseCounters(b, "vmstat", SITE),
    statusKb: fieldLines(sectionLines(b, "status"), b.at("status"), false),
    smapsRollupHeader: rollup[0] ?? "",
    smapsRollup: fieldLines(rollup.slice(1), b.at("smaps_rollup"), false),
    smaps: parseSmaps(sectionLines(b, "smaps"), b.at("smaps")),
    mincore: sectionLines(b, "mincore").map((l) => parseMincore(l, b.at("mincore"))),
    pagemap: sectionLines(b, "pagemap").map((l) => parsePagemapLine(l, b.at("pagemap"), SITE)),
    meminfo: fieldLines(sectionLines(b, "meminfo"), b.at("meminfo"), true),
  };
}

/**
 * Parses the text of a file capture's `workload` into its stages.
 * @param file what error messages call the text (its path)
 * @throws ArgumentError naming the file, line and stage of the first malformed block
 */
export function parseFilesWorkload(text: string, file = "workload"): { preamble: string[]; stages: FilesStage[] } {
  const { preamble, blocks } = splitStageBlocks(text, file, SECTIONS, SITE);
  return { preamble, stages: blocks.map(buildStage) };
}

/**
 * Reads one file capture directory (run.sh, workload, capture.json).
 * @param name a capture under FILES_CAPTURES_DIR (`tmpfs-shared`), or a directory path
 */
export function readFilesCapture(name: string, root: string = FILES_CAPTURES_DIR): FilesCapture {
  return readStageCapture("file", "FilesCapture", name, root, parseFilesWorkload);
}

/** The names of the captures under `root`, sorted. */
export function listFilesCaptures(root: string = FILES_CAPTURES_DIR): string[] {
  return listStageCaptures(root);
}

/** The smaps block a stage printed for `label`; throws naming the labels it has when there is none. */
export function smapsOf(stage: FilesStage, label: string): SmapsEntry {
  const e = stage.smaps.find((s) => s.label === label);
  if (!e) throw new ArgumentError("conformance.smapsOf", label, `a watched mapping of ${stage.id} (${stage.smaps.map((s) => s.label).join(", ") || "none"})`, "no such label");
  return e;
}

/** The mincore line a stage printed for `label`; throws naming the labels it has when there is none. */
export function mincoreOf(stage: FilesStage, label: string): MincoreEntry {
  const e = stage.mincore.find((s) => s.label === label);
  if (!e) throw new ArgumentError("conformance.mincoreOf", label, `a mincore range of ${stage.id} (${stage.mincore.map((s) => s.label).join(", ") || "none"})`, "no such label");
  return e;
}

/** meminfo[field] of `after` minus that of `before` (kB), throwing when either lacks it. */
export function meminfoDelta(before: FilesStage, after: FilesStage, field: string): number {
  const a = before.meminfo[field];
  const b = after.meminfo[field];
  if (a === undefined || b === undefined) throw new ArgumentError("conformance.meminfoDelta", field, `a /proc/meminfo field of ${before.id} and ${after.id}`, "missing");
  return b - a;
}
