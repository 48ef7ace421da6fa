// Kernel: mm/memcontrol.c (mem_cgroup_charge, charge_memcg, try_charge_memcg, consume_stock, refill_stock, drain_stock, drain_all_stock, commit_charge, mem_cgroup_swapin_charge_folio, uncharge_folio, uncharge_batch, mem_cgroup_migrate, __mem_cgroup_try_charge_swap, __mem_cgroup_uncharge_swap, mem_cgroup_margin, mem_cgroup_get_max, mem_cgroup_oom, mem_cgroup_out_of_memory, mem_cgroup_print_oom_meminfo, mem_cgroup_handle_over_high, reclaim_high, calculate_overage, calculate_high_delay, mem_find_max_overage, swap_find_max_overage, memcg_memory_event, mem_cgroup_calculate_protection, memory_stat_format), kernel/cgroup/cgroup.c (cgroup_mkdir, cgroup_rmdir, cgroup_attach_task, cgroup_subtree_control_write) (v6.1) — the memory controller of cgroup v2
/*
 * One MemCgroup per cgroup directory. A cgroup has a memory css when its parent's
 * cgroup.subtree_control holds "memory" (the root always has one); a task's pages are charged to
 * the css of its cgroup or of the nearest ancestor that has one (task_css → the effective css).
 *
 * Charging follows 6.1's try_charge_memcg: a per-CPU stock of pre-charged pages is used first
 * (consume_stock); otherwise MEMCG_CHARGE_BATCH (64) pages are charged up the hierarchy and the
 * surplus goes to the CPU's stock (refill_stock, drained when it passes the batch or another memcg
 * takes the CPU's stock), so memory.current counts the stock as 6.1's does. A charge over
 * memory.max raises MEMCG_MAX, reclaims the memcg (try_to_free_mem_cgroup_pages, reclaim's
 * MemcgReclaimer), drains the stocks once, retries up to MAX_RECLAIM_RETRIES times, then invokes
 * the memcg OOM (the `oom` slot's memcgOutOfMemory), and fails with -ENOMEM when the charging
 * task is the victim. A charge that leaves a level above memory.high adds to the task's
 * memcg_nr_pages_over_high, which mem_cgroup_handle_over_high pays on the way back to user space
 * (reclaim_high, then the penalty sleep of calculate_high_delay).
 *
 * The root memcg has no limit and its counter is not charged (try_charge returns 0 for it), but
 * its pages carry its id, so its memory.stat counts them.
 *
 * mmsim's differences from 6.1, all named:
 *  - The charged memcg of a fault or a page-cache insertion is current's: mmsim never faults
 *    or reads for another mm (no remote faults through ptrace or process_vm_*), so
 *    get_mem_cgroup_from_mm(mm) and current's memcg are the same.
 *  - Uncharging happens in the page allocator's free_pages_prepare for every page that still
 *    has a memcg (6.1 uncharges user folios in __folio_put/release_pages just before they reach
 *    the allocator, and kmem pages in free_pages_prepare): the same instant on the simulated clock.
 *  - One lruvec per node (see ScanControl.memcgMask): limit reclaim scans the node's lists and
 *    takes only the target subtree's folios; global reclaim's memory.min/low protection leaves
 *    the protected memcgs' folios in place the same way (reclaimProtection).
 *  - mem_cgroup_handle_over_high runs at the end of the charge that set the over-high count
 *    (the fault's return to user space comes right after in mmsim's steps).
 *  - Limit reclaim counts in the global pgscan_direct/pgsteal_direct too (6.1 counts cgroup
 *    reclaim in the memcg's events only); the memcg's pgscan/pgsteal are those counters' deltas
 *    over each limit-reclaim pass.
 *  - memory.stat's page-state lines are computed from the pages (a walk of the mem map over the
 *    subtree's pages) when the file is read, instead of per-memcg vmstat counters updated at each
 *    event; the event lines mmsim does not count per memcg (pgfault, pgmajfault, pgrefill,
 *    pgactivate, pgdeactivate, pglazyfree(d), workingset_*, zswpin/out, thp_*) read 0, and
 *    pgscan/pgsteal count limit reclaim only (all of it as _direct: kswapd's global reclaim of
 *    the memcg's pages is not attributed).
 *  - Rmdir leaves a memcg whose pages are still charged as a zombie (offline, not listed) until
 *    its last page is uncharged, as 6.1 does for LRU pages; kmem reparenting (objcg) is not modelled.
 */
import {
  type KernelLog, type MemMap, type MemcgCharger, type MemcgOomControl, type MemcgReclaimer, MEMCG_RECLAIM_MAY_SWAP, type OutOfMemoryHandler, type PsiHooks, type SimClock,
  pageTable, PGSCAN_DIRECT, PGSCAN_KSWAPD, PGSTEAL_DIRECT, PGSTEAL_KSWAPD, PG_active, PG_dirty, PG_head, PG_lru, PG_swapbacked, PG_swapcache, PG_unevictable, PG_writeback,
  __GFP_DIRECT_RECLAIM, __GFP_HIGH, __GFP_NOFAIL, __GFP_NORETRY, __GFP_RETRY_MAYFAIL, GFP_KERNEL,
} from "@mmsim/core";
import type { TaskStruct, TaskTableView } from "@mmsim/vma";
import {
  PAGE_COUNTER_MAX, PageCounter, effectiveProtection, pageCounterCharge, pageCounterSetLow, pageCounterSetMax, pageCounterSetMin, pageCounterTryCharge, pageCounterUncharge,
} from "./page-counter.ts";

/** Kernel: `MEMCG_CHARGE_BATCH`. */
export const MEMCG_CHARGE_BATCH = 64;
/** Kernel: `MAX_RECLAIM_RETRIES`. */
export const MAX_RECLAIM_RETRIES = 16;
/** Kernel: `PAGE_ALLOC_COSTLY_ORDER`. */
const PAGE_ALLOC_COSTLY_ORDER = 3;
/** Kernel: `SWAP_CLUSTER_MAX`. */
const SWAP_CLUSTER_MAX = 32;
/** HZ of the reference config, and one jiffy in ns. */
const HZ = 250;
const JIFFY_NS = 1_000_000_000 / HZ;
/** Kernel: `MEMCG_DELAY_PRECISION_SHIFT`, `MEMCG_DELAY_SCALING_SHIFT`, `MEMCG_MAX_HIGH_DELAY_JIFFIES`. */
const MEMCG_DELAY_PRECISION_SHIFT = 20;
const MEMCG_DELAY_SCALING_SHIFT = 14;
const MEMCG_MAX_HIGH_DELAY_JIFFIES = 2 * HZ;
/** Kernel: `MEM_CGROUP_ID_MAX` (USHRT_MAX: page->memcg_data's id fits MemMap's 16-bit column). */
export const MEM_CGROUP_ID_MAX = 65535;

/** Kernel: `enum memcg_memory_event`. */
export const MEMCG_LOW = 0;
export const MEMCG_HIGH = 1;
export const MEMCG_MAX = 2;
export const MEMCG_OOM = 3;
export const MEMCG_OOM_KILL = 4;
export const MEMCG_OOM_GROUP_KILL = 5;
export const MEMCG_SWAP_HIGH = 6;
export const MEMCG_SWAP_MAX = 7;
export const MEMCG_SWAP_FAIL = 8;
export const MEMCG_NR_MEMORY_EVENTS = 9;

/** memcg reclaim's own counters (mmsim keeps the two memory.stat reads: pgscan, pgsteal). */
export const MEMCG_EV_PGSCAN = 0;
export const MEMCG_EV_PGSTEAL = 1;

/** One cgroup and its memory controller state. Kernel: `struct cgroup` + `struct mem_cgroup`. */
export class MemCgroup {
  readonly children: MemCgroup[] = [];
  /** The cgroup directory exists (cgroup_rmdir not yet called): css online. */
  online = true;
  /** It has a memory css (its parent's subtree_control holds memory; always for the root). */
  hasMemory: boolean;
  /** cgroup.subtree_control has memory. */
  subtreeMemory = false;
  readonly memory: PageCounter;
  readonly swap: PageCounter;
  /** memory.events (hierarchical) and memory.events.local. Kernel: `memory_events`, `memory_events_local`. */
  readonly events = new Float64Array(MEMCG_NR_MEMORY_EVENTS);
  readonly eventsLocal = new Float64Array(MEMCG_NR_MEMORY_EVENTS);
  /** memory.oom.group. */
  oomGroup = 0;
  /** memory.swap.high in pages. */
  swapHigh = PAGE_COUNTER_MAX;
  /** Pages whose page->memcg_data is this memcg (folios and kmem), and its swap entries: validate()'s sums. */
  pagesCharged = 0;
  kmemPages = 0;
  swapCharged = 0;
  /** pgscan and pgsteal of limit reclaim aimed at this memcg (local). */
  readonly vmEvents = new Float64Array(2);

  constructor(
    readonly id: number,
    readonly name: string,
    readonly parent: MemCgroup | null,
  ) {
    this.hasMemory = parent === null || parent.subtreeMemory;
    this.memory = new PageCounter(parent?.memory ?? null);
    this.swap = new PageCounter(parent?.swap ?? null);
  }

  /** The cgroup's path below /sys/fs/cgroup ("/" for the root). Kernel: `cgroup_path()`. */
  get path(): string {
    if (this.parent === null) return "/";
    const up = this.parent.path;
    return up === "/" ? `/${this.name}` : `${up}/${this.name}`;
  }

  get isRoot(): boolean {
    return this.parent === null;
  }
}

/** What the controller is built over. */
export interface MemcgDeps {
  readonly mem: MemMap;
  readonly clock: SimClock;
  readonly log: KernelLog;
  readonly nrCpus: number;
  /** The machine's tasks (null before the process module has any). */
  readonly tasks: () => TaskTableView | null;
  /** Limit reclaim (reclaim's try_to_free_mem_cgroup_pages); null without a reclaim module. */
  readonly reclaimer: () => MemcgReclaimer | null;
  /** The `oom` slot; null without one. */
  readonly oom: () => OutOfMemoryHandler | null;
  /** PSI's stall marks; null without PSI. */
  readonly psi: () => PsiHooks | null;
  /** task_is_dying(): current is an OOM victim or has a fatal signal pending. */
  readonly currentDying: () => boolean;
  /** current->flags & PF_MEMALLOC (reclaim's own allocations). */
  readonly pfMemalloc: () => boolean;
  /** total_swap_pages. */
  readonly totalSwapPages: () => number;
  /** The machine's vm events (pgscan/pgsteal of limit reclaim are read as their deltas). */
  readonly vmEvents: Float64Array;
}

/** Parses a memory.* value: "max" or bytes with an optional K/M/G/T suffix (memparse), rounded down to pages. Kernel: `page_counter_memparse()`. */
export function pageCounterMemparse(buf: string, max: string): number | null {
  const s = buf.trim();
  if (s === max) return PAGE_COUNTER_MAX;
  const m = /^(\d+)([kKmMgGtTpPeE]?)$/.exec(s);
  if (!m) return null;
  const shift = { "": 0, k: 10, m: 20, g: 30, t: 40, p: 50, e: 60 }[m[2]!.toLowerCase()]!;
  const bytes = Number(m[1]) * 2 ** shift;
  return Math.min(Math.floor(bytes / 4096), PAGE_COUNTER_MAX);
}

/** The memory controller of one machine: the cgroup tree, the charges, the per-CPU stocks. */
export class MemcgController implements MemcgCharger {
  readonly root: MemCgroup;
  /** Every memcg by id (zombies included until their last charge goes); index = page->memcg_data. */
  private readonly byId: (MemCgroup | undefined)[] = [];
  /** memcg_stock_pcp: the cached memcg and its pre-charged pages, per CPU. */
  readonly stockMemcg: (MemCgroup | null)[];
  readonly stockPages: Float64Array;
  /** swap_cgroup: the memcg id recorded for each swap entry (entry value → id). */
  private readonly swapCgroup = new Map<number, number>();
  /** current->memcg_nr_pages_over_high, by pid. */
  private readonly overHigh = new Map<number, number>();
  /** cgroup2's memory_recursiveprot mount option (systemd mounts cgroup2 with it). */
  recursiveProt = true;
  /** Penalty sleeps taken in mem_cgroup_handle_over_high (ns), and how many. */
  highDelayNs = 0;
  highDelays = 0;
  /** Scratch mask for limit reclaim (one flag per memcg id). */
  private readonly mask = new Uint8Array(MEM_CGROUP_ID_MAX + 1);

  constructor(private readonly deps: MemcgDeps) {
    this.root = new MemCgroup(1, "", null);
    this.byId[1] = this.root;
    this.stockMemcg = new Array<MemCgroup | null>(deps.nrCpus).fill(null);
    this.stockPages = new Float64Array(deps.nrCpus);
  }

  // ---------------------------------------------------------------- the hierarchy

  /** The memcg of id `id`, or undefined. Kernel: `mem_cgroup_from_id()`. */
  fromId(id: number): MemCgroup | undefined {
    return this.byId[id];
  }

  /** The online cgroup at `path` ("/" or "/a/b"), or undefined. */
  lookup(path: string): MemCgroup | undefined {
    if (path === "/" || path === "") return this.root;
    let cg: MemCgroup | undefined = this.root;
    for (const part of path.split("/").filter((x) => x !== "")) {
      cg = cg.children.find((c) => c.name === part);
      if (cg === undefined) return undefined;
    }
    return cg;
  }

  /** Every online cgroup, parents before children (css_for_each_descendant_pre). */
  walk(from: MemCgroup = this.root): MemCgroup[] {
    const out: MemCgroup[] = [];
    const visit = (c: MemCgroup): void => {
      out.push(c);
      for (const k of c.children) visit(k);
    };
    visit(from);
    return out;
  }

  /**
   * mkdir in the cgroup2 hierarchy. Kernel: `cgroup_mkdir()` → css_create (mem_cgroup_css_alloc:
   * the id from mem_cgroup_idr, the lowest free one).
   * @returns the new cgroup, or a negative errno (-EEXIST, -ENOENT: no parent, -ENOSPC: no id)
   */
  mkdir(path: string): MemCgroup | number {
    const parts = path.split("/").filter((x) => x !== "");
    if (parts.length === 0) return -17;
    const name = parts.pop()!;
    const parent = this.lookup(parts.join("/"));
    if (parent === undefined) return -2;
    if (parent.children.some((c) => c.name === name) || /^(cgroup|memory)\./.test(name)) return -17;
    let id = 2;
    while (id <= MEM_CGROUP_ID_MAX && this.byId[id] !== undefined) id++;
    if (id > MEM_CGROUP_ID_MAX) return -28;
    const cg = new MemCgroup(id, name, parent);
    this.byId[id] = cg;
    parent.children.push(cg);
    return cg;
  }

  /**
   * rmdir. Kernel: `cgroup_rmdir()` → cgroup_destroy_locked (-EBUSY with tasks or children),
   * mem_cgroup_css_offline (drain_all_stock); the memcg stays until its last charge goes.
   * @returns 0 or a negative errno (-ENOENT, -EBUSY, -EPERM for the root)
   */
  rmdir(path: string): number {
    const cg = this.lookup(path);
    if (cg === undefined) return -2;
    if (cg.isRoot) return -1;
    if (cg.children.length > 0 || this.tasksOf(cg).length > 0) return -16;
    const p = cg.parent!;
    p.children.splice(p.children.indexOf(cg), 1);
    cg.online = false;
    this.drainAllStock(cg);
    this.maybeFree(cg);
    return 0;
  }

  /** Frees an offline memcg's id once nothing is charged to it (mem_cgroup_id_put → css_free). */
  private maybeFree(cg: MemCgroup): void {
    if (!cg.online && cg.pagesCharged === 0 && cg.kmemPages === 0 && cg.swapCharged === 0 && cg.memory.usage === 0 && cg.swap.usage === 0) this.byId[cg.id] = undefined;
  }

  /** The tasks whose cgroup is exactly `cg` (cgroup.procs), in pid order. */
  tasksOf(cg: MemCgroup): TaskStruct[] {
    const t = this.deps.tasks();
    if (t === null) return [];
    return t.list().filter((x) => x.cgroupId === cg.id && x.state !== "Z (zombie)" && x.state !== "X (dead)");
  }

  /** The memcg a cgroup's tasks charge: its own css or its nearest ancestor's. */
  effective(cg: MemCgroup): MemCgroup {
    let c = cg;
    while (!c.hasMemory) c = c.parent!;
    return c;
  }

  /** Is `cg` `anc` or below it. Kernel: `mem_cgroup_is_descendant()`. */
  isDescendant(cg: MemCgroup, anc: MemCgroup): boolean {
    for (let c: MemCgroup | null = cg; c !== null; c = c.parent) if (c === anc) return true;
    return false;
  }

  /**
   * A write of a pid to cgroup.procs: moves the task (0 = the writer). Kernel:
   * `cgroup_procs_write()` → cgroup_attach_task; v2's no-internal-process rule refuses a
   * non-root cgroup whose subtree_control has controllers (-EBUSY). Charges stay where they were
   * (memory.move_charge_at_immigrate is v1 only).
   * @returns 0 or a negative errno (-ESRCH, -EBUSY, -EINVAL)
   */
  attach(cg: MemCgroup, value: string): number {
    const pid = Number(value.trim());
    if (!Number.isInteger(pid) || pid < 0) return -22;
    const tasks = this.deps.tasks();
    const t = pid === 0 ? tasks?.current() : tasks?.lookup(pid);
    if (t === undefined || t === null || t.state === "Z (zombie)" || t.state === "X (dead)") return -3;
    if (!cg.isRoot && cg.subtreeMemory) return -16;
    this.overHigh.delete(t.pid);
    t.cgroupId = cg.id;
    return 0;
  }

  /**
   * cgroup.subtree_control: "+memory" / "-memory". Kernel: `cgroup_subtree_control_write()`
   * (the parent must have it; a non-root cgroup with tasks cannot enable it: -EBUSY; a child
   * that enables it keeps it from being disabled: -EBUSY).
   */
  subtreeControl(cg: MemCgroup, value: string): number {
    for (const tok of value.trim().split(/\s+/).filter((x) => x !== "")) {
      const en = tok[0] === "+";
      if ((tok[0] !== "+" && tok[0] !== "-") || tok.slice(1) !== "memory") return -22;
      if (en) {
        if (!cg.hasMemory) return -2;
        if (!cg.isRoot && this.tasksOf(cg).length > 0) return -16;
        cg.subtreeMemory = true;
        for (const k of cg.children) k.hasMemory = true;
      } else {
        if (cg.children.some((k) => k.subtreeMemory)) return -16;
        cg.subtreeMemory = false;
        for (const k of cg.children) k.hasMemory = false;
      }
    }
    return 0;
  }

  // ---------------------------------------------------------------- charging

  /** The memcg current charges. Kernel: `get_mem_cgroup_from_mm(current->mm)`. */
  currentMemcg(): MemCgroup {
    const t = this.deps.tasks()?.current() ?? null;
    if (t === null) return this.root;
    const cg = this.byId[t.cgroupId];
    return cg === undefined ? this.root : this.effective(cg);
  }

  /** Kernel: `mem_cgroup_charge()` → charge_memcg(). */
  charge(page: number, nrPages: number, gfp: number, cpu: number): number {
    return this.chargeMemcg(page, this.currentMemcg(), nrPages, gfp, cpu);
  }

  /** Kernel: `charge_memcg()` → try_charge() + commit_charge(). */
  private chargeMemcg(page: number, memcg: MemCgroup, nrPages: number, gfp: number, cpu: number): number {
    if (!memcg.isRoot && this.tryChargeMemcg(memcg, gfp, nrPages, cpu) !== 0) return -12;
    this.deps.mem.memcg[page] = memcg.id;
    memcg.pagesCharged += nrPages;
    return 0;
  }

  /** Kernel: `mem_cgroup_swapin_charge_folio()`. */
  swapinCharge(page: number, nrPages: number, gfp: number, entry: number, cpu: number): number {
    const id = this.swapCgroup.get(entry);
    let memcg = id === undefined ? undefined : this.byId[id];
    if (memcg === undefined || !memcg.online) memcg = this.currentMemcg();
    return this.chargeMemcg(page, memcg, nrPages, gfp, cpu);
  }

  /** Kernel: `__memcg_kmem_charge_page()` (obj_cgroup charge of whole pages). */
  kmemCharge(page: number, order: number, gfp: number, cpu: number): number {
    const memcg = this.currentMemcg();
    const nr = 1 << order;
    if (!memcg.isRoot && this.tryChargeMemcg(memcg, gfp, nr, cpu) !== 0) return -12;
    this.deps.mem.memcg[page] = memcg.id;
    memcg.kmemPages += nr;
    this.kmem[page] = order + 1;
    return 0;
  }
  /** MEMCG_DATA_KMEM: which charged pages are kernel memory, as 1 + the allocation's order (by page index; made on first use). */
  private kmemFlags: Uint8Array | null = null;
  private get kmem(): Uint8Array {
    return (this.kmemFlags ??= new Uint8Array(this.deps.mem.nrPages));
  }

  /** Kernel: `mem_cgroup_uncharge()` → uncharge_folio + uncharge_batch (and __memcg_kmem_uncharge_page). */
  uncharge(page: number, order: number): void {
    const mem = this.deps.mem;
    const memcg = this.byId[mem.memcg[page]!];
    mem.memcg[page] = 0;
    if (memcg === undefined) return;
    const nr = 1 << order;
    if (this.kmemFlags !== null && this.kmemFlags[page] !== 0) {
      this.kmemFlags[page] = 0;
      memcg.kmemPages -= nr;
    } else memcg.pagesCharged -= nr;
    if (!memcg.isRoot) pageCounterUncharge(memcg.memory, nr);
    this.maybeFree(memcg);
  }

  /** Kernel: `mem_cgroup_migrate()`: the new folio takes the old one's charge (the old one is then freed uncharged). */
  migrate(oldPage: number, newPage: number): void {
    const mem = this.deps.mem;
    mem.memcg[newPage] = mem.memcg[oldPage]!;
    mem.memcg[oldPage] = 0;
  }

  /** Kernel: `__mem_cgroup_try_charge_swap()`. */
  tryChargeSwap(page: number, entry: number, nrPages: number): number {
    const memcg = this.byId[this.deps.mem.memcg[page]!];
    if (memcg === undefined) return 0;
    if (entry === 0) {
      this.memoryEvent(memcg, MEMCG_SWAP_FAIL);
      return 0;
    }
    // mem_cgroup_id_get_online: a dead memcg's swap goes to its nearest online ancestor
    let m = memcg;
    while (!m.online) m = m.parent!;
    if (!m.isRoot && pageCounterTryCharge(m.swap, nrPages) !== null) {
      this.memoryEvent(m, MEMCG_SWAP_MAX);
      this.memoryEvent(m, MEMCG_SWAP_FAIL);
      return -12;
    }
    for (let i = 0; i < nrPages; i++) this.swapCgroup.set(entry + i, m.id);
    m.swapCharged += nrPages;
    return 0;
  }

  /** Kernel: `__mem_cgroup_uncharge_swap()`. */
  unchargeSwap(entry: number, nrPages: number): void {
    for (let i = 0; i < nrPages; i++) {
      const id = this.swapCgroup.get(entry + i);
      if (id === undefined) continue;
      this.swapCgroup.delete(entry + i);
      const memcg = this.byId[id];
      if (memcg === undefined) continue;
      if (!memcg.isRoot) pageCounterUncharge(memcg.swap, 1);
      memcg.swapCharged--;
      this.maybeFree(memcg);
    }
  }

  /** Kernel: `consume_stock()`. */
  private consumeStock(memcg: MemCgroup, nr: number, cpu: number): boolean {
    if (nr > MEMCG_CHARGE_BATCH) return false;
    if (this.stockMemcg[cpu] === memcg && this.stockPages[cpu]! >= nr) {
      this.stockPages[cpu] = this.stockPages[cpu]! - nr;
      return true;
    }
    return false;
  }

  /** Kernel: `drain_stock()`: the CPU's pre-charged pages go back. */
  private drainStock(cpu: number): void {
    const old = this.stockMemcg[cpu];
    if (old === null || old === undefined) return;
    const n = this.stockPages[cpu]!;
    if (n > 0) {
      pageCounterUncharge(old.memory, n);
      this.stockPages[cpu] = 0;
    }
    this.stockMemcg[cpu] = null;
    this.maybeFree(old);
  }

  /** Kernel: `refill_stock()` → __refill_stock. */
  private refillStock(memcg: MemCgroup, nr: number, cpu: number): void {
    if (this.stockMemcg[cpu] !== memcg) {
      this.drainStock(cpu);
      this.stockMemcg[cpu] = memcg;
    }
    this.stockPages[cpu] = this.stockPages[cpu]! + nr;
    if (this.stockPages[cpu]! > MEMCG_CHARGE_BATCH) this.drainStock(cpu);
  }

  /** Kernel: `drain_all_stock()`: the stocks of every CPU whose cached memcg is `root_memcg` or below. */
  drainAllStock(rootMemcg: MemCgroup): void {
    for (let cpu = 0; cpu < this.deps.nrCpus; cpu++) {
      const m = this.stockMemcg[cpu];
      if (m !== null && m !== undefined && this.stockPages[cpu]! > 0 && this.isDescendant(m, rootMemcg)) this.drainStock(cpu);
    }
  }

  /** Kernel: `mem_cgroup_margin()`. */
  margin(memcg: MemCgroup): number {
    return Math.max(0, memcg.memory.max - memcg.memory.usage);
  }

  /** Kernel: `memcg_memory_event()` (without memory_localevents: every level up to the root's children). */
  memoryEvent(memcg: MemCgroup, event: number): void {
    memcg.eventsLocal[event]! += 1;
    for (let m: MemCgroup | null = memcg; m !== null && !m.isRoot; m = m.parent) m.events[event]! += 1;
  }

  /** Sets the mask of `memcg`'s subtree for limit reclaim. */
  private subtreeMask(memcg: MemCgroup): Uint8Array {
    const mask = this.mask;
    mask.fill(0);
    for (let id = 1; id < this.byId.length; id++) {
      const m = this.byId[id];
      if (m !== undefined && this.isDescendant(m, memcg)) mask[id] = 1;
    }
    return mask;
  }

  /** Kernel: `try_to_free_mem_cgroup_pages()` through reclaim's MemcgReclaimer (0 without reclaim). */
  tryToFreeMemCgroupPages(memcg: MemCgroup, nrPages: number, gfp: number, options: number): number {
    const r = this.deps.reclaimer();
    if (r === null) return 0;
    // __count_memcg_events(PGSCAN_*/PGSTEAL_*): what this pass scanned and reclaimed, counted for the target
    const ev = this.deps.vmEvents;
    const scan0 = ev[PGSCAN_KSWAPD]! + ev[PGSCAN_DIRECT]!;
    const steal0 = ev[PGSTEAL_KSWAPD]! + ev[PGSTEAL_DIRECT]!;
    const n = r.tryToFreeMemCgroupPages(this.subtreeMask(memcg), nrPages, gfp, options);
    memcg.vmEvents[MEMCG_EV_PGSCAN]! += ev[PGSCAN_KSWAPD]! + ev[PGSCAN_DIRECT]! - scan0;
    memcg.vmEvents[MEMCG_EV_PGSTEAL]! += ev[PGSTEAL_KSWAPD]! + ev[PGSTEAL_DIRECT]! - steal0;
    return n;
  }

  /** Reclaim with the task's PSI memstall marks around it (psi_memstall_enter/leave). */
  private stalledReclaim(memcg: MemCgroup, nrPages: number, gfp: number, options: number): number {
    const psi = this.deps.psi();
    psi?.memstallEnter();
    try {
      return this.tryToFreeMemCgroupPages(memcg, nrPages, gfp, options);
    } finally {
      psi?.memstallLeave(0);
    }
  }

  /**
   * Kernel: `try_charge_memcg()`.
   * @returns 0, or -ENOMEM
   */
  private tryChargeMemcg(memcg: MemCgroup, gfp: number, nrPages: number, cpu: number): number {
    let batch = Math.max(MEMCG_CHARGE_BATCH, nrPages);
    let nrRetries = MAX_RECLAIM_RETRIES;
    let drained = false;
    let passedOom = false;
    let memOverLimit: MemCgroup;
    for (;;) {
      // retry:
      if (this.consumeStock(memcg, nrPages, cpu)) return 0;
      const failed = pageCounterTryCharge(memcg.memory, batch);
      if (failed === null) break; // done_restock
      memOverLimit = this.memcgOfCounter(failed);
      if (batch > nrPages) {
        batch = nrPages;
        continue;
      }
      // Prevent unbounded recursion when reclaim operations need to allocate memory.
      if (this.deps.pfMemalloc()) return this.force(memcg, memOverLimit, nrPages);
      if ((gfp & __GFP_DIRECT_RECLAIM) === 0) return this.nomem(memcg, memOverLimit, nrPages, gfp);
      this.memoryEvent(memOverLimit, MEMCG_MAX);
      const nrReclaimed = this.stalledReclaim(memOverLimit, nrPages, gfp, MEMCG_RECLAIM_MAY_SWAP);
      if (this.margin(memOverLimit) >= nrPages) continue;
      if (!drained) {
        this.drainAllStock(memOverLimit);
        drained = true;
        continue;
      }
      if ((gfp & __GFP_NORETRY) !== 0) return this.nomem(memcg, memOverLimit, nrPages, gfp);
      // Even though the limit is exceeded at this point, reclaim may have made room for a small allocation.
      if (nrReclaimed > 0 && nrPages <= 1 << PAGE_ALLOC_COSTLY_ORDER) continue;
      if (nrRetries-- > 0) continue;
      if ((gfp & __GFP_RETRY_MAYFAIL) !== 0) return this.nomem(memcg, memOverLimit, nrPages, gfp);
      // Avoid endless loops for tasks bypassed by the oom killer.
      if (passedOom && this.deps.currentDying()) return this.nomem(memcg, memOverLimit, nrPages, gfp);
      // keep retrying as long as the memcg oom killer is able to make a forward progress
      if (this.memCgroupOom(memOverLimit, gfp, Math.ceil(Math.log2(nrPages)))) {
        nrRetries = MAX_RECLAIM_RETRIES;
        passedOom = true;
        continue;
      }
      return this.nomem(memcg, memOverLimit, nrPages, gfp);
    }
    // done_restock:
    if (batch > nrPages) this.refillStock(memcg, batch - nrPages, cpu);
    // The allocating task will reclaim or be throttled when a level is over memory.high.
    const t = this.deps.tasks()?.current() ?? null;
    for (let m: MemCgroup | null = memcg; m !== null && !m.isRoot; m = m.parent) {
      const memHigh = m.memory.usage > m.memory.high;
      const swapHigh = m.swap.usage > m.swapHigh;
      if (memHigh || swapHigh) {
        if (t !== null) this.overHigh.set(t.pid, (this.overHigh.get(t.pid) ?? 0) + batch);
        break;
      }
    }
    // In 6.1 the payment is made here only past MEMCG_CHARGE_BATCH; else on the return to user
    // space (resume_user_mode_work), which in mmsim follows the charge at once.
    if (t !== null && (this.overHigh.get(t.pid) ?? 0) > 0 && !this.deps.pfMemalloc() && (gfp & __GFP_DIRECT_RECLAIM) !== 0) this.handleOverHigh(t);
    return 0;
  }

  /** try_charge_memcg's `nomem:` label. */
  private nomem(memcg: MemCgroup, over: MemCgroup, nrPages: number, gfp: number): number {
    if ((gfp & (__GFP_NOFAIL | __GFP_HIGH)) === 0) return -12;
    return this.force(memcg, over, nrPages);
  }

  /** try_charge_memcg's `force:` label: charged past the limit (MEMCG_MAX raised). */
  private force(memcg: MemCgroup, over: MemCgroup, nrPages: number): number {
    this.memoryEvent(over, MEMCG_MAX);
    pageCounterCharge(memcg.memory, nrPages);
    return 0;
  }

  /** The memcg whose memory counter is `c` (mem_cgroup_from_counter). */
  private memcgOfCounter(c: PageCounter): MemCgroup {
    for (let id = 1; id < this.byId.length; id++) if (this.byId[id]?.memory === c) return this.byId[id]!;
    throw new Error("memcg-psi.memcgOfCounter: a counter of no memcg");
  }

  /** Kernel: `mem_cgroup_get_max()` (cgroup v2: memory.max plus the swap it may still use, when swappiness > 0). */
  getMax(memcg: MemCgroup): number {
    const swap = Math.max(0, memcg.swap.max - memcg.swap.usage);
    return memcg.memory.max + Math.min(swap, this.deps.totalSwapPages());
  }

  /**
   * Kernel: `mem_cgroup_oom()` → mem_cgroup_out_of_memory().
   * @returns true when the OOM killer made progress (a victim killed or dying)
   */
  memCgroupOom(memcg: MemCgroup, gfp: number, order: number): boolean {
    if (order > PAGE_ALLOC_COSTLY_ORDER) return false;
    this.memoryEvent(memcg, MEMCG_OOM);
    return this.memCgroupOutOfMemory(memcg, gfp, order);
  }

  /** Kernel: `mem_cgroup_out_of_memory()`. */
  memCgroupOutOfMemory(memcg: MemCgroup, gfp: number, order: number): boolean {
    if (this.margin(memcg) >= 1 << order) return true;
    if (this.deps.currentDying()) return true;
    const oom = this.deps.oom();
    if (oom === null || oom.memcgOutOfMemory === undefined) return false;
    return oom.memcgOutOfMemory(this.oomControl(memcg, gfp, order));
  }

  /** struct oom_control with oc->memcg: what the `oom` slot needs of the memcg. */
  private oomControl(memcg: MemCgroup, gfp: number, order: number): MemcgOomControl {
    const pathOf = (pid: number): string => {
      const t = this.deps.tasks()?.lookup(pid);
      const cg = t === undefined ? undefined : this.byId[t.cgroupId];
      return cg === undefined ? "/" : this.effective(cg).path;
    };
    return {
      gfp,
      order,
      path: memcg.path,
      totalpages: Math.max(1, this.getMax(memcg)),
      contains: (pid: number) => {
        const t = this.deps.tasks()?.lookup(pid);
        const cg = t === undefined ? undefined : this.byId[t.cgroupId];
        return cg !== undefined && this.isDescendant(cg, memcg);
      },
      taskPath: pathOf,
      printMeminfo: () => this.printOomMeminfo(memcg),
      killed: (pid: number) => {
        const t = this.deps.tasks()?.lookup(pid);
        const cg = t === undefined ? undefined : this.byId[t.cgroupId];
        if (cg !== undefined) this.memoryEvent(this.effective(cg), MEMCG_OOM_KILL);
      },
    };
  }

  /** Kernel: `mem_cgroup_print_oom_meminfo()`. */
  printOomMeminfo(memcg: MemCgroup): void {
    const log = this.deps.log;
    const K = (p: number): number => p * 4;
    log.prInfo(`memory: usage ${K(memcg.memory.usage)}kB, limit ${K(memcg.memory.max)}kB, failcnt ${memcg.memory.failcnt}`);
    log.prInfo(`swap: usage ${K(memcg.swap.usage)}kB, limit ${K(memcg.swap.max)}kB, failcnt ${memcg.swap.failcnt}`);
    log.prInfo(`Memory cgroup stats for ${memcg.path}:`);
    // pr_info("%s", buf): one printk record of many lines; record_print_text() fits them, each
    // with its "<6>[    t.tttttt] " prefix (18 characters), into a 1,024-byte buffer with a
    // newline and a NUL, so the real dmesg shows the first ~30 lines (to workingset_activate_anon
    // in the captures)
    let used = 0;
    for (const line of this.memoryStat(memcg).trimEnd().split("\n")) {
      if (used + 18 + line.length + 2 > 1024) break;
      used += 18 + line.length + 1;
      log.prInfo(line);
    }
  }

  /** Kernel: `calculate_overage()`. */
  private static overage(usage: number, high: number): number {
    if (usage <= high) return 0;
    const h = Math.max(high, 1);
    return Math.floor(((usage - h) * 2 ** MEMCG_DELAY_PRECISION_SHIFT) / h);
  }

  /** Kernel: `mem_find_max_overage()` / `swap_find_max_overage()`. */
  private maxOverage(memcg: MemCgroup, swap: boolean): number {
    let max = 0;
    for (let m: MemCgroup | null = memcg; m !== null && !m.isRoot; m = m.parent) {
      const o = swap ? MemcgController.overage(m.swap.usage, m.swapHigh) : MemcgController.overage(m.memory.usage, m.memory.high);
      if (swap && o > 0) this.memoryEvent(m, MEMCG_SWAP_HIGH);
      max = Math.max(max, o);
    }
    return max;
  }

  /** Kernel: `calculate_high_delay()` (jiffies). */
  static highDelay(nrPages: number, maxOverage: number): number {
    if (maxOverage === 0) return 0;
    // max_overage² · HZ >> 20 >> 14, in u64 arithmetic (BigInt: the square passes 2^53)
    const o = BigInt(maxOverage);
    const penalty = (o * o * BigInt(HZ)) >> BigInt(MEMCG_DELAY_PRECISION_SHIFT + MEMCG_DELAY_SCALING_SHIFT);
    return Number((penalty * BigInt(nrPages)) / BigInt(MEMCG_CHARGE_BATCH));
  }

  /** Kernel: `reclaim_high()`. */
  private reclaimHigh(memcg: MemCgroup, nrPages: number, gfp: number): number {
    let reclaimed = 0;
    for (let m: MemCgroup | null = memcg; m !== null && !m.isRoot; m = m.parent) {
      if (m.memory.usage <= m.memory.high) continue;
      this.memoryEvent(m, MEMCG_HIGH);
      reclaimed += this.stalledReclaim(m, nrPages, gfp, MEMCG_RECLAIM_MAY_SWAP);
    }
    return reclaimed;
  }

  /** Kernel: `mem_cgroup_handle_over_high()`: reclaim, then the penalty sleep (schedule_timeout_killable on the simulated clock). */
  handleOverHigh(t: TaskStruct): void {
    const nrPages = this.overHigh.get(t.pid) ?? 0;
    if (nrPages === 0) return;
    const cg = this.byId[t.cgroupId];
    if (cg === undefined) return;
    const memcg = this.effective(cg);
    this.overHigh.delete(t.pid);
    let nrRetries = MAX_RECLAIM_RETRIES;
    let inRetry = false;
    for (;;) {
      const nrReclaimed = this.reclaimHigh(memcg, inRetry ? SWAP_CLUSTER_MAX : nrPages, GFP_KERNEL);
      let penalty = MemcgController.highDelay(nrPages, this.maxOverage(memcg, false));
      penalty += MemcgController.highDelay(nrPages, this.maxOverage(memcg, true));
      penalty = Math.min(penalty, MEMCG_MAX_HIGH_DELAY_JIFFIES);
      // Don't bother with a delay smaller than 10 ms: reclaim alone is then enough.
      if (penalty <= HZ / 100) return;
      if (nrReclaimed > 0 || nrRetries-- > 0) {
        inRetry = true;
        continue;
      }
      const psi = this.deps.psi();
      psi?.memstallEnter();
      this.deps.clock.advance(penalty * JIFFY_NS);
      psi?.memstallLeave(0);
      this.highDelayNs += penalty * JIFFY_NS;
      this.highDelays++;
      return;
    }
  }

  // ---------------------------------------------------------------- the knobs

  /** memory.max write. Kernel: `memory_max_write()`. */
  setMax(memcg: MemCgroup, max: number): void {
    memcg.memory.max = max;
    let drained = false;
    let nrReclaims = MAX_RECLAIM_RETRIES;
    for (;;) {
      const nr = memcg.memory.usage;
      if (nr <= max) break;
      if (!drained) {
        this.drainAllStock(memcg);
        drained = true;
        continue;
      }
      if (nrReclaims > 0) {
        if (this.tryToFreeMemCgroupPages(memcg, nr - max, GFP_KERNEL, MEMCG_RECLAIM_MAY_SWAP) === 0) nrReclaims--;
        continue;
      }
      this.memoryEvent(memcg, MEMCG_OOM);
      if (!this.memCgroupOutOfMemory(memcg, GFP_KERNEL, 0)) break;
    }
  }

  /** memory.high write. Kernel: `memory_high_write()`. */
  setHigh(memcg: MemCgroup, high: number): void {
    memcg.memory.high = high;
    let drained = false;
    let nrRetries = MAX_RECLAIM_RETRIES;
    for (;;) {
      const nr = memcg.memory.usage;
      if (nr <= high) break;
      if (!drained) {
        this.drainAllStock(memcg);
        drained = true;
        continue;
      }
      const reclaimed = this.tryToFreeMemCgroupPages(memcg, nr - high, GFP_KERNEL, MEMCG_RECLAIM_MAY_SWAP);
      if (reclaimed === 0 && nrRetries-- <= 0) break;
    }
  }

  /** memory.min / memory.low writes. */
  setMin(memcg: MemCgroup, v: number): void {
    pageCounterSetMin(memcg.memory, v);
  }

  setLow(memcg: MemCgroup, v: number): void {
    pageCounterSetLow(memcg.memory, v);
  }

  /** memory.swap.max write. Kernel: `swap_max_write()` (xchg: no reclaim). */
  setSwapMax(memcg: MemCgroup, v: number): void {
    memcg.swap.max = v;
  }

  /** memory.reclaim write. Kernel: `memory_reclaim()`. @returns 0 or -EAGAIN */
  proactiveReclaim(memcg: MemCgroup, nrToReclaim: number): number {
    let reclaimed = 0;
    let retries = MAX_RECLAIM_RETRIES;
    while (reclaimed < nrToReclaim) {
      const n = this.tryToFreeMemCgroupPages(memcg, Math.min(nrToReclaim - reclaimed, SWAP_CLUSTER_MAX), GFP_KERNEL, MEMCG_RECLAIM_MAY_SWAP | 2);
      if (n === 0 && retries-- <= 0) return -11;
      reclaimed += n;
    }
    return 0;
  }

  /**
   * Effective memory.min/low of every memcg below `root` (elow/emin of its counters).
   * Kernel: `mem_cgroup_calculate_protection()` for each memcg mem_cgroup_iter visits.
   */
  calculateProtection(root: MemCgroup): void {
    for (const memcg of this.walk(root)) {
      const c = memcg.memory;
      if (memcg === root || memcg.parent === null) continue; // the target's own values are ignored
      const usage = c.usage;
      if (usage === 0) continue; // stale values: nothing to protect
      const parent = memcg.parent;
      if (parent === root) {
        c.emin = c.min;
        c.elow = c.low;
        continue;
      }
      const pc = parent.memory;
      c.emin = effectiveProtection(usage, pc.usage, c.min, pc.emin, pc.childrenMinUsage, this.recursiveProt);
      c.elow = effectiveProtection(usage, pc.usage, c.low, pc.elow, pc.childrenLowUsage, this.recursiveProt);
    }
  }

  /** Kernel: shrink_node_memcgs' protection checks over every memcg (root = the target). See MemcgCharger. */
  reclaimProtection(lowReclaim: boolean, skipped: Uint8Array): Uint8Array | null {
    let any = false;
    for (const m of this.byId) if (m !== undefined && !m.isRoot && (m.memory.min > 0 || m.memory.low > 0)) any = true;
    if (!any) return null;
    this.calculateProtection(this.root);
    const mask = this.protMask;
    mask.fill(1);
    for (const m of this.byId) {
      if (m === undefined || m.isRoot) continue; // the root doesn't support protection
      const usage = m.memory.usage;
      if (m.memory.emin >= usage) mask[m.id] = 0; // mem_cgroup_below_min
      else if (m.memory.elow >= usage) {
        if (!lowReclaim) {
          skipped[0] = 1;
          mask[m.id] = 0;
        } else this.memoryEvent(m, MEMCG_LOW);
      }
    }
    return mask;
  }
  private readonly protMask = new Uint8Array(MEM_CGROUP_ID_MAX + 1);

  // ---------------------------------------------------------------- memory.stat

  /** memory.stat in 6.1's order and format (memory_stat_format). */
  memoryStat(memcg: MemCgroup): string {
    const mask = this.subtreeMask(memcg);
    const mem = this.deps.mem;
    const s = new Float64Array(NR_STAT);
    const kmem = this.kmemFlags;
    for (let p = 0; p < mem.nrPages; p++) {
      const id = mem.memcg[p]!;
      if (id === 0 || mask[id] !== 1) continue;
      const f = mem.flags[p]!;
      if (kmem !== null && kmem[p] !== 0) {
        const nk = 1 << (kmem[p]! - 1);
        s[ST_KERNEL]! += nk;
        if (pageTable(mem, p)) s[ST_PAGETABLES]! += nk;
        continue;
      }
      const nr = (f & (1 << PG_head)) !== 0 ? 512 : 1;
      const mapping = mem.mapping[p]!;
      const mapped = mem.mapcount[p]! >= 0;
      const swapbacked = (f & (1 << PG_swapbacked)) !== 0;
      const swapcache = swapbacked && (f & (1 << PG_swapcache)) !== 0;
      if (mapping < 0) {
        if (mapped) s[ST_ANON]! += nr;
        if (nr === 512) s[ST_ANON_THP]! += nr;
      }
      if (mapping > 0 || swapcache) s[ST_FILE]! += nr;
      if (mapping > 0 && swapbacked) s[ST_SHMEM]! += nr;
      if (mapping > 0 && mapped) s[ST_FILE_MAPPED]! += nr;
      if (mapping > 0 && (f & (1 << PG_dirty)) !== 0) s[ST_FILE_DIRTY]! += nr;
      if ((f & (1 << PG_writeback)) !== 0) s[ST_FILE_WRITEBACK]! += nr;
      if (swapcache) s[ST_SWAPCACHED]! += nr;
      if ((f & (1 << PG_lru)) !== 0) {
        if ((f & (1 << PG_unevictable)) !== 0) s[ST_UNEVICTABLE]! += nr;
        else s[(swapbacked ? ST_INACTIVE_ANON : ST_INACTIVE_FILE) + ((f & (1 << PG_active)) !== 0 ? 1 : 0)]! += nr;
      }
    }
    let pgscan = 0;
    let pgsteal = 0;
    for (const m of this.walk(memcg)) {
      pgscan += m.vmEvents[MEMCG_EV_PGSCAN]!;
      pgsteal += m.vmEvents[MEMCG_EV_PGSTEAL]!;
    }
    const B = (i: number): number => s[i]! * 4096;
    const lines: string[] = [];
    for (const [name, i] of MEMORY_STATS) {
      lines.push(`${name} ${i < 0 ? 0 : B(i)}`);
      if (name === "slab_unreclaimable") lines.push("slab 0");
    }
    lines.push(
      "workingset_refault_anon 0", "workingset_refault_file 0", "workingset_activate_anon 0", "workingset_activate_file 0",
      "workingset_restore_anon 0", "workingset_restore_file 0", "workingset_nodereclaim 0",
      // pgscan, pgsteal, then memcg_vm_event_stat[] (PGPGIN/PGPGOUT skipped), as the 6.1 stable kernel of the captures prints them
      `pgscan ${pgscan}`, `pgsteal ${pgsteal}`, "pgscan_kswapd 0", `pgscan_direct ${pgscan}`, "pgsteal_kswapd 0", `pgsteal_direct ${pgsteal}`,
      "pgfault 0", "pgmajfault 0", "pgrefill 0", "pgactivate 0", "pgdeactivate 0", "pglazyfree 0", "pglazyfreed 0",
      "zswpin 0", "zswpout 0", "thp_fault_alloc 0", "thp_collapse_alloc 0",
    );
    return `${lines.join("\n")}\n`;
  }

  // ---------------------------------------------------------------- validate

  /**
   * The controller's invariants: every page's memcg id names a memcg; each memcg's charged pages
   * (with its descendants' and the CPUs' stocks) sum to its memory counter; no counter is negative.
   */
  validate(report: (msg: string) => void): void {
    const mem = this.deps.mem;
    const count = new Float64Array(this.byId.length);
    for (let p = 0; p < mem.nrPages; p++) {
      const id = mem.memcg[p]!;
      if (id === 0) continue;
      if (this.byId[id] === undefined) {
        report(`page ${p} is charged to memcg id ${id}, which does not exist`);
        continue;
      }
      const k = this.kmemFlags?.[p] ?? 0;
      count[id]! += k !== 0 ? 1 << (k - 1) : (mem.flags[p]! & (1 << PG_head)) !== 0 ? 512 : 1;
    }
    const stock = new Float64Array(this.byId.length);
    for (let cpu = 0; cpu < this.deps.nrCpus; cpu++) {
      const m = this.stockMemcg[cpu];
      if (m !== null && m !== undefined) stock[m.id]! += this.stockPages[cpu]!;
    }
    // The sums over each subtree (zombies included: they still hold charges in their ancestors).
    const all = this.byId.filter((m): m is MemCgroup => m !== undefined);
    for (const m of all) {
      if (count[m.id] !== m.pagesCharged + m.kmemPages) report(`memcg ${m.path} (id ${m.id}): ${count[m.id]} pages carry its id, but it counts ${m.pagesCharged} + ${m.kmemPages} kmem`);
      if (m.memory.usage < 0 || m.swap.usage < 0 || m.pagesCharged < 0 || m.swapCharged < 0) report(`memcg ${m.path}: a negative counter (memory ${m.memory.usage}, swap ${m.swap.usage})`);
      if (m.isRoot) continue;
      let sum = 0;
      let swapSum = 0;
      for (const d of all) {
        if (!this.isDescendant(d, m)) continue;
        sum += d.pagesCharged + d.kmemPages + stock[d.id]!;
        swapSum += d.swapCharged;
      }
      if (sum !== m.memory.usage) report(`memcg ${m.path}: memory.current is ${m.memory.usage} pages but its subtree's charges and stocks are ${sum}`);
      if (swapSum !== m.swap.usage) report(`memcg ${m.path}: memory.swap.current is ${m.swap.usage} pages but its subtree holds ${swapSum} swap entries`);
    }
  }
}

/** memory_stats[] indices of mmsim's page walk. */
const ST_ANON = 0;
const ST_FILE = 1;
const ST_KERNEL = 2;
const ST_SHMEM = 3;
const ST_FILE_MAPPED = 4;
const ST_FILE_DIRTY = 5;
const ST_FILE_WRITEBACK = 6;
const ST_SWAPCACHED = 7;
const ST_ANON_THP = 8;
const ST_INACTIVE_ANON = 9;
const ST_INACTIVE_FILE = 11;
const ST_UNEVICTABLE = 13;
const ST_PAGETABLES = 14;
const NR_STAT = 15;

/**
 * 6.1's memory_stats[] (CONFIG_ZSWAP, CONFIG_SWAP and CONFIG_TRANSPARENT_HUGEPAGE as the
 * reference's Debian config): name → mmsim's index, -1 for what mmsim charges nothing to
 * (kernel stacks, percpu, sockets, zswap, file and shmem THPs, slab objects; vmalloc'd
 * __GFP_ACCOUNT pages count in kernel only).
 */
const MEMORY_STATS: readonly (readonly [string, number])[] = Object.freeze([
  ["anon", ST_ANON], ["file", ST_FILE], ["kernel", ST_KERNEL], ["kernel_stack", -1], ["pagetables", ST_PAGETABLES], ["sec_pagetables", -1], ["percpu", -1], ["sock", -1],
  ["vmalloc", -1], ["shmem", ST_SHMEM], ["zswap", -1], ["zswapped", -1], ["file_mapped", ST_FILE_MAPPED], ["file_dirty", ST_FILE_DIRTY],
  ["file_writeback", ST_FILE_WRITEBACK], ["swapcached", ST_SWAPCACHED], ["anon_thp", ST_ANON_THP], ["file_thp", -1], ["shmem_thp", -1],
  ["inactive_anon", ST_INACTIVE_ANON], ["active_anon", ST_INACTIVE_ANON + 1], ["inactive_file", ST_INACTIVE_FILE], ["active_file", ST_INACTIVE_FILE + 1],
  ["unevictable", ST_UNEVICTABLE], ["slab_reclaimable", -1], ["slab_unreclaimable", -1],
]);

/** The memory.* values as 6.1 prints them: "max" or bytes. Kernel: `seq_puts_memcg_tunable()`. */
export function tunable(pages: number): string {
  return pages === PAGE_COUNTER_MAX ? "max\n" : `${pages * 4096}\n`;
}

export { PAGE_COUNTER_MAX, pageCounterSetMax };
