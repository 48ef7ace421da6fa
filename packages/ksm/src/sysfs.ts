// Kernel: mm/ksm.c (v6.1) — the sysfs attributes of /sys/kernel/mm/ksm (ksm_attr_group): *_show with sprintf("%lu\n" / "%u\n"), *_store with kstrtoul / kstrtoint / kstrtobool
import type { Ksm } from "./ksm.ts";
import { KSM_RUN_UNMERGE } from "./ksm.ts";

export const KSM_DIR = "/sys/kernel/mm/ksm/";

/** The files 6.1 has (CONFIG_NUMA: merge_across_nodes), as `ls` lists them. */
export const ksmFileNames: readonly string[] = Object.freeze([
  "full_scans", "max_page_sharing", "merge_across_nodes", "pages_shared", "pages_sharing", "pages_to_scan", "pages_unshared", "pages_volatile", "run",
  "sleep_millisecs", "stable_node_chains", "stable_node_chains_prune_millisecs", "stable_node_dups", "use_zero_pages",
]);

const EINVAL = -22;
const EBUSY = -16;
const UINT_MAX = 0xffffffff;

/** The value of one file, or undefined for a name not there. */
export function ksmRead(ksm: Ksm, path: string): string | undefined {
  const s = ksm.settings;
  switch (path.slice(KSM_DIR.length)) {
    case "full_scans": return `${ksm.seqnr}\n`;
    case "max_page_sharing": return `${s.maxPageSharing}\n`;
    case "merge_across_nodes": return `${s.mergeAcrossNodes}\n`;
    case "pages_shared": return `${ksm.pagesShared}\n`;
    case "pages_sharing": return `${ksm.pagesSharing}\n`;
    case "pages_to_scan": return `${s.pagesToScan}\n`;
    case "pages_unshared": return `${ksm.pagesUnshared}\n`;
    case "pages_volatile": return `${ksm.pagesVolatile}\n`;
    case "run": return `${s.run}\n`;
    case "sleep_millisecs": return `${s.sleepMillisecs}\n`;
    case "stable_node_chains": return `${ksm.stableNodeChains}\n`;
    case "stable_node_chains_prune_millisecs": return `${s.stableNodeChainsPruneMillisecs}\n`;
    case "stable_node_dups": return `${ksm.stableNodeDups}\n`;
    case "use_zero_pages": return `${s.useZeroPages ? 1 : 0}\n`;
    default: return undefined;
  }
}

/** kstrtoul(buf, 10): a decimal number with an optional trailing newline, or NaN. */
function kstrtoul(value: string): number {
  const v = value.endsWith("\n") ? value.slice(0, -1) : value;
  return /^\+?\d+$/.test(v) ? Number(v) : NaN;
}

/** kstrtobool: 1/y/Y/t/T/on → true, 0/n/N/f/F/off → false. */
function kstrtobool(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (/^(1|y|t|on)/.test(v)) return true;
  if (/^(0|n|f|of)/.test(v)) return false;
  return undefined;
}

/** A write: 0, or the errno the store returns. */
export function ksmWrite(ksm: Ksm, path: string, value: string): number | string {
  const s = ksm.settings;
  const name = path.slice(KSM_DIR.length);
  const n = kstrtoul(value);
  switch (name) {
    case "sleep_millisecs":
      if (!(n <= UINT_MAX)) return EINVAL;
      s.sleepMillisecs = n;
      ksm.wakeIter(); // wake_up_interruptible(&ksm_iter_wait)
      return 0;
    case "pages_to_scan":
      if (!(n <= UINT_MAX)) return EINVAL;
      s.pagesToScan = n;
      return 0;
    case "run":
      if (!(n <= KSM_RUN_UNMERGE)) return EINVAL;
      return ksm.setRun(n);
    case "merge_across_nodes":
      if (!(n <= 1)) return EINVAL;
      if (s.mergeAcrossNodes !== n) {
        if (!ksm.canChangeStableTreeShape()) return EBUSY;
        s.mergeAcrossNodes = n;
      }
      return 0;
    case "max_page_sharing": {
      const k = /^-?\d+\n?$/.test(value) ? Number.parseInt(value, 10) : NaN;
      if (!(k >= 2)) return EINVAL;
      if (s.maxPageSharing !== k) {
        if (!ksm.canChangeStableTreeShape()) return EBUSY;
        s.maxPageSharing = k;
      }
      return 0;
    }
    case "use_zero_pages": {
      const b = kstrtobool(value);
      if (b === undefined) return EINVAL;
      s.useZeroPages = b;
      return 0;
    }
    case "stable_node_chains_prune_millisecs":
      if (!(n <= UINT_MAX)) return EINVAL;
      s.stableNodeChainsPruneMillisecs = n;
      return 0;
    default:
      return ksmRead(ksm, path) === undefined ? `no such file: ${path} (${KSM_DIR} has ${ksmFileNames.join(", ")})` : `${path} is read-only (0444)`;
  }
}
