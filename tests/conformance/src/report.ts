// mmsim: `mmsim conformance` — boot the board a real capture was taken on, compare, and report
import { DEFAULT_SCENARIO_FILE, Machine, type ResolvedScenario, SUPPORTED_SYSCTLS, loadScenarioFile } from "@mmsim/machine";
import { type Check, MISSING, conformanceChecks, summarize } from "./checks.ts";
import type { Fixture } from "./fixtures.ts";

/** The default scenario with a fixture's RAM and CPUs, no workload. */
export function fixtureScenario(fixture: Fixture, seed?: string): ResolvedScenario {
  return loadScenarioFile(DEFAULT_SCENARIO_FILE, { mem: fixture.info.mem, smp: String(fixture.info.smp), seed, set: [] }, { ignoreWorkload: true });
}

/** A board booted like a fixture's. */
export function bootLikeFixture(fixture: Fixture, seed?: string): Machine {
  const m = Machine.create(fixtureScenario(fixture, seed));
  m.boot();
  return m;
}

/**
 * Boots `scenario` again with every zone's managed pages moved by what separates `first` (a
 * booted machine of the same scenario) from the real kernel at the end of boot, applied before
 * the watermarks are first computed (init_per_zone_wmark_min, THP's hugepage_init: min_free_kbytes,
 * watermarks, lowmem_reserve and pcp high are all computed from managed pages): the machine.
 */
export function bootWithManaged(scenario: ResolvedScenario, first: Machine, managed: ReadonlyMap<string, number>): Machine {
  const delta = new Map<number, number>();
  for (const zone of first.buddy.state.zones) {
    const real = managed.get(`${zone.nid} ${zone.name}`);
    if (real !== undefined) delta.set(zone.id, real - zone.managedPages);
  }
  const m = Machine.create(scenario);
  m.boot({
    beforeWatermarks(pa) {
      for (const zone of pa.zones) zone.managedPages += delta.get(zone.id) ?? 0;
    },
  });
  return m;
}

/** bootWithManaged()'s /proc/zoneinfo. */
export function zoneinfoWithManaged(scenario: ResolvedScenario, first: Machine, managed: ReadonlyMap<string, number>): string | undefined {
  return bootWithManaged(scenario, first, managed).readFile("/proc/zoneinfo");
}

/** Compares a booted machine (of `scenario`) with a fixture. */
export function checkMachine(m: Machine, scenario: ResolvedScenario, fixture: Fixture): Check[] {
  return conformanceChecks(
    { dmesg: () => m.log.dmesg(), readFile: (p) => m.readFile(p), pagingInitTables: () => m.pgtables.tables.total }, fixture, SUPPORTED_SYSCTLS,
    (managed) => {
      const again = bootWithManaged(scenario, m, managed);
      return { readFile: (p) => again.readFile(p) };
    },
  );
}

/** Boots the default board like a fixture and compares. */
export function runConformance(fixture: Fixture, seed?: string): Check[] {
  const scenario = fixtureScenario(fixture, seed);
  const m = Machine.create(scenario);
  m.boot();
  return checkMachine(m, scenario, fixture);
}

function pct(f: number): string {
  const s = (f * 100).toFixed(f !== 0 && Math.abs(f) < 0.0001 ? 4 : 2);
  return `${f > 0 ? "+" : ""}${s} %`;
}

/**
 * Where two texts differ: the span after their common prefix and before their common suffix,
 * as [first differing index, end in `a`, end in `b`]; undefined when they are equal.
 */
export function differingSpan(a: string, b: string): [start: number, endA: number, endB: number] | undefined {
  if (a === b) return undefined;
  let p = 0;
  while (p < a.length && p < b.length && a[p] === b[p]) p++;
  let s = 0;
  while (s < a.length - p && s < b.length - p && a[a.length - 1 - s] === b[b.length - 1 - s]) s++;
  return [p, a.length - s, b.length - s];
}

/**
 * The difference column: "=" for equal; mmsim − real for two whole numbers; "differs at column N"
 * (1-based) for other text; for a close figure mmsim − real and that as a share of real against
 * the allowed share ("+196 (+0.36 % ≤ 0.50 %)", "> 0.50 %" when out of tolerance).
 */
export function describeDifference(c: Check): string {
  if (c.kind === "close" && c.mmsim !== MISSING) {
    if (c.delta === undefined || c.fraction === undefined) return "missing";
    if (c.delta === 0) return "=";
    if (c.tolerance === Infinity) return `${c.delta > 0 ? "+" : ""}${c.delta} (${pct(c.fraction)})`;
    return `${c.delta > 0 ? "+" : ""}${c.delta} (${pct(c.fraction)} ${c.ok ? "≤" : ">"} ${((c.tolerance ?? 0) * 100).toFixed(2)} %)`;
  }
  const span = differingSpan(c.mmsim, c.real);
  if (!span) return "=";
  if (c.mmsim === MISSING) return "missing in mmsim";
  if (c.real === MISSING) return "missing in real";
  const known = c.kind === "known" ? "known: " : "";
  // Two whole numbers: mmsim − real says more than where the digits part.
  if (/^-?\d+$/.test(c.mmsim) && /^-?\d+$/.test(c.real)) {
    const delta = Number(c.mmsim) - Number(c.real);
    return `${known}${delta > 0 ? "+" : ""}${delta}`;
  }
  return `${known}differs at column ${span[0] + 1}`;
}

/** Options of formatReport. */
export interface ReportOptions {
  /** Only the figures that fail (an exact one that differs, a close one out of tolerance, a line shape). */
  readonly failures?: boolean;
  /** Columns to fit in (default REPORT_WIDTH). */
  readonly width?: number;
}

/** The report fits in this many columns: long values go on lines of their own, wrapped. */
export const REPORT_WIDTH = 100;

/** Column widths of a one-line row: status, kind, figure, mmsim, real (the difference takes the rest). */
const COL = { status: 4, kind: 5, item: 32, value: 11 } as const;
const GAP = "  ";
/** Where a row's figure starts; value lines are indented to it. */
const ITEM_AT = COL.status + 1 + COL.kind + GAP.length;

/** `text` split into lines of at most `width` characters, at blanks where there are some. */
export function wrapText(text: string, width: number, indent = ""): string[] {
  const out: string[] = [];
  const lead = /^ */.exec(text)![0];
  let line = lead;
  for (const word of text.slice(lead.length).split(" ")) {
    const next = line.trim() === "" ? `${line}${word}` : `${line} ${word}`;
    if (next.length <= width || line.trim() === "") {
      line = next;
      continue;
    }
    out.push(line);
    line = `${indent}${word}`;
  }
  out.push(line);
  // A single word longer than the width is cut into pieces.
  return out.flatMap((l) => (l.length <= width ? [l] : chunk(l, width)));
}

function chunk(text: string, width: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < text.length; i += width) out.push(text.slice(i, i + width));
  return out.length > 0 ? out : [""];
}

/** A row on one line when its cells fit their columns and nothing in them can hide a difference. */
function fitsOneLine(c: Check, diff: string, width: number): boolean {
  const fixed = ITEM_AT + COL.item + GAP.length + (COL.value + GAP.length) * 2;
  if (c.item.length > COL.item || c.mmsim.length > COL.value || c.real.length > COL.value || fixed + diff.length > width) return false;
  // Values with blanks go on lines of their own when they differ, so that the caret line shows where.
  return c.mmsim === c.real || c.kind === "close" || (!/\s/.test(c.mmsim) && !/\s/.test(c.real));
}

function rowLines(c: Check, width: number): string[] {
  const diff = describeDifference(c);
  const head = `${(c.ok ? "ok" : "FAIL").padEnd(COL.status)} ${c.kind.padEnd(COL.kind)}${GAP}`;
  if (fitsOneLine(c, diff, width)) {
    return [`${head}${c.item.padEnd(COL.item)}${GAP}${c.mmsim.padEnd(COL.value)}${GAP}${c.real.padEnd(COL.value)}${GAP}${diff}`.trimEnd()];
  }
  // The figure (and the difference, in its column when there is room), then the values below it.
  const diffAt = ITEM_AT + COL.item + GAP.length + (COL.value + GAP.length) * 2;
  const first = `${head}${c.item}`;
  const out = first.length + GAP.length <= diffAt && diffAt + diff.length <= width
    ? [`${first.padEnd(diffAt)}${diff}`]
    : [first, ...wrapText(diff, width - ITEM_AT - 2).map((l) => `${" ".repeat(ITEM_AT + 2)}${l}`)];
  const label = (l: string) => `${" ".repeat(ITEM_AT + 2)}${l.padEnd(7)}`;
  const room = Math.max(10, width - label("").length);
  if (c.mmsim === c.real) {
    const pieces = chunk(c.mmsim, room);
    pieces.forEach((p, i) => out.push(`${label(i === 0 ? "both" : "")}${p}`.trimEnd()));
    return out;
  }
  // mmsim, real and a caret line under the differing span, piece by piece so that the carets stay aligned.
  const span = differingSpan(c.mmsim, c.real)!;
  const mark = " ".repeat(span[0]) + "^".repeat(Math.max(1, Math.max(span[1], span[2]) - span[0]));
  const a = chunk(c.mmsim, room);
  const b = chunk(c.real, room);
  const m = chunk(mark, room);
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    out.push(`${label("mmsim")}${a[i] ?? ""}`.trimEnd(), `${label("real")}${b[i] ?? ""}`.trimEnd());
    if (m[i]?.trim()) out.push(`${label("")}${m[i]}`.trimEnd());
  }
  return out;
}

/**
 * The text report: a header naming the capture, the compared figures grouped by file (status,
 * kind, figure, mmsim, real, difference; long values on lines of their own with a caret line
 * under where mmsim and real differ), why the close and known figures may differ, and a summary.
 * Every line fits in `width` columns.
 */
export function formatReport(fixture: Fixture, checks: readonly Check[], options: ReportOptions = {}): string {
  const width = options.width ?? REPORT_WIDTH;
  const shown = options.failures ? checks.filter((c) => !c.ok) : checks;
  const s = summarize(checks);
  const out: string[] = [`mmsim conformance: ${fixture.name}`];
  for (const [k, v] of [["kernel", fixture.info.kernel], ["board", fixture.info.qemu], ["cmdline", fixture.info.cmdline]] as const) {
    out.push(...wrapText(`  ${k.padEnd(8)} ${v}`, width, "           "));
  }
  out.push("");
  if (shown.length === 0) {
    out.push(options.failures ? "No figure fails." : "No figure compared.");
  } else {
    out.push(`${"".padEnd(ITEM_AT)}${"figure".padEnd(COL.item)}${GAP}${"mmsim".padEnd(COL.value)}${GAP}${"real".padEnd(COL.value)}${GAP}difference`);
    const files: string[] = [];
    for (const c of shown) if (!files.includes(c.file)) files.push(c.file);
    for (const file of files) {
      out.push(file);
      for (const c of shown) if (c.file === file) out.push(...rowLines(c, width));
    }
  }
  const reasons = new Map<string, string>();
  for (const c of shown) if ((c.kind === "close" || c.kind === "known") && c.reason) reasons.set(c.item, c.detail ? `${c.reason} (${c.detail})` : c.reason);
  if (reasons.size > 0) {
    out.push("", "Why the close and known figures may differ:");
    for (const [item, why] of reasons) out.push(...wrapText(`  ${item}: ${why}`, width, "    "));
  }
  out.push(
    "",
    ...wrapText(
      `${s.total} figures: ${s.total - s.failed - s.known} match, ${s.known} known differences, ${s.failed} fail ` +
        `(${s.exactFailed} exact, ${s.closeFailed} close, ${s.shapeFailed} line shapes)`,
      width,
      "  ",
    ),
    "",
  );
  return out.join("\n");
}
