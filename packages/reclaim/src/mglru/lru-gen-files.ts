// Kernel: mm/vmscan.c (the lru_gen sysfs interface: show_enabled, store_enabled, show_min_ttl, store_min_ttl; the debugfs interface: lru_gen_seq_show, lru_gen_seq_write, run_cmd, run_aging, run_eviction) (v6.1; read from 6.1.166, unifreq/linux-6.1.y) — /sys/kernel/mm/lru_gen/* and /sys/kernel/debug/lru_gen{,_full}
/*
 * The files MGLRU serves, as KernelFile contributions for the reclaim module to register:
 *
 *   /sys/kernel/mm/lru_gen/enabled      "0x%04x\n" of the capabilities that are on. This board has
 *                                       no hardware access flag (arch_has_hw_pte_young() and
 *                                       arch_has_hw_nonleaf_pmd_young() false), so only
 *                                       LRU_GEN_CORE can show: 0x0001 on, 0x0000 off. A write of
 *                                       y/n (first character) or a number (kstrtouint, base 0)
 *                                       switches LRU_GEN_CORE through `changeState` (6.1's
 *                                       lru_gen_change_state: the reclaim module moves the pages
 *                                       between the two policies' lists) and sets the other keys.
 *   /sys/kernel/mm/lru_gen/min_ttl_ms   "%u\n" of jiffies_to_msecs(min_ttl); a write sets min_ttl
 *                                       to msecs_to_jiffies(value).
 *   /sys/kernel/debug/lru_gen           lru_gen_seq_show; writes "+ memcg_id node_id max_gen
 *                                       [can_swap [force_scan]]" (aging) and "- memcg_id node_id
 *                                       min_gen_nr [swappiness [nr_to_reclaim]]" (eviction),
 *                                       separated by ',', ';' or newlines.
 *   /sys/kernel/debug/lru_gen_full      the same with tiers and walker statistics (read-only).
 */
import {
  EINVAL, GFP_KERNEL, LRU_GEN_CORE, LRU_GEN_MM_WALK, LRU_GEN_NONLEAF_YOUNG, MAX_NR_ZONES, MAX_NUMNODES, NR_LRU_GEN_CAPS,
  ScanControl, type FileWriteResult, type KernelFile,
} from "@mmsim/core";
import { jiffiesToMsecs, msecsToJiffies } from "@mmsim/block";
import type { MultiGenLru } from "./multi-gen-lru.ts";

/** The hardware this board has: no access flag in hardware (Cortex-A57, ARMv8.0). Kernel: `arch_has_hw_pte_young()`, `arch_has_hw_nonleaf_pmd_young()`. */
export const ARCH_HAS_HW_PTE_YOUNG = false;
export const ARCH_HAS_HW_NONLEAF_PMD_YOUNG = false;

/** What the lru_gen files need from the reclaim module. */
export interface LruGenFilesOptions {
  /** The MGLRU policy (its generations are shown even while the classic LRU runs). */
  readonly mglru: MultiGenLru;
  /** Whether MGLRU runs now. Kernel: `lru_gen_enabled()` (the LRU_GEN_CORE static key). */
  lruGenEnabled(): boolean;
  /** Switches between MGLRU and the classic LRU, moving every page. Kernel: `lru_gen_change_state()`. */
  changeState(enabled: boolean): void;
}

/**
 * Parses an unsigned int as the kernel's kstrtouint(buf, 0, …): an optional '+', then 0x/0X hex,
 * a leading 0 for octal, or decimal; one trailing newline allowed; at most 2^32 - 1.
 * @returns the value, or -1 when invalid
 */
export function kstrtouint(s: string): number {
  const t = s.endsWith("\n") ? s.slice(0, -1) : s;
  const m = /^\+?(?:0[xX]([0-9a-fA-F]+)|(0[0-7]*)|([1-9][0-9]*))$/.exec(t);
  if (m === null) return -1;
  const v = m[1] !== undefined ? parseInt(m[1], 16) : m[2] !== undefined ? parseInt(m[2], 8) : parseInt(m[3]!, 10);
  return v > 0xffffffff ? -1 : v;
}

/** Kernel: `show_enabled()`. */
export function showEnabled(o: LruGenFilesOptions): string {
  let caps = 0;
  if (o.lruGenEnabled()) caps |= 1 << LRU_GEN_CORE;
  if (ARCH_HAS_HW_PTE_YOUNG && (o.mglru.capKeys & (1 << LRU_GEN_MM_WALK)) !== 0) caps |= 1 << LRU_GEN_MM_WALK;
  if (ARCH_HAS_HW_NONLEAF_PMD_YOUNG && (o.mglru.capKeys & (1 << LRU_GEN_NONLEAF_YOUNG)) !== 0) caps |= 1 << LRU_GEN_NONLEAF_YOUNG;
  return "0x" + caps.toString(16).padStart(4, "0") + "\n";
}

/** Kernel: `store_enabled()`. @returns 0 or -EINVAL */
export function storeEnabled(o: LruGenFilesOptions, buf: string): FileWriteResult {
  let caps: number;
  const c = buf.charAt(0).toLowerCase();
  if (c === "n") caps = 0;
  else if (c === "y") caps = 0xffffffff;
  else {
    caps = kstrtouint(buf);
    if (caps < 0) return -EINVAL;
  }
  for (let i = 0; i < NR_LRU_GEN_CAPS; i++) {
    const enabled = Math.floor(caps / 2 ** i) % 2 === 1;
    if (i === LRU_GEN_CORE) {
      if (enabled !== o.lruGenEnabled()) o.changeState(enabled);
    } else if (enabled) o.mglru.capKeys |= 1 << i;
    else o.mglru.capKeys &= ~(1 << i);
  }
  return 0;
}

/** Kernel: `show_min_ttl()`. */
export function showMinTtl(o: LruGenFilesOptions): string {
  return `${jiffiesToMsecs(o.mglru.minTtl) >>> 0}\n`;
}

/** Kernel: `store_min_ttl()`. @returns 0 or -EINVAL */
export function storeMinTtl(o: LruGenFilesOptions, buf: string): FileWriteResult {
  const msecs = kstrtouint(buf);
  if (msecs < 0) return -EINVAL;
  o.mglru.minTtl = msecsToJiffies(msecs);
  return 0;
}

/** One command's fields. */
const CMD_RE = /^(\S)\s*(\d+)\s*(\d+)\s*(\d+)\s*(?:(\d+)\s*(?:(\d+)\s*)?)?$/;

/**
 * Kernel: `lru_gen_seq_write()` → `run_cmd()`: runs each command with a scan_control of
 * may_writepage, may_unmap, may_swap, reclaim_idx MAX_NR_ZONES - 1 and GFP_KERNEL.
 * @returns 0, or the first command's negative errno (the commands before it have run)
 */
export function lruGenSeqWrite(o: LruGenFilesOptions, buf: string): FileWriteResult {
  const sc = new ScanControl();
  sc.reset();
  sc.mayWritepage = true;
  sc.mayUnmap = true;
  sc.maySwap = true;
  sc.reclaimIdx = MAX_NR_ZONES - 1;
  sc.gfpMask = GFP_KERNEL;
  let err = -EINVAL;
  for (const part of buf.split(/[,;\n]/)) {
    const cur = part.replace(/^\s+/, "");
    if (cur === "") continue;
    const m = CMD_RE.exec(cur);
    if (m === null) return -EINVAL;
    const swappiness = m[5] !== undefined ? Number(m[5]) : -1;
    const opt = m[6] !== undefined ? Number(m[6]) : -1;
    err = runCmd(o, m[1]!, Number(m[2]), Number(m[3]), Number(m[4]), sc, swappiness, opt);
    if (err !== 0) return err;
  }
  return err;
}

/** Kernel: `run_cmd()` (root memcg only: id 1). */
function runCmd(o: LruGenFilesOptions, cmd: string, memcgId: number, nid: number, seq: number, sc: ScanControl, swappiness: number, opt: number): number {
  const mglru = o.mglru;
  if (nid >= MAX_NUMNODES || nid >= mglru.lruvecs.length) return -EINVAL;
  if (memcgId !== 1) return -EINVAL; // mem_cgroup_from_id() finds no other memcg
  const lrugen = mglru.lruvecs[nid]!;
  if (swappiness < 0) swappiness = mglru.getSwappiness(lrugen, sc);
  else if (swappiness > 200) return -EINVAL;
  if (cmd === "+") return mglru.runAging(lrugen, seq, swappiness !== 0, opt !== 0);
  if (cmd === "-") return mglru.runEviction(lrugen, seq, sc, swappiness, opt < 0 ? Number.MAX_SAFE_INTEGER : opt);
  return -EINVAL;
}

/** The four files, for the reclaim module to register under the KernelFile token. */
export function lruGenKernelFiles(o: LruGenFilesOptions): KernelFile[] {
  return [
    { path: "/sys/kernel/mm/lru_gen/enabled", read: () => showEnabled(o), write: (_p, v) => storeEnabled(o, v) },
    { path: "/sys/kernel/mm/lru_gen/min_ttl_ms", read: () => showMinTtl(o), write: (_p, v) => storeMinTtl(o, v) },
    { path: "/sys/kernel/debug/lru_gen", read: () => o.mglru.debugfs(), write: (_p, v) => lruGenSeqWrite(o, v) },
    { path: "/sys/kernel/debug/lru_gen_full", read: () => o.mglru.debugfsFull() },
  ];
}
