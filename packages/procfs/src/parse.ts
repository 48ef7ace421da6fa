// mmsim: parsers of the kernel's memory text files back into data (the inverse of 6.1's show functions; no kernel counterpart)
/*
 * Each parser reads the text one 6.1 show function prints — the real kernel's as well as
 * mmsim's, which prints the same characters — and returns plain data, ready for JSON:
 *
 *   parseMeminfo       fs/proc/meminfo.c meminfo_proc_show        field → number (kB, or pages for HugePages_*)
 *   parseVmstat        mm/vmstat.c vmstat_show                   counter → number
 *   parseBuddyinfo     mm/vmstat.c frag_show_print               one row per zone: free blocks per order
 *   parsePagetypeinfo  mm/vmstat.c pagetypeinfo_show             free blocks per type and order, pageblocks per type
 *   parseZoneinfo      mm/vmstat.c zoneinfo_show_print           one entry per zone: watermarks, stats, pagesets
 *   parseSlabinfo      mm/slab_common.c slab_show                one row per cache
 *   parseSysctl        kernel/sysctl.c proc_dointvec & co.       a number, or the numbers of a vector sysctl
 *   parseMemblockDebugfs  mm/memblock.c memblock_debug_show       one row per region
 *   parseVmallocinfo   mm/vmalloc.c s_show                       one row per vm area
 *   parseIomem         kernel/resource.c r_show                  one row per resource, with its depth
 *
 * Conventions: property names are camelCase; maps keyed by the kernel's own names (meminfo
 * fields, vmstat counters, migrate types) keep the kernel's spelling. Counts and sizes are
 * numbers. Addresses are strings: "0x" and lowercase hex digits, as printed (physical ones
 * zero-padded to 16 digits), because kernel virtual addresses do not fit a JSON number.
 *
 * A line a parser does not recognise throws ArgumentError naming the parser, the 1-based line
 * and its text, so a format change shows up at once instead of as silently missing data.
 */
import { ArgumentError } from "@mmsim/core";

/** /proc/buddyinfo: one row per zone. */
export interface BuddyinfoZone {
  readonly node: number;
  readonly zone: string;
  /** Free blocks of each order, order 0 first (NR_PAGE_ORDERS = 11 entries on 6.1). */
  readonly free: readonly number[];
}

/** /proc/pagetypeinfo's free-count table: one row per zone and migrate type. */
export interface PagetypeinfoFree {
  readonly node: number;
  readonly zone: string;
  /** The migrate type as the kernel names it: Unmovable, Movable, Reclaimable, HighAtomic, CMA, Isolate. */
  readonly type: string;
  /** Free blocks of each order; a count the kernel stopped at is the cap (100000 on 6.1). */
  readonly free: readonly number[];
  /** Orders whose count was printed as `>100000` (the kernel stops counting there). */
  readonly cappedOrders: readonly number[];
}

/** /proc/pagetypeinfo's pageblock table: one row per zone. */
export interface PagetypeinfoBlocks {
  readonly node: number;
  readonly zone: string;
  /** Pageblocks of each migrate type, keyed by the kernel's type names. */
  readonly blocks: Readonly<Record<string, number>>;
}

/** /proc/pagetypeinfo. */
export interface Pagetypeinfo {
  readonly pageblockOrder: number;
  readonly pagesPerBlock: number;
  readonly free: readonly PagetypeinfoFree[];
  readonly blocks: readonly PagetypeinfoBlocks[];
}

/** One CPU's per-CPU page list in /proc/zoneinfo. */
export interface ZoneinfoPageset {
  readonly cpu: number;
  readonly count: number;
  readonly high: number;
  readonly batch: number;
  /** `vm stats threshold` (the per-CPU vmstat diff threshold), printed after each CPU's list. */
  readonly vmStatsThreshold?: number;
}

/** One zone of /proc/zoneinfo. Empty zones stop after `protection`. */
export interface ZoneinfoZone {
  readonly node: number;
  readonly zone: string;
  /** The node's counters, printed with the node's first populated zone only. */
  readonly nodeStats?: Readonly<Record<string, number>>;
  /** `pages free`, then the watermarks and page counts, in pages. */
  readonly free: number;
  readonly boost: number;
  readonly min: number;
  readonly low: number;
  readonly high: number;
  readonly spanned: number;
  readonly present: number;
  readonly managed: number;
  readonly cma?: number;
  /** lowmem_reserve[] against each zone index. */
  readonly protection: readonly number[];
  /** The zone's counters (nr_free_pages …, numa_hit …). */
  readonly stats?: Readonly<Record<string, number>>;
  readonly pagesets?: readonly ZoneinfoPageset[];
  readonly nodeUnreclaimable?: number;
  readonly startPfn?: number;
}

/** One cache of /proc/slabinfo (version 2.1). */
export interface SlabinfoCache {
  readonly name: string;
  readonly activeObjs: number;
  readonly numObjs: number;
  readonly objSize: number;
  readonly objPerSlab: number;
  readonly pagesPerSlab: number;
  /** tunables: SLAB's array-cache limit, batchcount, shared factor (0 under SLUB). */
  readonly limit: number;
  readonly batchCount: number;
  readonly sharedFactor: number;
  readonly activeSlabs: number;
  readonly numSlabs: number;
  readonly sharedAvail: number;
}

/** /proc/slabinfo. */
export interface Slabinfo {
  readonly version: string;
  readonly caches: readonly SlabinfoCache[];
}

/** One region of /sys/kernel/debug/memblock/{memory,reserved}. */
export interface MemblockRegionRow {
  readonly index: number;
  /** First and last byte (inclusive, as printed). */
  readonly base: string;
  readonly end: string;
}

/** One area of /proc/vmallocinfo. */
export interface VmallocinfoArea {
  readonly start: string;
  readonly end: string;
  /** Bytes, the guard page included (as printed). */
  readonly size: number;
  /** The caller as %pS prints it, e.g. `paging_init+0x130/0x610`; null when none is printed. */
  readonly caller: string | null;
  readonly pages: number | null;
  readonly phys: string | null;
  /** The type words: ioremap, vmalloc, vmap, user, dma-coherent, vpages; or `unpurged vm_area`. */
  readonly flags: readonly string[];
  /** Pages per node (`N0=4`). */
  readonly nodes: readonly { readonly node: number; readonly pages: number }[];
}

/** One resource of /proc/iomem. */
export interface IomemResource {
  /** Nesting depth: 0 for a top-level resource (each level indents two spaces). */
  readonly depth: number;
  readonly start: string;
  readonly end: string;
  readonly name: string;
}

function bad(site: string, lineNo: number, line: string, expected: string): ArgumentError {
  return new ArgumentError(`procfs.${site}`, `line ${lineNo}`, expected, JSON.stringify(line));
}

function lines(text: string): string[] {
  const all = text.split("\n");
  if (all[all.length - 1] === "") all.pop();
  return all;
}

function int(s: string): number {
  return Number.parseInt(s, 10);
}

const hex0x = (digits: string): string => `0x${digits.toLowerCase()}`;

/** /proc/meminfo: `Field:   value kB` → { Field: value }. Values are kB, except HugePages_* (pages). */
export function parseMeminfo(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  lines(text).forEach((line, i) => {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?: kB)?$/.exec(line);
    if (!m) throw bad("parseMeminfo", i + 1, line, "`Field:   <number> kB` or `Field:   <number>`");
    out[m[1]!] = int(m[2]!);
  });
  return out;
}

/** /proc/vmstat: `name value` → { name: value }. */
export function parseVmstat(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  lines(text).forEach((line, i) => {
    const m = /^([a-z0-9_]+) (-?\d+)$/.exec(line);
    if (!m) throw bad("parseVmstat", i + 1, line, "`<counter> <number>`");
    out[m[1]!] = int(m[2]!);
  });
  return out;
}

/** /proc/buddyinfo: `Node 0, zone      DMA      1      1 …` → one row per zone. */
export function parseBuddyinfo(text: string): BuddyinfoZone[] {
  return lines(text).map((line, i) => {
    const m = /^Node (\d+), zone +(\S+)((?: +\d+)+) *$/.exec(line);
    if (!m) throw bad("parseBuddyinfo", i + 1, line, "`Node <n>, zone <name> <count per order>…`");
    return { node: int(m[1]!), zone: m[2]!, free: m[3]!.trim().split(/ +/).map(int) };
  });
}

/** /proc/pagetypeinfo: the free counts per zone, type and order, and the pageblocks per type. */
export function parsePagetypeinfo(text: string): Pagetypeinfo {
  let pageblockOrder = -1;
  let pagesPerBlock = -1;
  let blockTypes: string[] | undefined;
  const free: PagetypeinfoFree[] = [];
  const blocks: PagetypeinfoBlocks[] = [];
  lines(text).forEach((line, i) => {
    let m: RegExpExecArray | null;
    if ((m = /^Page block order: (\d+)$/.exec(line))) pageblockOrder = int(m[1]!);
    else if ((m = /^Pages per block: +(\d+)$/.exec(line))) pagesPerBlock = int(m[1]!);
    else if (line === "" || /^Free pages count per migrate type at order( +\d+)+ *$/.test(line)) return;
    else if ((m = /^Node +(\d+), zone +(\S+), type +(\S+)((?: +>?\d+)+) *$/.exec(line))) {
      const cells = m[4]!.trim().split(/ +/);
      const cappedOrders: number[] = [];
      cells.forEach((c, order) => {
        if (c.startsWith(">")) cappedOrders.push(order);
      });
      free.push({ node: int(m[1]!), zone: m[2]!, type: m[3]!, free: cells.map((c) => int(c.replace(/^>/, ""))), cappedOrders });
    } else if ((m = /^Number of blocks type((?: +\S+)+) *$/.exec(line))) blockTypes = m[1]!.trim().split(/ +/);
    else if (blockTypes && (m = /^Node (\d+), zone +(\S+)((?: +\d+)+) *$/.exec(line))) {
      const counts = m[3]!.trim().split(/ +/).map(int);
      if (counts.length !== blockTypes.length) throw bad("parsePagetypeinfo", i + 1, line, `${blockTypes.length} block counts`);
      blocks.push({ node: int(m[1]!), zone: m[2]!, blocks: Object.fromEntries(blockTypes.map((t, k) => [t, counts[k]!])) });
    } else throw bad("parsePagetypeinfo", i + 1, line, "a line of pagetypeinfo_show");
  });
  return { pageblockOrder, pagesPerBlock, free, blocks };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** /proc/zoneinfo: one entry per zone, in the order printed. */
export function parseZoneinfo(text: string): ZoneinfoZone[] {
  const zones: Mutable<ZoneinfoZone>[] = [];
  let zone: Mutable<ZoneinfoZone> | undefined;
  let map: Record<string, number> | undefined;
  let pageset: Mutable<ZoneinfoPageset> | undefined;
  const site = "parseZoneinfo";
  lines(text).forEach((line, i) => {
    let m: RegExpExecArray | null;
    if ((m = /^Node (\d+), zone +(\S+)$/.exec(line))) {
      zone = { node: int(m[1]!), zone: m[2]!, free: 0, boost: 0, min: 0, low: 0, high: 0, spanned: 0, present: 0, managed: 0, protection: [] };
      zones.push(zone);
      map = undefined;
      pageset = undefined;
      return;
    }
    if (!zone) throw bad(site, i + 1, line, "`Node <n>, zone <name>` first");
    if (line === "  per-node stats") {
      map = zone.nodeStats = {};
    } else if ((m = /^ {2}pages free +(\d+)$/.exec(line))) {
      zone.free = int(m[1]!);
      map = undefined;
    } else if ((m = /^ {8}(boost|min|low|high|spanned|present|managed|cma) +(\d+)$/.exec(line)) && map === undefined) {
      zone[m[1] as "boost"] = int(m[2]!);
    } else if ((m = /^ {8}protection: \(([\d, ]*)\)$/.exec(line))) {
      zone.protection = m[1]!.split(",").map((s) => int(s.trim()));
      map = {};
    } else if ((m = /^ {6}([a-z0-9_]+) +(-?\d+)$/.exec(line)) && map) {
      // The zone's counters follow `protection` (populated zones only).
      if (zone.nodeStats !== map) zone.stats ??= map;
      map[m[1]!] = int(m[2]!);
    } else if (line === "  pagesets") {
      map = undefined;
      zone.pagesets = [];
    } else if ((m = /^ {4}cpu: (\d+)$/.exec(line)) && zone.pagesets) {
      pageset = { cpu: int(m[1]!), count: 0, high: 0, batch: 0 };
      (zone.pagesets as ZoneinfoPageset[]).push(pageset);
    } else if ((m = /^ +(count|high|batch): +(\d+)$/.exec(line)) && pageset) {
      pageset[m[1] as "count"] = int(m[2]!);
    } else if ((m = /^ {2}vm stats threshold: (\d+)$/.exec(line)) && pageset) {
      pageset.vmStatsThreshold = int(m[1]!);
    } else if ((m = /^ {2}node_unreclaimable: +(\d+)$/.exec(line))) {
      zone.nodeUnreclaimable = int(m[1]!);
    } else if ((m = /^ {2}start_pfn: +(\d+)$/.exec(line))) {
      zone.startPfn = int(m[1]!);
    } else {
      throw bad(site, i + 1, line, "a line of zoneinfo_show_print");
    }
  });
  return zones;
}

/** /proc/slabinfo (version 2.1): the version and one row per cache. Statistics columns (CONFIG_DEBUG_SLAB) are not read. */
export function parseSlabinfo(text: string): Slabinfo {
  const all = lines(text);
  const head = /^slabinfo - version: (\S+)$/.exec(all[0] ?? "");
  if (!head) throw bad("parseSlabinfo", 1, all[0] ?? "", "`slabinfo - version: 2.1`");
  const caches: SlabinfoCache[] = [];
  all.slice(1).forEach((line, k) => {
    if (line.startsWith("#")) return;
    const m = /^(\S+) +(\d+) +(\d+) +(\d+) +(\d+) +(\d+) : tunables +(\d+) +(\d+) +(\d+) : slabdata +(\d+) +(\d+) +(\d+)(?: :.*)? *$/.exec(line);
    if (!m) throw bad("parseSlabinfo", k + 2, line, "`<name> <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables … : slabdata …`");
    const n = m.slice(2).map(int);
    caches.push({
      name: m[1]!, activeObjs: n[0]!, numObjs: n[1]!, objSize: n[2]!, objPerSlab: n[3]!, pagesPerSlab: n[4]!,
      limit: n[5]!, batchCount: n[6]!, sharedFactor: n[7]!, activeSlabs: n[8]!, numSlabs: n[9]!, sharedAvail: n[10]!,
    });
  });
  return { version: head[1]!, caches };
}

/** A /proc/sys/vm file: `22528` → 22528; a vector sysctl (`256\t256\t32\t0`) → its numbers. */
export function parseSysctl(text: string): number | number[] {
  const t = text.replace(/\n$/, "");
  if (!/^-?\d+(?:\s+-?\d+)*$/.test(t)) throw bad("parseSysctl", 1, t, "integers separated by tabs");
  const values = t.split(/\s+/).map(int);
  return values.length === 1 ? values[0]! : values;
}

/** /sys/kernel/debug/memblock/{memory,reserved}: `   0: 0x…..0x…` → one row per region. */
export function parseMemblockDebugfs(text: string): MemblockRegionRow[] {
  return lines(text).map((line, i) => {
    const m = /^ *(\d+): 0x([0-9a-f]+)\.\.0x([0-9a-f]+)$/i.exec(line);
    if (!m) throw bad("parseMemblockDebugfs", i + 1, line, "`<index>: 0x<base>..0x<end>`");
    return { index: int(m[1]!), base: hex0x(m[2]!), end: hex0x(m[3]!) };
  });
}

const VMALLOC_FLAGS = new Set(["ioremap", "vmalloc", "vmap", "user", "dma-coherent", "vpages"]);

/** /proc/vmallocinfo: one row per vm area (and per `unpurged vm_area`). */
export function parseVmallocinfo(text: string): VmallocinfoArea[] {
  return lines(text).map((line, i) => {
    const m = /^0x([0-9a-f]+)-0x([0-9a-f]+) +(\d+)(.*)$/i.exec(line);
    if (!m) throw bad("parseVmallocinfo", i + 1, line, "`0x<start>-0x<end> <size> …`");
    const area = { start: hex0x(m[1]!), end: hex0x(m[2]!), size: int(m[3]!), caller: null as string | null, pages: null as number | null, phys: null as string | null, flags: [] as string[], nodes: [] as { node: number; pages: number }[] };
    const rest = m[4]!.trim();
    if (rest === "unpurged vm_area") {
      area.flags.push(rest);
      return area;
    }
    for (const word of rest === "" ? [] : rest.split(/ +/)) {
      let w: RegExpExecArray | null;
      if ((w = /^pages=(\d+)$/.exec(word))) area.pages = int(w[1]!);
      else if ((w = /^phys=0x([0-9a-f]+)$/i.exec(word))) area.phys = hex0x(w[1]!);
      else if ((w = /^N(\d+)=(\d+)$/.exec(word))) area.nodes.push({ node: int(w[1]!), pages: int(w[2]!) });
      else if (VMALLOC_FLAGS.has(word)) area.flags.push(word);
      else if (area.caller === null && area.pages === null && area.phys === null && area.flags.length === 0) area.caller = word;
      else throw bad("parseVmallocinfo", i + 1, line, `a word of s_show (caller, pages=, phys=, a type, N<node>=), not "${word}"`);
    }
    return area;
  });
}

/** /proc/iomem: `  09000000-09000fff : name` → one row per resource with its depth. */
export function parseIomem(text: string): IomemResource[] {
  return lines(text).map((line, i) => {
    const m = /^( *)([0-9a-f]+)-([0-9a-f]+) : (.*)$/i.exec(line);
    if (!m || m[1]!.length % 2 !== 0) throw bad("parseIomem", i + 1, line, "`<2 spaces per level><start>-<end> : <name>`");
    return { depth: m[1]!.length / 2, start: hex0x(m[2]!), end: hex0x(m[3]!), name: m[4]! };
  });
}
