// mmsim: reads the reclaim, swap and zram probe captures (fixtures/reclaim/) into structured stages
/*
 * The probes of fixtures/reclaim/src/ (static arm64 programs run on the real 6.1 kernel by
 * tools/real-kernel/capture, some with --zram and --lru-gen) print one block per stage, in the
 * process probes' format with the sections a reclaim probe needs:
 *
 *   =====STAGE <probe>:<role>:<stage>=====
 *   note …   addr <label> 0x…   result <key> <value>   (result elapsed_ns: the action's time)
 *   --- faults           minflt/majflt over the action (getrusage, the task alone)
 *   --- vmstat-delta     every /proc/vmstat item that changed over the action (folded)
 *   --- vmstat           the whole /proc/vmstat after it
 *   --- meminfo          the whole /proc/meminfo
 *   --- status           VmRSS, RssAnon, RssFile, RssShmem, VmSwap, VmLck
 *   --- smaps            "mapping <label> 0x…" and the smaps block of the VMA holding it
 *   --- mincore          "<label> 0x… pages=N resident=K runs=a-b,…"
 *   --- pagemap          decoded pagemap lines, with swp_type/swp_offset for swapped entries
 *   --- swaps            /proc/swaps
 *   --- mm_stat, io_stat, bd_stat, zram_stat   /sys/block/zram0/… (empty without zram)
 *   --- lru_gen_enabled  /sys/kernel/mm/lru_gen/enabled
 *   --- lru_gen          /sys/kernel/debug/lru_gen
 *   --- psi              /proc/pressure/memory
 *   =====END STAGE=====
 *
 * Block splitting, head lines, counters and maps lines are process-capture.ts's; the capture
 * directory is read by its readStageCapture. Every section is parsed strictly, so a broken
 * fixture fails the test that reads it.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ArgumentError } from "@mmsim/core";
import {
  listStageCaptures,
  parseCounters,
  parseKb,
  parseMapsLine,
  parseStageHead,
  readStageCapture,
  sectionLines,
  splitStageBlocks,
  type MapsLine,
  type ProcessCaptureInfo,
  type RawStageBlock,
  type StageCapture,
} from "./process-capture.ts";

/** Where the reclaim captures live, from src/ and from dist/ alike. */
export const RECLAIM_CAPTURES_DIR = fileURLToPath(new URL("../fixtures/reclaim/linux-6.1-arm64/", import.meta.url));

const SITE = "conformance.parseReclaimCapture";
const SECTIONS = [
  "faults", "vmstat-delta", "vmstat", "meminfo", "status", "smaps", "mincore", "pagemap", "swaps",
  "mm_stat", "io_stat", "bd_stat", "zram_stat", "lru_gen_enabled", "lru_gen", "psi",
] as const;

function bad(where: string, expected: string, got: string): ArgumentError {
  return new ArgumentError(SITE, where, expected, got);
}

/** One /proc/swaps line (mm/swapfile.c swap_show: "%s%*s%s\t%u\t%s%u\t%s%d"). */
export interface SwapsLine {
  /** The line as printed. */
  readonly raw: string;
  readonly filename: string;
  /** `partition` or `file`. */
  readonly type: string;
  readonly sizeKb: number;
  readonly usedKb: number;
  readonly priority: number;
}

/** /sys/block/zram0/mm_stat (drivers/block/zram/zram_drv.c mm_stat_show), bytes and pages. */
export interface ZramMmStat {
  /** Bytes of data stored, uncompressed (same-filled pages included). */
  readonly origDataSize: number;
  /** Bytes after compression (same-filled pages count 0). */
  readonly comprDataSize: number;
  /** Bytes of memory zsmalloc uses, metadata and fragmentation included. */
  readonly memUsedTotal: number;
  readonly memLimit: number;
  readonly memUsedMax: number;
  /** Pages stored as one repeated word (zero pages among them): no zsmalloc object. */
  readonly samePages: number;
  readonly pagesCompacted: number;
  /** Pages stored uncompressed (compressed size above huge_class_size). */
  readonly hugePages: number;
  readonly hugePagesSince: number;
}

/** /sys/block/zram0/io_stat. */
export interface ZramIoStat {
  readonly failedReads: number;
  readonly failedWrites: number;
  readonly invalidIo: number;
  /** Slots freed by swap_slot_free_notify. */
  readonly notifyFree: number;
}

/** One generation line of /sys/kernel/debug/lru_gen (mm/vmscan.c lru_gen_seq_show). */
export interface LruGenGeneration {
  /** The generation's sequence number (max_seq for the youngest). */
  readonly seq: number;
  /** Milliseconds since the generation was made. */
  readonly ageMs: number;
  readonly anonPages: number;
  readonly filePages: number;
}

/** One `memcg … / node …` group of /sys/kernel/debug/lru_gen. */
export interface LruGenNode {
  readonly memcgId: number;
  readonly memcgPath: string;
  readonly node: number;
  /** Oldest first, as printed. */
  readonly generations: readonly LruGenGeneration[];
}

/** A `some`/`full` line of /proc/pressure/memory. */
export interface PsiLine {
  readonly avg10: number;
  readonly avg60: number;
  readonly avg300: number;
  /** Microseconds stalled in total. */
  readonly total: number;
}

/** One decoded /proc/self/pagemap entry (with the swap entry of a swapped page). */
export interface ReclaimPagemapEntry {
  readonly label: string;
  readonly vaddr: number;
  readonly present: boolean;
  readonly swapped: boolean;
  readonly fileOrShared: boolean;
  readonly exclusive: boolean;
  /** Swapped entries: the swap device's index and the slot. */
  readonly swpType?: number;
  readonly swpOffset?: number;
  /** Present pages: frame (compare identity only), mapcount, KPF_* names. */
  readonly pfn?: number;
  readonly mapcount?: number;
  readonly flags: readonly string[];
}

/** The smaps block of the VMA holding a watched address: its maps line and its kB fields. */
export interface ReclaimSmapsEntry {
  readonly label: string;
  readonly vaddr: number;
  readonly header: MapsLine;
  /** `Rss`, `Pss`, `Anonymous`, `Swap`, `SwapPss`, `Locked`, … in kB. */
  readonly kb: Readonly<Record<string, number>>;
}

/** mincore(2) of a watched range. */
export interface ReclaimMincoreEntry {
  readonly label: string;
  readonly vaddr: number;
  readonly pages: number;
  readonly resident: number;
}

/** One stage block of a reclaim probe. */
export interface ReclaimStage {
  /** `<probe>:<role>:<stage>`, e.g. `swap-zram:main:pageout-mixed`. */
  readonly id: string;
  readonly probe: string;
  readonly role: string;
  readonly stage: string;
  readonly notes: readonly string[];
  readonly addrs: Readonly<Record<string, bigint>>;
  /** `result` lines (`madvise 0`, `bytes 1048576`, `progress_write_f03 elapsed_ns=… pswpin=…`). */
  readonly results: Readonly<Record<string, string>>;
  /** CLOCK_MONOTONIC over the action, in the guest (QEMU TCG: not the speed of a real machine). */
  readonly elapsedNs: number;
  readonly faults: { readonly minflt: number; readonly majflt: number };
  /** Every /proc/vmstat item that changed over the action (absent: unchanged). */
  readonly vmstatDelta: Readonly<Record<string, number>>;
  /** The whole /proc/vmstat after the action. */
  readonly vmstat: Readonly<Record<string, number>>;
  /** Every /proc/meminfo line: kB for the `kB` lines, a count for `HugePages_*`. */
  readonly meminfo: Readonly<Record<string, number>>;
  /** `VmRSS`, `RssAnon`, `RssFile`, `RssShmem`, `VmSwap`, `VmLck` in kB. */
  readonly statusKb: Readonly<Record<string, number>>;
  readonly smaps: readonly ReclaimSmapsEntry[];
  readonly mincore: readonly ReclaimMincoreEntry[];
  readonly pagemap: readonly ReclaimPagemapEntry[];
  /** /proc/swaps: the header as printed and the devices (none: no swap). */
  readonly swapsHeader: string;
  readonly swaps: readonly SwapsLine[];
  /** zram0's counters (undefined: the board has no zram). */
  readonly mmStat?: ZramMmStat;
  readonly ioStat?: ZramIoStat;
  /** /sys/kernel/mm/lru_gen/enabled as a number (0x0001: MGLRU on, no page-table walks). */
  readonly lruGenEnabled: number;
  /** /sys/kernel/debug/lru_gen as printed, and parsed. */
  readonly lruGenText: string;
  readonly lruGen: readonly LruGenNode[];
  readonly psi: { readonly some: PsiLine; readonly full: PsiLine };
}

/** One reclaim capture: its stages, the setup block of the capture tool (zram, lru_gen). */
export interface ReclaimCapture extends StageCapture<ReclaimStage> {
  /** The capture tool's setup output (insmod, mkswap, swapon, /proc/swaps, lru_gen/enabled); [] when none. */
  readonly setup: readonly string[];
}

/** capture.json of a reclaim capture: the board's zram and lru_gen options too. */
export interface ReclaimCaptureInfo extends ProcessCaptureInfo {
  /** `--zram` size (`512M`), "" without zram. */
  readonly zram: string;
  /** `--lru-gen` (`on`, `off`). */
  readonly lru_gen: string;
}

const nums = (line: string, n: number, where: string): number[] => {
  const f = line.trim().split(/\s+/);
  if (f.length !== n || f.some((x) => !/^-?\d+$/.test(x))) throw bad(where, `${n} numbers`, JSON.stringify(line));
  return f.map(Number);
};

/** Parses the lines of /proc/swaps (the header line first). */
export function parseSwaps(lines: readonly string[], where = "/proc/swaps"): { header: string; swaps: SwapsLine[] } {
  const header = lines[0] ?? "";
  if (!/^Filename\t+Type\t+Size\t+Used\t+Priority$/.test(header)) throw bad(where, "the /proc/swaps header (Filename\\t\\t\\t\\tType\\t\\tSize\\t\\tUsed\\t\\tPriority)", JSON.stringify(header));
  const swaps = lines.slice(1).map((raw) => {
    const m = /^(\S+) *\t?(\S+)\t+(\d+)\t+(\d+)\t+(-?\d+)$/.exec(raw);
    if (!m) throw bad(where, "a /proc/swaps line (filename padded to 40, type, size, used, priority)", JSON.stringify(raw));
    return { raw, filename: m[1]!, type: m[2]!, sizeKb: Number(m[3]), usedKb: Number(m[4]), priority: Number(m[5]) };
  });
  return { header, swaps };
}

/** Parses /sys/block/zram0/mm_stat's one line. */
export function parseMmStat(line: string, where = "mm_stat"): ZramMmStat {
  const v = nums(line, 9, where);
  return {
    origDataSize: v[0]!, comprDataSize: v[1]!, memUsedTotal: v[2]!, memLimit: v[3]!, memUsedMax: v[4]!,
    samePages: v[5]!, pagesCompacted: v[6]!, hugePages: v[7]!, hugePagesSince: v[8]!,
  };
}

/** Parses /sys/kernel/debug/lru_gen (6.1's lru_gen_seq_show without the verbose columns). */
export function parseLruGen(lines: readonly string[], where = "lru_gen"): LruGenNode[] {
  const out: { memcgId: number; memcgPath: string; node: number; generations: LruGenGeneration[] }[] = [];
  let memcg: { id: number; path: string } | undefined;
  for (const l of lines) {
    const mc = /^memcg +(\d+) (\S.*)$/.exec(l);
    if (mc) {
      memcg = { id: Number(mc[1]), path: mc[2]! };
      continue;
    }
    const nd = /^ node +(\d+)$/.exec(l);
    if (nd) {
      if (!memcg) throw bad(where, "a memcg line before the node line", JSON.stringify(l));
      out.push({ memcgId: memcg.id, memcgPath: memcg.path, node: Number(nd[1]), generations: [] });
      continue;
    }
    const g = /^ +(\d+) +(\d+) +(\d+) +(\d+) ?$/.exec(l);
    if (g && out.length > 0) {
      out[out.length - 1]!.generations.push({ seq: Number(g[1]), ageMs: Number(g[2]), anonPages: Number(g[3]), filePages: Number(g[4]) });
      continue;
    }
    throw bad(where, "memcg, node or generation lines (seq age_ms anon file)", JSON.stringify(l));
  }
  return out;
}

function parsePsi(lines: readonly string[], where: string): { some: PsiLine; full: PsiLine } {
  const get = (kind: string): PsiLine => {
    const l = lines.find((x) => x.startsWith(`${kind} `));
    const m = l === undefined ? null : /^\w+ avg10=([\d.]+) avg60=([\d.]+) avg300=([\d.]+) total=(\d+)$/.exec(l);
    if (!m) throw bad(where, `a "${kind} avg10=… avg60=… avg300=… total=…" line`, JSON.stringify(l ?? "none"));
    return { avg10: Number(m[1]), avg60: Number(m[2]), avg300: Number(m[3]), total: Number(m[4]) };
  };
  return { some: get("some"), full: get("full") };
}

const PAGEMAP_RE = /^(\S+) 0x([0-9a-f]+) present=([01]) swapped=([01]) file_or_shared=([01]) exclusive=([01]) soft_dirty=[01](?: swp_type=(\d+) swp_offset=(\d+))?(?: pfn=0x([0-9a-f]+) mapcount=(\d+) kpageflags=0x[0-9a-f]+ flags=(\S+))?$/;

function parsePagemap(line: string, where: string): ReclaimPagemapEntry {
  const m = PAGEMAP_RE.exec(line);
  if (!m) throw bad(where, "a decoded pagemap line (label 0x… present=… … [swp_type=… swp_offset=…] [pfn=…])", JSON.stringify(line));
  const present = m[3] === "1";
  const swapped = m[4] === "1";
  if (present !== (m[9] !== undefined) || swapped !== (m[7] !== undefined)) throw bad(where, "pfn with present entries, swp_type with swapped ones", JSON.stringify(line));
  return {
    label: m[1]!,
    vaddr: parseInt(m[2]!, 16),
    present,
    swapped,
    fileOrShared: m[5] === "1",
    exclusive: m[6] === "1",
    ...(swapped ? { swpType: Number(m[7]), swpOffset: Number(m[8]) } : {}),
    ...(present ? { pfn: parseInt(m[9]!, 16), mapcount: Number(m[10]) } : {}),
    flags: m[11] === undefined || m[11] === "-" ? [] : m[11].split(","),
  };
}

function parseSmaps(lines: readonly string[], where: string): ReclaimSmapsEntry[] {
  const out: ReclaimSmapsEntry[] = [];
  for (let i = 0; i < lines.length;) {
    const m = /^mapping (\S+) 0x([0-9a-f]+)$/.exec(lines[i]!);
    if (!m) throw bad(where, "a `mapping <label> 0x<addr>` line", JSON.stringify(lines[i]));
    const header = parseMapsLine(lines[i + 1] ?? "", `${where} ${m[1]}`);
    const kb: Record<string, number> = {};
    for (i += 2; i < lines.length && !lines[i]!.startsWith("mapping "); i++) {
      const f = /^(\w+):\s*(.*)$/.exec(lines[i]!);
      if (!f) throw bad(`${where} ${m[1]}`, "`Field: value` lines", JSON.stringify(lines[i]));
      if (f[2]!.endsWith(" kB")) kb[f[1]!] = parseKb(f[2]!, `${where} ${m[1]} ${f[1]}`, SITE);
    }
    out.push({ label: m[1]!, vaddr: parseInt(m[2]!, 16), header, kb });
  }
  return out;
}

function fieldLines(lines: readonly string[], where: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const l of lines) {
    const m = /^([\w()]+):\s+(.*)$/.exec(l);
    if (!m) throw bad(where, "`Field:   N kB` lines", JSON.stringify(l));
    out[m[1]!] = /^\d+$/.test(m[2]!) ? Number(m[2]) : parseKb(m[2]!, `${where} ${m[1]}`, SITE);
  }
  return out;
}

/** `/proc/vmstat` text (`name value` lines) into a record. */
function vmstatLines(b: RawStageBlock, section: string): Record<string, number> {
  return parseCounters(b, section, SITE);
}

function buildStage(b: RawStageBlock): ReclaimStage {
  const { notes, addrs, results } = parseStageHead(b, SITE);
  const elapsed = results.elapsed_ns;
  if (elapsed === undefined || !/^\d+$/.test(elapsed)) throw bad(b.at("result elapsed_ns"), "the action's time in ns", JSON.stringify(elapsed ?? "none"));
  const f = parseCounters(b, "faults", SITE);
  if (f.minflt === undefined || f.majflt === undefined) throw bad(b.at("faults"), "minflt and majflt", JSON.stringify(f));
  const vmstat = vmstatLines(b, "vmstat");
  if (vmstat.nr_free_pages === undefined || vmstat.pswpin === undefined) throw bad(b.at("vmstat"), "the whole /proc/vmstat (nr_free_pages … pswpin …)", `${Object.keys(vmstat).length} items`);
  const meminfo = fieldLines(sectionLines(b, "meminfo"), b.at("meminfo"));
  if (meminfo.MemTotal === undefined || meminfo.SwapTotal === undefined) throw bad(b.at("meminfo"), "the whole /proc/meminfo", `${Object.keys(meminfo).length} fields`);
  const { header: swapsHeader, swaps } = parseSwaps(sectionLines(b, "swaps"), b.at("swaps"));
  const mm = sectionLines(b, "mm_stat");
  const io = sectionLines(b, "io_stat");
  const enabled = sectionLines(b, "lru_gen_enabled");
  if (enabled.length !== 1 || !/^0x[0-9a-f]{4}$/.test(enabled[0]!)) throw bad(b.at("lru_gen_enabled"), "one 0x%04x line", JSON.stringify(enabled));
  const lruGenLines = sectionLines(b, "lru_gen");
  let ioStat: ZramIoStat | undefined;
  if (io.length > 0) {
    const v = nums(io[0]!, 4, b.at("io_stat"));
    ioStat = { failedReads: v[0]!, failedWrites: v[1]!, invalidIo: v[2]!, notifyFree: v[3]! };
  }
  return {
    id: b.header,
    probe: b.probe,
    role: b.role,
    stage: b.stage,
    notes,
    addrs,
    results,
    elapsedNs: Number(elapsed),
    faults: { minflt: f.minflt, majflt: f.majflt },
    vmstatDelta: vmstatLines(b, "vmstat-delta"),
    vmstat,
    meminfo,
    statusKb: fieldLines(sectionLines(b, "status"), b.at("status")),
    smaps: parseSmaps(sectionLines(b, "smaps"), b.at("smaps")),
    mincore: sectionLines(b, "mincore").map((l) => {
      const m = /^(\S+) 0x([0-9a-f]+) pages=(\d+) resident=(\d+) runs=\S+$/.exec(l);
      if (!m) throw bad(b.at("mincore"), "`<label> 0x<addr> pages=N resident=K runs=…`", JSON.stringify(l));
      return { label: m[1]!, vaddr: parseInt(m[2]!, 16), pages: Number(m[3]), resident: Number(m[4]) };
    }),
    pagemap: sectionLines(b, "pagemap").map((l) => parsePagemap(l, b.at("pagemap"))),
    swapsHeader,
    swaps,
    ...(mm.length > 0 ? { mmStat: parseMmStat(mm[0]!, b.at("mm_stat")) } : {}),
    ...(ioStat ? { ioStat } : {}),
    lruGenEnabled: parseInt(enabled[0]!, 16),
    lruGenText: lruGenLines.map((l) => `${l}\n`).join(""),
    lruGen: parseLruGen(lruGenLines, b.at("lru_gen")),
    psi: parsePsi(sectionLines(b, "psi"), b.at("psi")),
  };
}

/**
 * Parses the text of a reclaim capture's `workload` into its stages.
 * @param file what error messages call the text (its path)
 * @throws ArgumentError naming the file, line and stage of the first malformed block
 */
export function parseReclaimWorkload(text: string, file = "workload"): { preamble: string[]; stages: ReclaimStage[] } {
  const { preamble, blocks } = splitStageBlocks(text, file, SECTIONS, SITE);
  return { preamble, stages: blocks.map(buildStage) };
}

/**
 * Reads one reclaim capture directory (run.sh, args, workload, capture.json, setup).
 * @param name a capture under RECLAIM_CAPTURES_DIR (`swap-zram`, `tmpfs-reread-lru-1`), or a directory path
 */
export function readReclaimCapture(name: string, root: string = RECLAIM_CAPTURES_DIR): ReclaimCapture {
  const c = readStageCapture("reclaim", "ReclaimCapture", name, root, parseReclaimWorkload);
  const setupFile = join(c.dir, "setup");
  const setup = existsSync(setupFile) ? readFileSync(setupFile, "utf8").split("\n").filter((l) => l !== "") : [];
  return { ...c, setup };
}

/** The names of the captures under `root`, sorted. */
export function listReclaimCaptures(root: string = RECLAIM_CAPTURES_DIR): string[] {
  return listStageCaptures(root);
}

/** The runs of the quality-bar workload under one policy (`tmpfs-reread-lru-1`, …), in order. */
export function qualityBarRuns(policy: "lru" | "mglru", root: string = RECLAIM_CAPTURES_DIR): ReclaimCapture[] {
  return listReclaimCaptures(root)
    .filter((n) => n.startsWith(`tmpfs-reread-${policy}-`))
    .sort((a, b) => Number(a.split("-").pop()) - Number(b.split("-").pop()))
    .map((n) => readReclaimCapture(n, root));
}

/** vmstat[item] of `after` minus that of `before`, throwing when either lacks it. */
export function vmstatBetween(before: ReclaimStage, after: ReclaimStage, item: string): number {
  const a = before.vmstat[item];
  const b = after.vmstat[item];
  if (a === undefined || b === undefined) throw new ArgumentError("conformance.vmstatBetween", item, `a /proc/vmstat item of ${before.id} and ${after.id}`, "missing");
  return b - a;
}

/** One `result progress_<phase>_f<NN> elapsed_ns=… pswpin=… …` line of the quality-bar workload. */
export interface ProgressPoint {
  /** `write`, `reread1`, `reread2`, `reread3`. */
  readonly phase: string;
  readonly file: number;
  /** `elapsed_ns` (since the stage began) and the vmstat counters printed (not folded). */
  readonly values: Readonly<Record<string, number>>;
}

/** A stage's progress lines, in the order printed. */
export function progressOf(stage: ReclaimStage): ProgressPoint[] {
  const out: ProgressPoint[] = [];
  for (const [key, value] of Object.entries(stage.results)) {
    const k = /^progress_(\w+?)_f(\d+)$/.exec(key);
    if (!k) continue;
    const values: Record<string, number> = {};
    for (const kv of value.split(" ")) {
      const m = /^(\w+)=(-?\d+)$/.exec(kv);
      if (!m) throw new ArgumentError("conformance.progressOf", `${stage.id} ${key}`, "name=number pairs", JSON.stringify(kv));
      values[m[1]!] = Number(m[2]);
    }
    out.push({ phase: k[1]!, file: Number(k[2]), values });
  }
  return out;
}

/** Mean, min and max of some runs' figures. */
export interface RunSpread {
  readonly mean: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

/** The spread of `values` (at least one). */
export function spread(values: readonly number[]): RunSpread {
  if (values.length === 0) throw new ArgumentError("conformance.spread", "values", "at least one run", "none");
  return {
    mean: values.reduce((s, v) => s + v, 0) / values.length,
    min: Math.min(...values),
    max: Math.max(...values),
    runs: values.length,
  };
}
