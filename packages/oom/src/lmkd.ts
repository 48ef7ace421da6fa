// mmsim: Android's low memory killer daemon (AOSP system/memory/lmkd/lmkd.cpp, Android 13: mp_event_psi, find_and_kill_process, kill_one_process, the PSI monitors and the main loop's polling) over the machine's files and tasks
/*
 * lmkd is a user-space daemon, not kernel code: it opens PSI triggers on /proc/pressure/memory,
 * sleeps in epoll until one fires, then reads /proc/meminfo, /proc/vmstat, /proc/zoneinfo and
 * /proc/pressure/memory, decides from free memory against the zone watermarks, free swap and the
 * page cache's refaults ("thrashing") whether to kill, and kills the app with the highest
 * oom_score_adj (the heaviest once it reaches perceptible apps) with SIGKILL and
 * process_mrelease. The kernel's OOM killer stays behind it as the last resort (the `lmkd`
 * module registers both, see module.ts): when lmkd does not free memory in time the allocator's
 * slow path still calls out_of_memory().
 *
 * Followed from lmkd.cpp of Android 13 (the "new strategy", use_new_strategy = true: no minfree
 * levels) with these differences:
 *  - lmkd reads the machine's files through the machine's KernelFile contributions (the same text
 *    a `show` step prints), and the PSI triggers are the machine's PsiGroup triggers (what its
 *    write to /proc/pressure/memory creates); epoll_wait is a daemon thread that looks at the
 *    triggers every 10 ms of simulated time (PSI_POLL_PERIOD_SHORT_MS) between workload steps.
 *  - The process list: lmkd knows the apps ActivityManager registered (LMK_PROCPRIO) in one list
 *    per oom_score_adj, the most recently registered at the head. mmsim has no ActivityManager:
 *    every killable task with oom_score_adj ≥ 0 is in it, in creation order (proc_adj_tail is the
 *    oldest task of that oom_score_adj, not the one whose adj was set longest ago).
 *  - Its log lines (logcat's `lowmemorykiller` tag) go to the kernel log with that tag in front.
 *  - The kill: SIGKILL then process_mrelease through OomHost (sigkill + reap). OomHost's sigkill
 *    is the OOM killer's (it also marks the task an OOM victim, so it may dip into the reserves
 *    while it exits); the real lmkd's kill() does not mark it.
 *  - lmkd itself uses no memory and no CPU time in mmsim; the watermarks are re-read every minute
 *    as lmkd does. swap_util_max (Android 13) and the minfree levels are not modelled.
 */
import {
  type KernelLog, OOM_SCORE_ADJ_MAX, type OomHost, type OomTask, PSI_MEM, PSI_MEM_FULL, PSI_MEM_SOME, type PsiGroup, type PsiTrigger, type SimClock,
} from "@mmsim/core";

/** Kernel-side page size in KiB (lmkd's page_k). */
const PAGE_K = 4;
/** PERCEPTIBLE_APP_ADJ (frameworks' ProcessList). */
export const PERCEPTIBLE_APP_ADJ = 200;
/** lmkd.cpp's polling constants (ms). */
export const PSI_WINDOW_SIZE_MS = 1000;
export const PSI_POLL_PERIOD_SHORT_MS = 10;
export const PSI_POLL_PERIOD_LONG_MS = 100;
export const THRASHING_RESET_INTERVAL_MS = 1000;
const NS_PER_MS = 1_000_000;

/** `enum vmpressure_level`. */
export const VMPRESS_LEVEL_LOW = 0;
export const VMPRESS_LEVEL_MEDIUM = 1;
export const VMPRESS_LEVEL_CRITICAL = 2;
const LEVEL_NAME = ["low", "medium", "critical"] as const;

/** `enum zone_watermark`: the lowest breached watermark. */
export const WMARK_MIN = 0;
export const WMARK_LOW = 1;
export const WMARK_HIGH = 2;
export const WMARK_NONE = 3;

/** `enum kill_reasons` (the ones the new strategy uses). */
export const KILL_REASONS = Object.freeze([
  "none", "pressure_after_kill", "not_responding", "low_swap_and_thrashing", "low_mem_and_swap", "low_mem_and_thrashing", "direct_recl_and_thrashing",
  "low_filecache_after_thrashing",
] as const);
export type KillReason = (typeof KILL_REASONS)[number];

/** The `ro.lmk.*` properties lmkd reads at init (and again on `setprop lmkd.reinit 1`), with lmkd.cpp's defaults for a device that is not low-RAM. */
export interface LmkdProperties {
  /** ro.lmk.psi_partial_stall_ms: the medium level's PSI trigger, `some <ms> 1000` (70; 200 on low-RAM devices). */
  "ro.lmk.psi_partial_stall_ms": number;
  /** ro.lmk.psi_complete_stall_ms: the critical level's trigger, `full <ms> 1000` (700). */
  "ro.lmk.psi_complete_stall_ms": number;
  /** ro.lmk.thrashing_limit: % of the file LRU refaulted in a second that counts as thrashing (100; 30 on low-RAM). */
  "ro.lmk.thrashing_limit": number;
  /** ro.lmk.thrashing_limit_decay: % the limit drops by after each thrashing kill (10; 50 on low-RAM). */
  "ro.lmk.thrashing_limit_decay": number;
  /** ro.lmk.thrashing_limit_critical: thrashing at which perceptible apps may die too (thrashing_limit × 2). */
  "ro.lmk.thrashing_limit_critical": number;
  /** ro.lmk.swap_free_low_percentage: swap is low below this % of SwapTotal (10). */
  "ro.lmk.swap_free_low_percentage": number;
  /** ro.lmk.filecache_min_kb: keep killing after thrashing while the file LRU is below this (0). */
  "ro.lmk.filecache_min_kb": number;
  /** ro.lmk.stall_limit_critical: PSI full avg10 (%) above which perceptible apps may die (100). */
  "ro.lmk.stall_limit_critical": number;
  /** ro.lmk.kill_heaviest_task: kill the heaviest app of an oom_score_adj, not the oldest (false). */
  "ro.lmk.kill_heaviest_task": boolean;
}

export function defaultLmkdProperties(): LmkdProperties {
  const thrashingLimit = 100;
  return {
    "ro.lmk.psi_partial_stall_ms": 70,
    "ro.lmk.psi_complete_stall_ms": 700,
    "ro.lmk.thrashing_limit": thrashingLimit,
    "ro.lmk.thrashing_limit_decay": 10,
    "ro.lmk.thrashing_limit_critical": thrashingLimit * 2,
    "ro.lmk.swap_free_low_percentage": 10,
    "ro.lmk.filecache_min_kb": 0,
    "ro.lmk.stall_limit_critical": 100,
    "ro.lmk.kill_heaviest_task": false,
  };
}

/** One kill lmkd made. */
export interface LmkdKill {
  readonly pid: number;
  readonly comm: string;
  readonly oomScoreAdj: number;
  readonly rssKb: number;
  readonly swapKb: number;
  readonly reason: KillReason;
  readonly desc: string;
  readonly atNs: number;
}

/** What lmkd needs from the machine. */
export interface LmkdDeps {
  readonly host: () => OomHost;
  /** The machine's PSI group (null: no PSI, lmkd cannot start: "No kernel memory.pressure support"). */
  readonly psi: () => PsiGroup | null;
  /** A file's text as read(2) returns it (undefined: no such file). */
  readonly readFile: (path: string) => string | undefined;
  readonly log: KernelLog;
  readonly clock: SimClock;
}

/** `struct zone_watermarks`: the sums over the zones (pages). */
interface Watermarks {
  high: number;
  low: number;
  min: number;
}

/** Parses `key value` lines (/proc/vmstat) or `Key:   value kB` lines (/proc/meminfo). */
function fields(text: string | undefined, what: string): Map<string, number> {
  if (text === undefined) throw new Error(`lmkd: cannot read ${what}: the machine does not serve it (lmkd needs the procfs module)`);
  const m = new Map<string, number>();
  for (const line of text.split("\n")) {
    const r = /^(\w+):?\s+(-?\d+)/.exec(line);
    if (r !== null) m.set(r[1]!, Number(r[2]));
  }
  return m;
}

/** Kernel: lmkd's `calc_zone_watermarks()` over /proc/zoneinfo: each populated zone's min/low/high plus its largest protection. */
export function zoneWatermarks(zoneinfo: string): Watermarks {
  const w: Watermarks = { high: 0, low: 0, min: 0 };
  for (const zone of zoneinfo.split(/^Node /m).slice(1)) {
    const get = (k: string): number => Number(new RegExp(`^\\s+${k}\\s+(\\d+)$`, "m").exec(zone)?.[1] ?? 0);
    if (get("present") === 0) continue;
    const prot = /^\s+protection: \(([^)]*)\)/m.exec(zone)?.[1]?.split(",").map((s) => Number(s.trim())) ?? [0];
    const maxProtection = Math.max(0, ...prot);
    w.min += get("min") + maxProtection;
    w.low += get("low") + maxProtection;
    w.high += get("high") + maxProtection;
  }
  return w;
}

/** Parses "some avg10=… …\nfull avg10=…" into the full line's avg10 (%). */
function fullAvg10(pressure: string | undefined): number | null {
  const r = pressure === undefined ? null : /^full avg10=(\d+\.\d+)/m.exec(pressure);
  return r === null ? null : Number(r[1]);
}

/**
 * lmkd: its state between events (mp_event_psi's statics and the main loop's polling_params).
 */
export class Lmkd {
  props: LmkdProperties = defaultLmkdProperties();
  readonly kills: LmkdKill[] = [];
  /** Calls of mp_event_psi (events and polls). */
  events = 0;
  private triggers: (PsiTrigger | null)[] = [null, null, null];
  private started = false;
  // mp_event_psi's statics
  private initWsRefault = 0;
  private prevWorkingsetRefault = 0;
  private baseFileLru = 0;
  private initPgscanKswapd = 0;
  private initPgscanDirect = 0;
  private killing = false;
  private thrashingLimit = 0;
  private watermarks: Watermarks = { high: 0, low: 0, min: 0 };
  private wmarkUpdateNs = 0;
  private thrashingResetNs = 0;
  private prevThrashGrowth = 0;
  private checkFilecache = false;
  private maxThrashing = 0;
  // polling_params
  private pollLevel = -1;
  private pausedLevel = -1;
  private pollStartNs = 0;
  private lastPollNs = 0;
  private pollingIntervalMs = PSI_POLL_PERIOD_LONG_MS;
  /** The pid lmkd waits for (pidfd) after a kill, or -1. */
  private waitingFor = -1;

  constructor(private readonly deps: LmkdDeps) {}

  /** Kernel: lmkd's `init()` → `init_psi_monitors()` (new strategy: no low level; medium `some`, critical `full`). @returns false without PSI */
  start(): boolean {
    if (this.started) return true;
    const psi = this.deps.psi();
    if (psi === null) return false;
    const now = this.deps.clock.now();
    const p = this.props;
    this.thrashingLimit = p["ro.lmk.thrashing_limit"];
    this.thrashingResetNs = now;
    const thresholds: [number, number][] = [
      [PSI_MEM_SOME, 0],
      [PSI_MEM_SOME, p["ro.lmk.psi_partial_stall_ms"]],
      [PSI_MEM_FULL, p["ro.lmk.psi_complete_stall_ms"]],
    ];
    for (let level = VMPRESS_LEVEL_LOW; level <= VMPRESS_LEVEL_CRITICAL; level++) {
      const [state, ms] = thresholds[level]!;
      // init_mp_psi: a 0 threshold means the level is not monitored
      if (ms <= 0) continue;
      const text = `${state === PSI_MEM_SOME ? "some" : "full"} ${ms * 1000} ${PSI_WINDOW_SIZE_MS * 1000}`;
      const t = psi.createTrigger(PSI_MEM, text, now);
      if (typeof t === "number") throw new Error(`lmkd: the kernel refuses the PSI trigger "${text}" for the ${LEVEL_NAME[level]} level: check ro.lmk.psi_*_stall_ms (1..1000)`);
      this.triggers[level] = t;
    }
    this.started = true;
    return true;
  }

  /** `setprop <name> <value>` then `setprop lmkd.reinit 1`: new properties, new triggers. */
  setProperty(name: string, value: string): void {
    const defaults = defaultLmkdProperties();
    if (!(name in defaults)) throw new Error(`lmkd: unknown property "${name}": lmkd reads ${Object.keys(defaults).join(", ")}`);
    const key = name as keyof LmkdProperties;
    if (typeof defaults[key] === "boolean") {
      if (value !== "true" && value !== "false") throw new Error(`lmkd: ${name} is a bool: write "true" or "false", not "${value}"`);
      (this.props as unknown as Record<string, unknown>)[key] = value === "true";
    } else {
      if (!/^\d+$/.test(value)) throw new Error(`lmkd: ${name} takes a non-negative integer, not "${value}"`);
      (this.props as unknown as Record<string, unknown>)[key] = Number(value);
    }
    const psi = this.deps.psi();
    if (this.started && psi !== null) {
      // reinit: the old monitors are destroyed (psi_trigger_destroy), new ones created (the group's
      // rtpoll state mask keeps their states: at worst psimon polls a state no trigger watches)
      for (const t of this.triggers) if (t !== null && psi.triggers.includes(t)) psi.triggers.splice(psi.triggers.indexOf(t), 1);
      this.triggers = [null, null, null];
      this.started = false;
      this.start();
    }
  }

  /**
   * The main loop's one turn at `now`: the kill it waits for (pidfd), the PSI events (epoll),
   * or the poll when the polling interval has passed. The daemon thread calls it every 10 ms.
   */
  tick(): void {
    if (!this.started && !this.start()) return;
    const now = this.deps.clock.now();
    if (this.waitingFor >= 0) {
      const t = this.deps.host().tasks().find((x) => x.pid === this.waitingFor);
      if (t !== undefined && t.mmId >= 0 && !t.oomSkip) return; // still dying: polling paused
      // kill_done_handler: stop_wait_for_proc_kill; POLLING_RESUME
      this.waitingFor = -1;
      if (this.pausedLevel >= 0) {
        this.pollStartNs = now;
        this.pollLevel = this.pausedLevel;
        this.pollingIntervalMs = PSI_POLL_PERIOD_SHORT_MS;
        this.pausedLevel = -1;
      }
    }
    const psi = this.deps.psi()!;
    psi.pollTriggers(now);
    let handled = false;
    for (let level = VMPRESS_LEVEL_CRITICAL; level >= VMPRESS_LEVEL_LOW; level--) {
      const t = this.triggers[level];
      if (t === null || t === undefined || !t.event) continue;
      t.event = false; // the poll's POLLPRI is consumed by epoll_wait
      this.callHandler(level, 1, now);
      handled = true;
    }
    if (!handled && this.pollLevel >= 0 && now - this.lastPollNs >= this.pollingIntervalMs * NS_PER_MS) this.callHandler(this.pollLevel, 0, now);
  }

  /** Kernel: lmkd's `call_handler()`: runs mp_event_psi and updates the polling state. */
  private callHandler(level: number, events: number, now: number): void {
    this.events++;
    const update = this.mpEventPsi(level, events, now);
    if (this.pollLevel >= 0) this.lastPollNs = now;
    if (update === "start") {
      this.pollStartNs = now;
      this.pollLevel = level;
      this.lastPollNs = now;
    } else if (update === "pause") {
      this.pausedLevel = level;
      this.pollLevel = -1;
    } else if (this.pollLevel >= 0 && now - this.pollStartNs > PSI_WINDOW_SIZE_MS * NS_PER_MS) {
      // polled for the duration of the PSI window: stop
      this.pollLevel = -1;
    }
  }

  /** Kernel: lmkd's `mp_event_psi()`. @returns the polling update */
  private mpEventPsi(level: number, events: number, now: number): "start" | "pause" | "none" {
    const p = this.props;
    const vs = fields(this.deps.readFile("/proc/vmstat"), "/proc/vmstat");
    const mi = fields(this.deps.readFile("/proc/meminfo"), "/proc/meminfo");
    const v = (k: string): number => vs.get(k) ?? 0;
    const workingsetRefaultFile = v("workingset_refault_file");
    const fileLru = v("nr_inactive_file") + v("nr_active_file");
    let cycleAfterKill = false;
    let reclaim: "none" | "kswapd" | "direct" = "none";
    let thrashing = 0;
    let update: "start" | "pause" | "none" = "none";
    // Reset states after process got killed
    if (this.killing) {
      this.killing = false;
      cycleAfterKill = true;
      this.baseFileLru = fileLru;
      this.initWsRefault = workingsetRefaultFile;
      this.thrashingResetNs = now;
      this.prevThrashGrowth = 0;
    }
    // Check free swap levels (meminfo is in kB; lmkd keeps pages)
    const totalSwap = (mi.get("SwapTotal") ?? 0) / PAGE_K;
    const freeSwap = (mi.get("SwapFree") ?? 0) / PAGE_K;
    let swapLowThreshold = 0;
    let swapIsLow = false;
    if (p["ro.lmk.swap_free_low_percentage"] !== 0) {
      swapLowThreshold = Math.trunc((totalSwap * p["ro.lmk.swap_free_low_percentage"]) / 100);
      swapIsLow = freeSwap < swapLowThreshold;
    }
    // Identify reclaim state
    let bail = false;
    if (v("pgscan_direct") !== this.initPgscanDirect) {
      this.initPgscanDirect = v("pgscan_direct");
      this.initPgscanKswapd = v("pgscan_kswapd");
      reclaim = "direct";
    } else if (v("pgscan_kswapd") !== this.initPgscanKswapd) {
      this.initPgscanKswapd = v("pgscan_kswapd");
      reclaim = "kswapd";
    } else if (workingsetRefaultFile === this.prevWorkingsetRefault) {
      // not thrashing and not reclaiming: bail out early until these stats change
      bail = true;
    }
    if (!bail) {
      this.prevWorkingsetRefault = workingsetRefaultFile;
      const sinceResetMs = Math.trunc((now - this.thrashingResetNs) / NS_PER_MS);
      if (sinceResetMs > THRASHING_RESET_INTERVAL_MS) {
        this.prevThrashGrowth = Math.trunc(((workingsetRefaultFile - this.initWsRefault) * 100) / (this.baseFileLru + 1));
        const windowsPassed = Math.trunc(sinceResetMs / THRASHING_RESET_INTERVAL_MS);
        // decay unless over-the-limit thrashing was registered in the window just crossed
        if (windowsPassed > 1 || this.prevThrashGrowth < this.thrashingLimit) this.prevThrashGrowth = Math.trunc(this.prevThrashGrowth / 2 ** windowsPassed);
        this.baseFileLru = fileLru;
        this.initWsRefault = workingsetRefaultFile;
        this.thrashingResetNs = now;
        this.thrashingLimit = p["ro.lmk.thrashing_limit"];
      } else {
        // what % of the file-backed page cache refaulted so far
        thrashing = Math.trunc(((workingsetRefaultFile - this.initWsRefault) * 100) / (this.baseFileLru + 1));
      }
      thrashing += this.prevThrashGrowth;
      if (this.maxThrashing < thrashing) this.maxThrashing = thrashing;
      // refresh watermarks once per minute
      if (this.watermarks.high === 0 || now - this.wmarkUpdateNs > 60_000 * NS_PER_MS) {
        const zi = this.deps.readFile("/proc/zoneinfo");
        if (zi === undefined) throw new Error("lmkd: cannot read /proc/zoneinfo (Failed to parse zoneinfo!)");
        this.watermarks = zoneWatermarks(zi);
        this.wmarkUpdateNs = now;
      }
      // get_lowest_watermark: free pages without CMA
      const nrFree = v("nr_free_pages") - (mi.get("CmaFree") ?? 0) / PAGE_K;
      const w = this.watermarks;
      const wmark = nrFree < w.min ? WMARK_MIN : nrFree < w.low ? WMARK_LOW : nrFree < w.high ? WMARK_HIGH : WMARK_NONE;
      const avg10 = fullAvg10(this.deps.readFile("/proc/pressure/memory"));
      const criticalStall = avg10 !== null && avg10 > p["ro.lmk.stall_limit_critical"];
      const thrashingCritical = p["ro.lmk.thrashing_limit_critical"];
      let reason: KillReason = "none";
      let desc = "";
      let minScoreAdj = 0;
      let cutThrashingLimit = false;
      const swapDesc = `${freeSwap * PAGE_K}kB < ${swapLowThreshold * PAGE_K}kB`;
      if (cycleAfterKill && wmark < WMARK_LOW) {
        // kills not freeing enough memory, which might lead to an OOM kill
        reason = "pressure_after_kill";
        desc = "min watermark is breached even after kill";
      } else if (level === VMPRESS_LEVEL_CRITICAL && events !== 0) {
        // the device is too busy reclaiming memory: complete stall over the threshold
        reason = "not_responding";
        desc = "device is not responding";
      } else if (swapIsLow && thrashing > p["ro.lmk.thrashing_limit"]) {
        reason = "low_swap_and_thrashing";
        desc = `device is low on swap (${swapDesc}) and thrashing (${thrashing}%)`;
        if (wmark > WMARK_MIN && thrashing < thrashingCritical) minScoreAdj = PERCEPTIBLE_APP_ADJ + 1;
        this.checkFilecache = true;
      } else if (swapIsLow && wmark < WMARK_HIGH) {
        reason = "low_mem_and_swap";
        desc = `${wmark < WMARK_LOW ? "min" : "low"} watermark is breached and swap is low (${swapDesc})`;
        if (wmark > WMARK_MIN && thrashing < thrashingCritical) minScoreAdj = PERCEPTIBLE_APP_ADJ + 1;
      } else if (wmark < WMARK_HIGH && thrashing > this.thrashingLimit) {
        reason = "low_mem_and_thrashing";
        desc = `${wmark < WMARK_LOW ? "min" : "low"} watermark is breached and thrashing (${thrashing}%)`;
        cutThrashingLimit = true;
        if (thrashing < thrashingCritical) minScoreAdj = PERCEPTIBLE_APP_ADJ + 1;
        this.checkFilecache = true;
      } else if (reclaim === "direct" && thrashing > this.thrashingLimit) {
        reason = "direct_recl_and_thrashing";
        desc = `device is in direct reclaim and thrashing (${thrashing}%)`;
        cutThrashingLimit = true;
        if (thrashing < thrashingCritical) minScoreAdj = PERCEPTIBLE_APP_ADJ + 1;
        this.checkFilecache = true;
      } else if (this.checkFilecache) {
        const fileLruKb = fileLru * PAGE_K;
        if (fileLruKb < p["ro.lmk.filecache_min_kb"]) {
          reason = "low_filecache_after_thrashing";
          desc = `filecache is low (${fileLruKb}kB < ${p["ro.lmk.filecache_min_kb"]}kB) after thrashing`;
          minScoreAdj = PERCEPTIBLE_APP_ADJ + 1;
        } else {
          this.checkFilecache = false;
        }
      }
      if (reason !== "none") {
        // allow killing perceptible apps if the system is stalled
        if (criticalStall) minScoreAdj = 0;
        const freed = this.findAndKillProcess(minScoreAdj, reason, desc, now);
        if (freed > 0) {
          this.killing = true;
          this.maxThrashing = 0;
          // cut the thrashing limit until the system stops thrashing
          if (cutThrashingLimit) this.thrashingLimit = Math.trunc((this.thrashingLimit * (100 - p["ro.lmk.thrashing_limit_decay"])) / 100);
        }
      }
    }
    // no_kill: pause polling while waiting for the victim's death (pidfd)
    if (this.waitingFor >= 0) return "pause";
    // start polling after the initial event; extend while in direct reclaim or killing
    if (events !== 0 || this.killing || reclaim === "direct") update = "start";
    this.pollingIntervalMs = swapIsLow || this.killing ? PSI_POLL_PERIOD_SHORT_MS : PSI_POLL_PERIOD_LONG_MS;
    return update;
  }

  /** Kernel: lmkd's `find_and_kill_process()`: from OOM_SCORE_ADJ_MAX down to min_score_adj, the oldest app of the adj (the heaviest from perceptible down). @returns the rss pages the kill freed (0 also for an app all in swap), or 0 without a kill */
  private findAndKillProcess(minScoreAdj: number, reason: KillReason, desc: string, now: number): number {
    const tasks = this.deps.host().tasks().filter((t) => !t.unkillable && t.mmId >= 0 && !t.oomSkip && !t.exiting && t.oomScoreAdj >= minScoreAdj);
    let chooseHeaviest = this.props["ro.lmk.kill_heaviest_task"];
    for (let adj = OOM_SCORE_ADJ_MAX; adj >= minScoreAdj; adj--) {
      if (!chooseHeaviest && adj <= PERCEPTIBLE_APP_ADJ) chooseHeaviest = true;
      // the apps of this adj, each a candidate until one is killed (a 0-rss app is dropped)
      const slot = tasks.filter((t) => t.oomScoreAdj === adj);
      while (slot.length > 0) {
        let i = 0;
        if (chooseHeaviest) for (let j = 1; j < slot.length; j++) if (rssPages(slot[j]!) > rssPages(slot[i]!)) i = j;
        const victim = slot.splice(i, 1)[0]!;
        const freed = this.killOneProcess(victim, reason, desc, now);
        if (freed >= 0) return freed;
      }
    }
    return 0;
  }

  /**
   * Kernel: lmkd's `kill_one_process()`: SIGKILL, process_mrelease, the log line. An app whose
   * pages are all in zram (rss 0) is killed too (Android 12+: only an unreadable size, < 0, skips
   * it), and its swap is what the kill frees. @returns the rss pages freed
   */
  private killOneProcess(t: OomTask, reason: KillReason, desc: string, now: number): number {
    const rss = rssPages(t);
    const host = this.deps.host();
    host.sigkill(t.pid);
    // process_mrelease on the pidfd: reap the victim's memory now (it fails for a running task, which frees it through exit_mmap)
    host.reap(t.pid);
    this.waitingFor = t.pid;
    const rssKb = rss * PAGE_K;
    const swapKb = t.swapents * PAGE_K;
    this.deps.log.prInfo(`lowmemorykiller: Kill '${t.comm}' (${t.pid}), uid ${t.uid}, oom_score_adj ${t.oomScoreAdj} to free ${rssKb}kB rss, ${swapKb}kB swap; reason: ${desc}`);
    this.kills.push({ pid: t.pid, comm: t.comm, oomScoreAdj: t.oomScoreAdj, rssKb, swapKb, reason, desc, atNs: now });
    return rss;
  }
}

/** /proc/<pid>/statm's resident: anon + file + shmem pages. */
function rssPages(t: OomTask): number {
  return t.anonRss + t.fileRss + t.shmemRss;
}
