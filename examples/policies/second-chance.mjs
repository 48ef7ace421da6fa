// mmsim: an example of a user's own ReclaimPolicy, loaded from a module path — CLOCK ("second chance") page replacement (no kernel counterpart)
/*
 * The oldest page-replacement policy that still works: one FIFO list per type (anonymous, file)
 * per node, and a reference bit. Reclaim looks at the oldest page of a list; if it was used since
 * it was last looked at it gets a second chance (back to the young end, bit cleared), otherwise it
 * is isolated and handed to the kernel's shrink_folio_list, which unmaps it, writes it to swap or
 * back to its file if it is dirty, and frees it. What shrink_folio_list keeps (a young PTE, a
 * locked or dirty page it could not write) goes back to the young end.
 *
 *   reference bit   PG_referenced: set by folio_mark_accessed (read(2), a page-cache hit) and
 *                   by activation; shrink_folio_list tests and clears the PTE young bits
 *                   itself (folio_check_references), so mapped pages need nothing more here
 *   balance         scan (size >> priority) × swappiness / 100 anonymous pages and
 *                   (size >> priority) × (200 − swappiness) / 100 file pages per pass, in
 *                   batches of SWAP_CLUSTER_MAX; no anonymous page without swap space
 *   refaults        a per-node eviction clock; a page that comes back within as many evictions
 *                   as the node has pages on its lists gets its reference bit (counted as
 *                   workingset_refault_* and workingset_activate_*)
 *   counters        every page counts as inactive (there is no active list): /proc/meminfo's
 *                   Active(anon) and Active(file) stay 0; pgscan, pgsteal, pgrotated,
 *                   nr_isolated_* as the kernel counts them
 *
 * Use it in a scenario:   kernel: { policies: { reclaim: ./examples/policies/second-chance.mjs } }
 * or on the command line: --set kernel.policies.reclaim=./examples/policies/second-chance.mjs
 * and compare:            mmsim compare examples/scenarios/reclaim-tmpfs-zram.yaml \
 *                           --vary kernel.policies.reclaim=lru,mglru,./examples/policies/second-chance.mjs
 *
 * The contract every policy keeps is core's ReclaimPolicy (packages/core/src/policies/reclaim-policy.ts):
 * the policy owns the lists of each node's lruvec (list heads from host.lruvecHeads(nid), pages
 * linked through mem.lruNext/lruPrev), counts each page it adds or removes with
 * host.updateLruSize, and reclaims only through host.shrinkFolioList. The default export is an
 * MmsimModule for the `reclaim` slot.
 */
import {
  LRU_INACTIVE_ANON, LRU_INACTIVE_FILE, LRU_UNEVICTABLE, NR_ISOLATED_ANON, NR_LRU_BASE, NR_LRU_LISTS, NR_VM_NODE_STAT_ITEMS, PGROTATED,
  PGSCAN_ANON, PGSCAN_DIRECT, PGSCAN_KSWAPD, PGSTEAL_ANON, PGSTEAL_DIRECT, PGSTEAL_KSWAPD, PG_active, PG_head, PG_lru, PG_referenced,
  PG_swapbacked, PG_swapcache, PG_unevictable, ReclaimPolicy, ReclaimStat, WORKINGSET_ACTIVATE_BASE, WORKINGSET_REFAULT_BASE,
} from "@mmsim/core";
import { instanceCachingFactory } from "tsyringe";

const LRU = 1 << PG_lru;
const ACTIVE = 1 << PG_active;
const REFERENCED = 1 << PG_referenced;
const SWAPBACKED = 1 << PG_swapbacked;
const UNEVICTABLE = 1 << PG_unevictable;
const HEAD = 1 << PG_head;
const SWAPCACHE = 1 << PG_swapcache;

/** The node's list heads this policy uses: the two FIFOs, the unevictable list, two scratch lists. */
const ANON = 0;
const FILE = 1;
const UNEVICT = 2;
const ISOLATED = 3;
const FREED = 4;
const NR_HEADS = 5;
/** Pages per isolation batch (the kernel's SWAP_CLUSTER_MAX). */
const BATCH = 32;
/** Shadow entries: eviction clock × SHADOW_NODES + node id. */
const SHADOW_NODES = 1024;

/** A folio's pages: a THP head is 512, any other page 1 (the kernel's folio_nr_pages). */
const nrPages = (flags) => ((flags & HEAD) !== 0 ? 512 : 1);
/** The counter (update_lru_size's `lru`) a page counts in: there is no active list. */
const lruOf = (flags) => ((flags & UNEVICTABLE) !== 0 ? LRU_UNEVICTABLE : (flags & SWAPBACKED) !== 0 ? LRU_INACTIVE_ANON : LRU_INACTIVE_FILE);
/** The FIFO a page lives on. */
const listOf = (flags) => ((flags & UNEVICTABLE) !== 0 ? UNEVICT : (flags & SWAPBACKED) !== 0 ? ANON : FILE);

/** CLOCK page replacement over the kernel's reclaim mechanism. */
export class SecondChance {
  name = "second-chance";

  /** @param {import("@mmsim/core").ReclaimHost} host */
  attach(host) {
    this.host = host;
    this.next = host.mem.lruNext;
    this.prev = host.mem.lruPrev;
    this.flags = host.mem.flags;
    this.refcount = host.mem.refcount;
    this.heads = new Int32Array(host.nrNodes);
    /** Per node: pages evicted so far (the eviction clock refault distances are measured on). */
    this.evictions = new Float64Array(host.nrNodes);
    this.stat = new ReclaimStat();
    for (let nid = 0; nid < host.nrNodes; nid++) {
      const h = host.lruvecHeads(nid);
      this.heads[nid] = h;
      for (let i = 0; i < NR_HEADS; i++) {
        this.next[h + i] = h + i;
        this.prev[h + i] = h + i;
      }
    }
  }

  // ------------------------------------------------------------------ the lists

  /** Links `page` after `at` (the young end of a list is right after its head). */
  link(page, at) {
    const first = this.next[at];
    this.next[page] = first;
    this.prev[page] = at;
    this.prev[first] = page;
    this.next[at] = page;
  }

  unlink(page) {
    const n = this.next[page];
    const p = this.prev[page];
    this.next[p] = n;
    this.prev[n] = p;
    this.next[page] = -1;
    this.prev[page] = -1;
  }

  addFolio(page, tail) {
    // An active page (activated while isolated or in a per-CPU batch) is a referenced one here.
    let f = this.flags[page];
    if ((f & ACTIVE) !== 0) f = (f & ~ACTIVE) | REFERENCED;
    this.flags[page] = f | LRU;
    const head = this.heads[this.host.pageNid(page)] + listOf(f);
    this.host.updateLruSize(page, lruOf(f), nrPages(f));
    this.link(page, tail ? this.prev[head] : head);
  }

  delFolio(page) {
    const f = this.flags[page];
    this.unlink(page);
    this.host.updateLruSize(page, lruOf(f), -nrPages(f));
    this.flags[page] = f & ~LRU;
  }

  /** Moves a page on a list to the old end of its FIFO (or the young end), re-counted under its flags. */
  move(page, tail, setFlags, clearFlags) {
    this.delFolio(page);
    this.flags[page] = (this.flags[page] & ~clearFlags) | setFlags;
    this.addFolio(page, tail);
  }

  // ------------------------------------------------------------------ mm/swap.c's moves

  markAccessed(page) {
    this.flags[page] = this.flags[page] | REFERENCED;
  }

  activate(page) {
    this.flags[page] = this.flags[page] | REFERENCED;
  }

  /** MADV_COLD: not used any more — to the old end, bit cleared. */
  deactivate(page) {
    if ((this.flags[page] & (LRU | UNEVICTABLE)) !== LRU) return;
    this.move(page, true, 0, REFERENCED | ACTIVE);
  }

  /** invalidate_mapping_pages could not drop it: to the old end, bit cleared, unless it is mapped. */
  deactivateFile(page) {
    if ((this.flags[page] & (LRU | UNEVICTABLE)) !== LRU || this.host.mem.mapcount[page] >= 0) return;
    this.move(page, true, 0, REFERENCED | ACTIVE);
    this.host.vmstat.vmEvents[PGROTATED] += nrPages(this.flags[page]);
  }

  /** MADV_FREE: a clean anonymous page becomes a file-list page (freed without I/O if still clean). */
  lazyfree(page) {
    const f = this.flags[page];
    if ((f & (LRU | UNEVICTABLE | SWAPBACKED | SWAPCACHE)) !== (LRU | SWAPBACKED)) return; // not one in the swap cache
    this.move(page, false, 0, REFERENCED | ACTIVE | SWAPBACKED);
  }

  // ------------------------------------------------------------------ reclaim

  /** One node's share of a reclaim pass (the kernel calls it per node and priority). */
  shrinkLruvec(nid, sc) {
    const host = this.host;
    const vs = host.vmstat.nodeVmStat;
    const base = nid * NR_VM_NODE_STAT_ITEMS + NR_LRU_BASE;
    const swappiness = host.swappiness;
    const anonOk = sc.maySwap && host.canReclaimAnonPages(nid, sc);
    const anonSize = vs[base + LRU_INACTIVE_ANON];
    const fileSize = vs[base + LRU_INACTIVE_FILE];
    let nrAnon = anonOk ? Math.min(anonSize, Math.floor((Math.floor(anonSize / 2 ** sc.priority) * swappiness) / 100)) : 0;
    let nrFile = Math.min(fileSize, Math.floor((Math.floor(fileSize / 2 ** sc.priority) * (200 - swappiness)) / 100));
    const start = sc.nrReclaimed;
    while (nrAnon > 0 || nrFile > 0) {
      if (nrAnon > 0) {
        const n = Math.min(nrAnon, BATCH);
        nrAnon -= n;
        this.shrinkList(nid, ANON, n, sc);
      }
      if (nrFile > 0) {
        const n = Math.min(nrFile, BATCH);
        nrFile -= n;
        this.shrinkList(nid, FILE, n, sc);
      }
      if (sc.nrReclaimed - start >= sc.nrToReclaim) break;
    }
  }

  /** Looks at up to `nrToScan` pages from the old end of FIFO `type`: second chance or reclaim. */
  shrinkList(nid, type, nrToScan, sc) {
    const host = this.host;
    const h = this.heads[nid];
    const src = h + type;
    const isolated = h + ISOLATED;
    const file = type === FILE ? 1 : 0;
    let scanned = 0;
    let taken = 0;
    let rotated = 0;
    while (scanned < nrToScan && this.next[src] !== src) {
      const page = this.prev[src];
      const f = this.flags[page];
      const nr = nrPages(f);
      scanned += nr;
      if ((f & REFERENCED) !== 0) {
        // Second chance: to the young end, bit cleared.
        this.unlink(page);
        this.flags[page] = f & ~REFERENCED;
        this.link(page, src);
        rotated += nr;
        continue;
      }
      if (this.refcount[page] <= 0) {
        // Being freed (folio_try_get fails): not ours to take; to the young end, out of the way.
        this.unlink(page);
        this.link(page, src);
        continue;
      }
      this.delFolio(page); // PG_lru cleared, uncounted
      this.refcount[page] += 1; // the isolation's reference (folio_try_get)
      this.link(page, isolated);
      taken += nr;
    }
    const ev = host.vmstat.vmEvents;
    ev[sc.isKswapd ? PGSCAN_KSWAPD : PGSCAN_DIRECT] += scanned;
    ev[PGSCAN_ANON + file] += scanned;
    ev[PGROTATED] += rotated;
    if (taken === 0) return;
    const isolatedItem = nid * NR_VM_NODE_STAT_ITEMS + NR_ISOLATED_ANON + file;
    host.vmstat.nodeVmStat[isolatedItem] += taken;
    const reclaimed = host.shrinkFolioList(isolated, nid, sc, this.stat.reset());
    sc.nrReclaimed += reclaimed;
    ev[sc.isKswapd ? PGSTEAL_KSWAPD : PGSTEAL_DIRECT] += reclaimed;
    ev[PGSTEAL_ANON + file] += reclaimed;
    host.lruNoteCost(nid, file === 1, this.stat.nrPageout, scanned - reclaimed);
    // Put back what shrink_folio_list kept: to the young end (unevictable ones to their list).
    const freed = h + FREED;
    while (this.next[isolated] !== isolated) {
      const page = this.prev[isolated];
      this.unlink(page);
      const rc = this.refcount[page] - 1;
      this.refcount[page] = rc;
      if (rc === 0) {
        this.link(page, freed); // its last user went while it was isolated
        continue;
      }
      if (!host.folioEvictable(page)) this.flags[page] = (this.flags[page] & ~ACTIVE) | UNEVICTABLE;
      this.addFolio(page, false);
    }
    host.vmstat.nodeVmStat[isolatedItem] -= taken;
    if (this.next[freed] !== freed) {
      if (host.freeUnrefPageList === undefined) throw new Error(`second-chance: pages lost their last reference while isolated on node ${nid} and the host cannot free them`);
      for (let p = this.next[freed]; p !== freed; p = this.next[p]) this.refcount[p] = 0;
      host.freeUnrefPageList(freed);
    }
  }

  /** CLOCK has no aging pass: the reference bits are all the history there is. */
  ageNode() {}

  // ------------------------------------------------------------------ workingset

  /** The shadow a reclaimed page leaves: the node's eviction clock and the node. */
  eviction(page) {
    const nid = this.host.pageNid(page);
    const clock = this.evictions[nid];
    this.evictions[nid] = clock + nrPages(this.flags[page]);
    return (clock % 2 ** 40) * SHADOW_NODES + nid;
  }

  /** A page came back: a short refault distance means it should have stayed — it starts referenced. */
  refault(page, shadow) {
    const host = this.host;
    const nid = shadow % SHADOW_NODES;
    if (!Number.isSafeInteger(shadow) || shadow < 0 || nid >= host.nrNodes) return; // not one of ours (another policy's shadow)
    const eviction = Math.floor(shadow / SHADOW_NODES);
    const distance = (this.evictions[nid] % 2 ** 40) - eviction;
    const f = this.flags[page];
    const file = (f & SWAPBACKED) === 0 ? 1 : 0;
    const vs = host.vmstat.nodeVmStat;
    const at = host.pageNid(page) * NR_VM_NODE_STAT_ITEMS;
    vs[at + WORKINGSET_REFAULT_BASE + file] += nrPages(f);
    const base = nid * NR_VM_NODE_STAT_ITEMS + NR_LRU_BASE;
    const resident = vs[base + LRU_INACTIVE_ANON] + vs[base + LRU_INACTIVE_FILE];
    if (distance < 0 || distance > resident) return;
    this.flags[page] = f | REFERENCED;
    vs[at + WORKINGSET_ACTIVATE_BASE + file] += nrPages(f);
  }

  // ------------------------------------------------------------------ walks and checks

  forEachFolio(fn) {
    for (let nid = 0; nid < this.heads.length; nid++) {
      for (const l of [ANON, FILE, UNEVICT]) {
        const head = this.heads[nid] + l;
        for (let p = this.next[head]; p !== head;) {
          const n = this.next[p];
          fn(p);
          p = n;
        }
      }
    }
  }

  /**
   * Every page on a list has PG_lru, no PG_active, lives on the list's node and on the list its
   * flags say; the lists are well linked; each list's pages sum to its counter; the active
   * counters are 0; the scratch lists are empty.
   * @param {import("@mmsim/core").ValidationSink} sink
   */
  validate(sink) {
    const mem = this.host.mem;
    const vs = this.host.vmstat.nodeVmStat;
    const names = ["anon", "file", "unevictable"];
    for (let nid = 0; nid < this.heads.length; nid++) {
      const counted = new Float64Array(NR_LRU_LISTS);
      for (const l of [ANON, FILE, UNEVICT]) {
        const head = this.heads[nid] + l;
        let steps = 0;
        for (let p = this.next[head]; p !== head; p = this.next[p]) {
          const where = `second-chance node ${nid} ${names[l]} page ${p}`;
          if (++steps > mem.nrPages || p < 0 || p >= mem.nrPages) {
            sink.report(`second-chance node ${nid} ${names[l]}`, "the list is broken (does not come back to its head, or holds a non-page)");
            break;
          }
          if (this.prev[this.next[p]] !== p) sink.report(where, "next->prev does not point back");
          const f = mem.flags[p];
          if ((f & LRU) === 0) sink.report(where, "on a list without PG_lru");
          if ((f & ACTIVE) !== 0) sink.report(where, "PG_active on a list (there is no active list)");
          if (listOf(f) !== l) sink.report(where, `its flags say the ${names[listOf(f)]} list`);
          if (this.host.pageNid(p) !== nid) sink.report(where, `belongs to node ${this.host.pageNid(p)}`);
          if (mem.refcount[p] <= 0) sink.report(where, `free page (refcount ${mem.refcount[p]}) on a list`);
          counted[lruOf(f)] += nrPages(f);
        }
      }
      for (let lru = 0; lru < NR_LRU_LISTS; lru++) {
        const c = vs[nid * NR_VM_NODE_STAT_ITEMS + NR_LRU_BASE + lru];
        if (c !== counted[lru]) sink.report(`second-chance node ${nid} lru ${lru}`, `${counted[lru]} pages on the lists, the counter says ${c}`);
      }
      for (const s of [ISOLATED, FREED]) {
        const head = this.heads[nid] + s;
        if (this.next[head] !== head) sink.report(`second-chance node ${nid} scratch list ${s}`, "pages left on a scratch list");
      }
    }
  }
}

/** @type {import("@mmsim/core").MmsimModule} */
export default {
  slot: "reclaim",
  name: "second-chance",
  description: "CLOCK (second chance) page replacement: one FIFO per type with a reference bit (an example of a user's policy)",
  register(container) {
    container.register(ReclaimPolicy, { useFactory: instanceCachingFactory(() => new SecondChance()) });
  },
};
