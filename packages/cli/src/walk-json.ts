// mmsim: `pt walk --json` — the walk of hw-arm64 level by level as data (no kernel counterpart; the walk itself mirrors the MMU's)
import {
  type Arm64Layout, FAULT_NONE, type PgtableStore, type Va, WalkOut, decodeDescriptor, faultNames, formatDescriptor, formatVa0x,
  layoutRegion, walk,
} from "@mmsim/hw-arm64";
import type { PtWalkJson, WalkLevelJson } from "./json.ts";

/** A physical address (or a descriptor's 64 bits) as 0x and 16 hex digits. */
export function hex16(x: number): string {
  return `0x${x.toString(16).padStart(16, "0")}`;
}

/** The VA bits indexing each level's table (4 KiB granule). */
const INDEX_BITS = ["[47:39]", "[38:30]", "[29:21]", "[20:12]"];

/**
 * Walks `va` again, the way ptWalk() did to print it (no descriptor changes: HA/HD off), and
 * returns each level's table, index and descriptor, then the translation or the fault.
 * Call it after ptWalk(), which checked the address and picked `pgd`.
 */
export function walkJson(
  store: PgtableStore, layout: Arm64Layout, va: Va, access: number, pgd: number,
  head: Pick<PtWalkJson, "access" | "after" | "failedExpects" | "text">,
): PtWalkJson {
  const out = new WalkOut();
  walk(store, pgd, va, access, out);
  const levels: WalkLevelJson[] = [];
  for (let lv = out.startLevel; lv < out.startLevel + out.levelsRead; lv++) {
    const lo = out.traceLo[lv]!;
    const hi = out.traceHi[lv]!;
    const d = decodeDescriptor(lo, hi, lv);
    const leaf = d.kind === "block" || d.kind === "page";
    levels.push({
      level: lv,
      table: hex16(out.traceTable[lv]!),
      indexBits: INDEX_BITS[lv]!,
      index: out.traceIndex[lv]!,
      descriptor: `0x${(hi >>> 0).toString(16).padStart(8, "0")}${(lo >>> 0).toString(16).padStart(8, "0")}`,
      kind: d.kind,
      outputAddress: d.kind === "invalid" ? null : hex16(d.outputAddress),
      attributes: leaf
        ? {
            attrIndx: d.attrIndx, memType: d.memType, shareability: d.sh, user: d.user, readOnly: d.rdonly, accessFlag: d.af, notGlobal: d.ng,
            contiguous: d.cont, pxn: d.pxn, uxn: d.uxn, dbm: d.dbm, dirty: d.dirty,
          }
        : null,
      tableAttributes: d.kind === "table" ? { pxnTable: d.pxnTable, uxnTable: d.uxnTable, apTable: d.apTable, nsTable: d.nsTable } : null,
      description: formatDescriptor(lo, hi, lv),
    });
  }
  const ok = out.fault === FAULT_NONE;
  return {
    schemaVersion: 1,
    command: "pt walk",
    va: formatVa0x(va),
    access: head.access,
    after: head.after,
    failedExpects: head.failedExpects,
    region: layoutRegion(layout, va),
    ttbr: va < 0 ? 1 : 0,
    levels,
    pa: ok ? hex16(out.pa) : null,
    leafLevel: ok ? out.level : null,
    leafSize: ok ? 2 ** out.shift : null,
    fault: ok ? null : { level: out.faultLevel, kind: faultNames[out.fault]! },
    text: head.text,
  };
}
