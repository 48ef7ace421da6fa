// mmsim: rendering a table walk for learners, and the pt-walk display helper (no kernel counterpart)
import { ArgumentError, describeValue } from "@mmsim/core";
import { type Arm64Layout, layoutRegion } from "./layout.ts";
import { formatDescriptor } from "./pgtable-prot.ts";
import type { PgtableStore } from "./pgtable-store.ts";
import { type Va, formatVa0x } from "./va.ts";
import {
  ACCESS_EXEC, ACCESS_READ, ACCESS_USER, ACCESS_WRITE, FAULT_ADDRESS_SIZE, FAULT_NONE, WalkOut, walk,
} from "./walk.ts";

/** Names of the fault codes, by FAULT_*. */
export const faultNames: readonly string[] = Object.freeze(["none", "translation fault", "access flag fault", "permission fault", "address size fault"]);

const accessText = (a: number): string => {
  const kinds: string[] = [];
  if (a & ACCESS_READ) kinds.push("read");
  if (a & ACCESS_WRITE) kinds.push("write");
  if (a & ACCESS_EXEC) kinds.push("exec");
  return `${kinds.join("+") || "no access"} at ${a & ACCESS_USER ? "EL0 (user)" : "EL1 (kernel)"}`;
};
const hex16 = (x: number): string => `0x${x.toString(16).padStart(16, "0")}`;
const BITS = ["[47:39]", "[38:30]", "[29:21]", "[20:12]"];
/** What a leaf at each level maps (4 KiB granule; level 0 has no leaves). */
export const leafSizeNames: readonly string[] = Object.freeze(["512 GiB", "1 GiB block", "2 MiB block", "4 KiB page"]);

/**
 * Renders the last walk for a learner: each level's table, index, descriptor and decoded bits,
 * then the output address or the fault ("level 2 translation fault").
 */
export function formatWalk(out: WalkOut, store?: PgtableStore): string {
  const lines: string[] = [];
  const levels = store ? store.levels : 4 - out.startLevel;
  lines.push(`walk of ${formatVa0x(out.va)} (${accessText(out.access)}), ${levels} levels${store ? ` (VA_BITS ${store.vaBits})` : ""}, TTBR${out.va < 0 ? 1 : 0}`);
  if (out.fault === FAULT_ADDRESS_SIZE && out.levelsRead === 0) {
    lines.push(`  → address size fault: ${formatVa0x(out.va)} is outside TTBR${out.va < 0 ? 1 : 0}'s range${store ? ` (${out.va < 0 ? `≥ -2^${store.vaBits}` : `< 2^${store.vaBits}`})` : ""}`);
    return lines.join("\n") + "\n";
  }
  const last = out.startLevel + out.levelsRead - 1;
  for (let lv = out.startLevel; lv <= last; lv++) {
    const lo = out.traceLo[lv]!;
    const hi = out.traceHi[lv]!;
    const d = `0x${hi.toString(16).padStart(8, "0")}${lo.toString(16).padStart(8, "0")}`;
    lines.push(`  level ${lv}: table ${hex16(out.traceTable[lv]!)} index VA${BITS[lv]}=${String(out.traceIndex[lv]).padStart(3)} → ${d}  ${formatDescriptor(lo, hi, lv)}`);
  }
  if (out.badTable) lines.push("  (a table address pointed at a frame that holds no page table: read as zeros)");
  if (out.fault === FAULT_NONE) {
    lines.push(`  → PA ${hex16(out.pa)} (${leafSizeNames[out.level]} at level ${out.level}${out.updated ? "; the walk updated the descriptor (HA/HD)" : ""})`);
  } else {
    lines.push(`  → level ${out.faultLevel} ${faultNames[out.fault]}`);
  }
  return lines.join("\n") + "\n";
}

/** Checks an address given to a display helper. @throws ArgumentError for a non-integer or non-64-bit value */
export function checkVa(site: string, va: number): void {
  if (!Number.isSafeInteger(va)) throw new ArgumentError(site, "va", "an exact 64-bit virtual address (a Va: parse it with parseVa)", describeValue(va));
}

/**
 * A walk for display (the `pt-walk` command): picks the TTBR from the address (kernel
 * addresses through swapper_pg_dir, user addresses through `userPgd`), walks without changing
 * anything (HA/HD off) and renders it with the region the address belongs to.
 * @throws ArgumentError for an address outside every region (non-canonical), a user address
 *   without a user pgd, or a kernel address before paging_init set swapper_pg_dir
 */
export function ptWalk(store: PgtableStore, layout: Arm64Layout, va: Va, access = ACCESS_READ, userPgd?: number): string {
  checkVa("hw-arm64.ptWalk", va);
  const region = layoutRegion(layout, va);
  if (region === "non-canonical") {
    throw new ArgumentError("hw-arm64.ptWalk", "va", `an address in user space [0, ${formatVa0x(layout.TASK_SIZE)}) or kernel space [${formatVa0x(layout.PAGE_OFFSET)}, 2^64)`, formatVa0x(va));
  }
  let pgd: number;
  if (va < 0) {
    if (store.swapperPgDir < 0) throw new ArgumentError("hw-arm64.ptWalk", "store", "kernel tables built by pagingInit (swapper_pg_dir)", "no swapper_pg_dir yet");
    pgd = store.swapperPgDir;
  } else {
    if (userPgd === undefined) throw new ArgumentError("hw-arm64.ptWalk", "userPgd", "the pgd of the process whose user address to walk", "none");
    pgd = userPgd;
  }
  const out = new WalkOut();
  walk(store, pgd, va, access, out);
  return `region: ${region}\n` + formatWalk(out, store);
}
