// Kernel: mm/swapfile.c (v6.1) — swap_show(): /proc/swaps
/*
 * A header line, then one line per area in swap_info[] order that is in use and writable or
 * being swapped off (swap_start/swap_next walk swap_info[] for SWP_USED areas with a swap_map):
 * the path padded to 40 columns (seq_file_path escaping " \t\n\\"), "partition" or "file\t",
 * size and used in KiB each followed by a second tab when under 10,000,000, the priority.
 */
import { PAGE_SHIFT } from "@mmsim/core";
import { SWP_USED, SWP_WRITEOK } from "./swap-info.ts";
import type { Swap } from "./swapfile.ts";

/** The /proc/swaps path. */
export const PROC_SWAPS = "/proc/swaps";

/** seq_file_path's escaping: each of " \t\n\\" as a 3-digit octal escape. */
function escapePath(p: string): string {
  return p.replace(/[ \t\n\\]/g, (c) => "\\" + c.charCodeAt(0).toString(8).padStart(3, "0"));
}

/** The text of /proc/swaps. Kernel: `swap_show()`. */
export function procSwapsShow(sw: Swap): string {
  let s = "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n";
  for (const si of sw.swapInfo) {
    if ((si.flags & SWP_USED) === 0 || si.swapMap.length === 0) continue;
    void SWP_WRITEOK;
    const bytes = si.pages * 2 ** (PAGE_SHIFT - 10);
    const inuse = si.inusePages * 2 ** (PAGE_SHIFT - 10);
    const path = escapePath(si.path);
    const len = path.length;
    s += `${path}${" ".repeat(len < 40 ? 40 - len : 1)}${si.bdev?.isBlk ? "partition" : "file\t"}\t${bytes}\t${bytes < 10000000 ? "\t" : ""}${inuse}\t${inuse < 10000000 ? "\t" : ""}${si.prio}\n`;
  }
  return s;
}
