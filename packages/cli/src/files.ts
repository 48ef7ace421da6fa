// mmsim: a file's text with its parsed content, for `cat --json` and `run --json`'s shows (no kernel counterpart)
import { isMmsimError } from "@mmsim/core";
import {
  parseBuddyinfo, parseIomem, parseMeminfo, parseMemblockDebugfs, parsePagetypeinfo, parseSlabinfo, parseSysctl, parseVmallocinfo,
  parseVmstat, parseZoneinfo,
} from "@mmsim/procfs";
import type { FileContent, FileJson } from "./json.ts";

/** The parser of each file by path (the /proc/sys/vm files and slab attributes are matched by pattern below). */
const PARSERS: Readonly<Record<string, (text: string) => FileContent>> = {
  "/proc/meminfo": (t) => ({ format: "meminfo", content: parseMeminfo(t) }),
  "/proc/vmstat": (t) => ({ format: "vmstat", content: parseVmstat(t) }),
  "/proc/buddyinfo": (t) => ({ format: "buddyinfo", content: parseBuddyinfo(t) }),
  "/proc/pagetypeinfo": (t) => ({ format: "pagetypeinfo", content: parsePagetypeinfo(t) }),
  "/proc/zoneinfo": (t) => ({ format: "zoneinfo", content: parseZoneinfo(t) }),
  "/proc/slabinfo": (t) => ({ format: "slabinfo", content: parseSlabinfo(t) }),
  "/proc/vmallocinfo": (t) => ({ format: "vmallocinfo", content: parseVmallocinfo(t) }),
  "/proc/iomem": (t) => ({ format: "iomem", content: parseIomem(t) }),
  "/sys/kernel/debug/memblock/memory": (t) => ({ format: "memblock", content: parseMemblockDebugfs(t) }),
  "/sys/kernel/debug/memblock/reserved": (t) => ({ format: "memblock", content: parseMemblockDebugfs(t) }),
};

/** The parsed content of a file mmsim rendered. */
export function fileContent(path: string, text: string): FileContent {
  try {
    const parser = PARSERS[path];
    if (parser) return parser(text);
    if (path.startsWith("/proc/sys/vm/")) return { format: "sysctl", content: parseSysctl(text) };
    if (path.startsWith("/sys/kernel/slab/") && /^-?\d+\n$/.test(text)) return { format: "number", content: Number.parseInt(text, 10) };
    return { format: "text", content: null };
  } catch (e) {
    // mmsim printed something its own parser cannot read: a bug, not bad input (exit 70).
    if (isMmsimError(e)) throw new Error(`cannot parse ${path} as mmsim rendered it: ${e.message}`, { cause: e });
    throw e;
  }
}

/** A file as JSON: its path, parsed content and text. */
export function fileJson(path: string, text: string): FileJson {
  return { path, ...fileContent(path, text), text };
}
