// Kernel: mm/ksm.c (v6.1; read from torvalds/linux mm/ksm.c of the 6.1 line: ksm_scan_thread, ksm_do_scan, scan_get_next_rmap_item, get_next_rmap_item, cmp_and_merge_page, stable_tree_search, stable_tree_insert, stable_node_dup/__stable_node_chain, stable_tree_append, unstable_tree_search_insert, remove_rmap_item_from_tree, remove_node_from_stable_tree, get_ksm_page, try_to_merge_one_page, write_protect_page, replace_page, try_to_merge_with_ksm_page, try_to_merge_two_pages, break_ksm, unmerge_ksm_pages, unmerge_and_remove_all_rmap_items, __ksm_enter, rmap_walk_ksm, the sysfs attributes) — Kernel Samepage Merging
/*
 * ksmd walks the mms that asked for MADV_MERGEABLE, `pages_to_scan` pages every
 * `sleep_millisecs`. Each anonymous page it meets has an rmap_item (mm, address); the page is
 * looked up first in the stable tree (write-protected KSM pages, never flushed), then — if its
 * checksum did not change since the last full scan — in the unstable tree (pages unchanged for a
 * scan, rebuilt every full scan). A match in the unstable tree merges both pages into a new KSM
 * page that moves to the stable tree; a match in the stable tree maps the page's PTE to the KSM
 * page. A stable node shares its page with at most max_page_sharing mappings: more mappings of
 * one content make a chain of dups, one KSM page each.
 *
 * mmsim's trees: the kernel's rbtrees are sorted by memcmp_pages(); here they are Maps keyed by
 * the page's content identity (core page-content.ts: equal identity ⇔ equal bytes), which
 * answers every lookup as the rbtree walk does (found / not found) without the walk. The
 * unstable tree keeps the identity each item had when inserted: a hit is checked against the
 * tree page's content now, as memcmp_pages would see it. The checksum (xxhash of the page) is
 * the identity itself. rmap_items of an mm slot are an address-sorted array (the kernel's
 * singly-linked rmap_list), the stable node's hlist an array with the newest first.
 *
 * Time: ksmd runs on the simulated clock: a batch costs KSM_SCAN_PAGE_NS per page scanned and
 * KSM_MERGE_NS per page merged (the reference board's, calibrated from the capture, see their
 * docs), then ksmd sleeps msecs_to_jiffies(sleep_millisecs) and wakes at the next tick.
 */
import { MmBugError, PG_anon_exclusive, PG_dirty, PG_head, PG_swapcache, type MemMap } from "@mmsim/core";
import { type MmMemory, pmdWordOf, pteWordIndex, tableWordOf, entryOfWord } from "@mmsim/fault";
import { PTE_VALID, pfnPte, pteDirty, pteMkclean, pteMkspecial, pteWrite, pteWrprotect } from "@mmsim/hw-arm64";
import { RMAP_NONE, type RmapVisitor, compoundHead, ksmMapping, pageKsm, pageStableNodeId } from "@mmsim/rmap";
import { FAULT_FLAG_WRITE, MM_ANONPAGES, MMF_VM_MERGEABLE, VM_FAULT_OOM, VM_FAULT_SIGBUS, VM_FAULT_SIGSEGV, VM_FAULT_WRITE, VM_MERGEABLE, type MmStruct, type VmAreaStruct } from "@mmsim/vma";

const PAGE = 4096;
const PMD_SIZE = 2 * 1024 * 1024;

/** ksm_run values. Kernel: `KSM_RUN_STOP`, `KSM_RUN_MERGE`, `KSM_RUN_UNMERGE`. */
export const KSM_RUN_STOP = 0;
export const KSM_RUN_MERGE = 1;
export const KSM_RUN_UNMERGE = 2;

/** rmap_item->address flags. Kernel: `SEQNR_MASK`, `UNSTABLE_FLAG`, `STABLE_FLAG`. */
export const SEQNR_MASK = 0xff;
export const UNSTABLE_FLAG = 0x100;
export const STABLE_FLAG = 0x200;

/** rmap_hlist_len of a chain. Kernel: `STABLE_NODE_CHAIN`. */
export const STABLE_NODE_CHAIN = -1024;

/** CONFIG_HZ of the reference config (Debian's arm64 6.1: 250). */
export const HZ = 250;
/** One jiffy in ns. */
export const JIFFY_NS = 1e9 / HZ;

/**
 * Simulated cost of one page ksmd scans (follow_page, the stable tree lookup, the checksum or
 * the unstable tree), on the reference board: the capture (tests/conformance/fixtures/ksm) does
 * a full scan of 10,000 mergeable pages in ~560 ms with pages_to_scan=1000 and
 * sleep_millisecs=20, i.e. 11 batches (the last one finds the end of the list) of 20 ms sleep and
 * 10,000 pages of work: (560 − 220) ms / 10,000 ≈ 34 µs per page (QEMU TCG, no KVM).
 */
export const KSM_SCAN_PAGE_NS = 34_000;
/**
 * Simulated extra cost of one merge (write_protect_page, replace_page, TLB flushes, the freed
 * page): the capture's second full scan, which merges 7,500 pages, takes ~1.5 s where a scan
 * without merges takes ~0.56 s: ≈ 125 µs per merge.
 */
export const KSM_MERGE_NS = 125_000;

/** Batches ksmd runs at most at one check between two workload steps (cf. the machine's MAX_KTHREAD_CATCHUP). */
export const KSMD_MAX_CATCHUP = 4096;

/** One mapped page ksmd tracks. Kernel: `struct rmap_item`. */
export class RmapItem {
  /** The page-aligned address; the flags (seqnr, UNSTABLE_FLAG, STABLE_FLAG) are in `flags`. */
  flags = 0;
  oldchecksum = 0;
  /** The stable node heading its hlist, when STABLE_FLAG. */
  head: StableNode | null = null;
  /** The VMA's anon_vma when stable (rmap_walk_ksm walks its VMAs). */
  anonVma: { readonly chains: readonly { readonly vma: VmAreaStruct }[] } | null = null;
  /** The identity the item was inserted in the unstable tree under. */
  unstableKey = 0;
  constructor(
    readonly mm: MmStruct,
    readonly address: number,
  ) {}
}

/** A node of the stable tree: a KSM page, a dup of a chain, or a chain. Kernel: `struct stable_node`. */
export class StableNode {
  /** The rmap_items mapping its page, newest first (hlist_add_head). For a chain: empty. */
  readonly hlist: RmapItem[] = [];
  /** Its dups, newest first, when a chain. */
  readonly dups: StableNode[] = [];
  /** The KSM page (page index), or -1 for a chain. */
  kpage = -1;
  /** rmap_hlist_len, or STABLE_NODE_CHAIN. */
  rmapHlistLen = 0;
  /** The chain it is a dup of (is_stable_node_dup), or null. */
  chain: StableNode | null = null;
  /** chain_prune_time (ns) of a chain. */
  chainPruneTime = 0;
  constructor(
    readonly id: number,
    /** The content identity it is filed under in the stable tree. */
    readonly key: number,
  ) {}
  get isChain(): boolean {
    return this.rmapHlistLen === STABLE_NODE_CHAIN;
  }
}

/** ksmd's per-mm state. Kernel: `struct mm_slot` (ksm's). */
export class KsmMmSlot {
  /** rmap_list, sorted by address. */
  readonly items: RmapItem[] = [];
  constructor(readonly mm: MmStruct) {}
}

/** The KSM knobs and counters of /sys/kernel/mm/ksm. */
export class KsmSettings {
  run = KSM_RUN_STOP;
  pagesToScan = 100;
  sleepMillisecs = 20;
  maxPageSharing = 256;
  mergeAcrossNodes = 1;
  useZeroPages = false;
  stableNodeChainsPruneMillisecs = 2000;
}

/** What KSM needs of the machine. */
export interface KsmDeps {
  readonly mm: () => MmMemory;
  readonly now: () => number;
}

/** Kernel Samepage Merging of one machine. */
export class Ksm {
  readonly settings = new KsmSettings();
  /** ksm_mm_head's list, in scan order. */
  readonly slots: KsmMmSlot[] = [];
  private readonly slotOf = new Map<MmStruct, KsmMmSlot>();
  /** The stable tree: content identity → node (a KSM page's node, or a chain). */
  readonly stableTree = new Map<number, StableNode>();
  /** The unstable tree: content identity → the rmap_item inserted under it this scan. */
  readonly unstableTree = new Map<number, RmapItem>();
  /** Every stable node and dup by id (page->mapping's key). */
  readonly nodes = new Map<number, StableNode>();
  private nextNodeId = 1;
  pagesShared = 0;
  pagesSharing = 0;
  pagesUnshared = 0;
  rmapItems = 0;
  stableNodeChains = 0;
  stableNodeDups = 0;
  /** ksm_scan: the slot index being scanned (-1 = ksm_mm_head), the next address, the rmap_list position. */
  private scanSlot = -1;
  private scanAddress = 0;
  private scanIndex = 0;
  seqnr = 0;
  /** ksmd's next wake-up (ns on the simulated clock); its batches and simulated busy time. */
  nextWakeNs = 0;
  batches = 0;
  busyNs = 0;
  pagesScanned = 0;
  private merges = 0;

  constructor(private readonly deps: KsmDeps) {}

  private get m(): MmMemory {
    return this.deps.mm();
  }

  // ------------------------------------------------------------------ mm slots

  /** MADV_MERGEABLE on a new mm: an mm_slot behind the scan cursor. Kernel: `__ksm_enter()`. */
  ksmEnter(mm: MmStruct): number {
    if (this.slotOf.has(mm)) return 0;
    if (this.slots.length === 0 && (this.settings.run & KSM_RUN_MERGE) !== 0) this.nextWakeNs = this.deps.now(); // needs_wakeup
    const slot = new KsmMmSlot(mm);
    this.slotOf.set(mm, slot);
    // KSM_RUN_UNMERGE: at the end of the list; else just behind the cursor (list_add_tail on the cursor)
    if ((this.settings.run & KSM_RUN_UNMERGE) !== 0 || this.scanSlot < 0) this.slots.push(slot);
    else {
      this.slots.splice(this.scanSlot, 0, slot);
      this.scanSlot++;
    }
    mm.flags |= 1 << MMF_VM_MERGEABLE;
    return 0;
  }

  private removeSlot(index: number): void {
    const slot = this.slots[index]!;
    this.slots.splice(index, 1);
    this.slotOf.delete(slot.mm);
    slot.mm.flags &= ~(1 << MMF_VM_MERGEABLE);
  }

  /** Kernel: `ksm_test_exit()`: the mm has gone through exit_mmap. */
  private testExit(mm: MmStruct): boolean {
    return mm.mmUsers === 0 || mm.pgtables === null;
  }

  // ------------------------------------------------------------------ ksmd

  /** Kernel: `ksmd_should_run()`. */
  shouldRun(): boolean {
    return (this.settings.run & KSM_RUN_MERGE) !== 0 && this.slots.length > 0;
  }

  /**
   * One wake-up of ksmd, when due by the simulated clock: a batch of pages_to_scan pages, then
   * the sleep. Kernel: `ksm_scan_thread()`'s loop body.
   */
  tick(): void {
    const now = this.deps.now();
    if (!this.shouldRun()) {
      this.nextWakeNs = 0; // wait_event_freezable: woken as soon as it should run
      return;
    }
    if (this.nextWakeNs === 0) this.nextWakeNs = now;
    // every batch due by now, each at its own wake-up time (a sleep step lets many pass at once),
    // up to KSMD_MAX_CATCHUP of them: beyond, ksmd is re-armed a sleep after now (a step that let
    // hours pass does not run millions of batches; only full_scans shows the difference)
    let batches = 0;
    while (this.nextWakeNs <= now && this.shouldRun()) {
      if (++batches > KSMD_MAX_CATCHUP) {
        this.nextWakeNs = now + this.settings.sleepMillisecs * 1e6;
        break;
      }
      const scanned0 = this.pagesScanned;
      const merges0 = this.merges;
      this.ksmDoScan(this.settings.pagesToScan);
      const cost = (this.pagesScanned - scanned0) * KSM_SCAN_PAGE_NS + (this.merges - merges0) * KSM_MERGE_NS;
      this.batches++;
      this.busyNs += cost;
      // wait_event_interruptible_timeout(msecs_to_jiffies(sleep_ms)) after the batch's work, woken on a tick
      const wake = this.nextWakeNs + cost + Math.ceil((this.settings.sleepMillisecs * 1e6) / JIFFY_NS) * JIFFY_NS;
      this.nextWakeNs = Math.ceil(wake / JIFFY_NS) * JIFFY_NS;
    }
  }

  /** sleep_millisecs changed: ksmd's sleep ends now. Kernel: `wake_up_interruptible(&ksm_iter_wait)`. */
  wakeIter(): void {
    if (this.shouldRun()) this.nextWakeNs = Math.min(this.nextWakeNs, this.deps.now());
  }

  /** Kernel: `ksm_do_scan()`. */
  ksmDoScan(scanNpages: number): void {
    while (scanNpages-- > 0) {
      const item = this.scanGetNextRmapItem();
      if (item === null) return;
      this.pagesScanned++;
      this.cmpAndMergePage(this.foundPage, item);
    }
  }

  /** The page scanGetNextRmapItem found (its out-parameter). */
  private foundPage = -1;

  /** The VMA containing addr that ksmd may merge in. Kernel: `find_mergeable_vma()`. */
  private findMergeableVma(mm: MmStruct, addr: number): VmAreaStruct | null {
    if (this.testExit(mm)) return null;
    const vma = mm.mt.findVma(addr);
    if (vma === null || vma.vmStart > addr) return null;
    if ((vma.vmFlags & VM_MERGEABLE) === 0 || vma.anonVma === null) return null;
    return vma;
  }

  /**
   * The PTE word mapping addr in mm, or -1 (none, or no PTE table: a THP's PMD, which ksmd
   * leaves alone here). `pmdNone` tells the scanner a whole PMD range is empty.
   */
  private pteWord(mm: MmStruct, addr: number): number {
    const pgt = mm.pgtables;
    this.pmdNone = true;
    if (pgt === null) return -1;
    const store = this.m.store;
    const pw = pmdWordOf(store, pgt.pgd, addr);
    if (pw < 0) return -1;
    const tw = tableWordOf(store, store.words[pw]!, store.words[pw + 1]!);
    if (tw < 0) return -1;
    this.pmdNone = false;
    return tw + pteWordIndex(addr);
  }
  private pmdNone = false;

  /** The anonymous page mapped at addr, or -1. Kernel: `follow_page(vma, addr, FOLL_GET)` + PageAnon(). */
  private followAnonPage(mm: MmStruct, addr: number): number {
    const w = this.pteWord(mm, addr);
    if (w < 0) return -1;
    const m = this.m;
    const lo = m.store.words[w]!;
    const hi = m.store.words[w + 1]!;
    if ((lo & PTE_VALID) === 0) return -1;
    const page = m.vmNormalPage(lo, hi);
    if (page < 0 || m.mem.mapping[compoundHead(m.mem, page)]! >= 0) return -1;
    return page;
  }

  /** Kernel: `scan_get_next_rmap_item()`. */
  private scanGetNextRmapItem(): RmapItem | null {
    if (this.slots.length === 0) return null;
    for (;;) {
      if (this.scanSlot < 0) {
        // a new full scan: lru_add_drain_all, the unstable tree emptied
        this.m.lru?.lruAddDrainAll();
        this.unstableTree.clear();
        this.scanSlot = 0;
        this.scanAddress = 0;
        this.scanIndex = 0;
      }
      const slot = this.slots[this.scanSlot]!;
      const mm = slot.mm;
      let vma = this.testExit(mm) ? null : mm.mt.findVma(this.scanAddress);
      for (; vma !== null; vma = mm.mt.next(vma)) {
        if ((vma.vmFlags & VM_MERGEABLE) === 0) continue;
        if (this.scanAddress < vma.vmStart) this.scanAddress = vma.vmStart;
        if (vma.anonVma === null) this.scanAddress = vma.vmEnd;
        while (this.scanAddress < vma.vmEnd) {
          const addr = this.scanAddress;
          const page = this.followAnonPage(mm, addr);
          if (page < 0) {
            // nothing there: the next page (a whole empty PMD range at once, as page after page would find)
            this.scanAddress = this.pmdNone ? Math.min(vma.vmEnd, (Math.floor(addr / PMD_SIZE) + 1) * PMD_SIZE) : addr + PAGE;
            continue;
          }
          const item = this.getNextRmapItem(slot, addr);
          this.scanAddress = addr + PAGE;
          this.foundPage = page;
          return item;
        }
      }
      if (this.testExit(mm)) {
        this.scanAddress = 0;
        this.scanIndex = 0;
      }
      // remove_trailing_rmap_items
      this.removeTrailing(slot, this.scanIndex);
      if (this.scanAddress === 0) this.removeSlot(this.scanSlot);
      else this.scanSlot++;
      this.scanAddress = 0;
      this.scanIndex = 0;
      if (this.scanSlot >= this.slots.length) {
        this.scanSlot = -1;
        this.seqnr++;
        return null;
      }
    }
  }

  private removeTrailing(slot: KsmMmSlot, from: number): void {
    for (let i = from; i < slot.items.length; i++) {
      this.removeRmapItemFromTree(slot.items[i]!);
      this.rmapItems--;
    }
    slot.items.length = from;
  }

  /** Kernel: `get_next_rmap_item()`. */
  private getNextRmapItem(slot: KsmMmSlot, addr: number): RmapItem {
    const items = slot.items;
    const i = this.scanIndex;
    // items below addr have no page any more: freed
    let j = i;
    while (j < items.length && items[j]!.address < addr) {
      this.removeRmapItemFromTree(items[j]!);
      this.rmapItems--;
      j++;
    }
    if (j > i) items.splice(i, j - i);
    let item = items[i];
    if (item === undefined || item.address !== addr) {
      item = new RmapItem(slot.mm, addr);
      items.splice(i, 0, item);
      this.rmapItems++;
    }
    this.scanIndex = i + 1;
    return item;
  }

  // ------------------------------------------------------------------ the trees

  /** The checksum of a page (the kernel's xxhash of its bytes): its content identity + 1, never 0 (a new rmap_item's). Kernel: `calc_checksum()`. */
  private calcChecksum(page: number): number {
    return this.m.contents.get(this.m.mem.pageToPfn(page)) + 1;
  }

  private content(page: number): number {
    return this.m.contents.get(this.m.mem.pageToPfn(page));
  }

  /** The node's KSM page if it still is one, else removes the stale node. Kernel: `get_ksm_page()`. */
  private getKsmPage(node: StableNode): number {
    const mem = this.m.mem;
    if (node.kpage >= 0 && mem.mapping[node.kpage] === ksmMapping(node.id) && mem.refcount[node.kpage]! > 0) return node.kpage;
    this.removeNodeFromStableTree(node);
    return -1;
  }

  /** Kernel: `remove_node_from_stable_tree()`. */
  private removeNodeFromStableTree(node: StableNode): void {
    const n = node.hlist.length;
    for (let i = 0; i < n; i++) {
      const item = node.hlist[i]!;
      if (i < n - 1) this.pagesSharing--;
      else this.pagesShared--;
      node.rmapHlistLen--;
      item.flags = 0; // rmap_item->address &= PAGE_MASK (head stays, as in the kernel)
    }
    node.hlist.length = 0;
    this.stableNodeDupDel(node);
    this.nodes.delete(node.id);
  }

  /** Kernel: `stable_node_dup_del()` (+ free_stable_node_chain when the chain empties, as its callers do). */
  private stableNodeDupDel(node: StableNode): void {
    const chain = node.chain;
    if (chain !== null) {
      const k = chain.dups.indexOf(node);
      if (k >= 0) chain.dups.splice(k, 1);
      node.chain = null;
      this.stableNodeDups--;
      if (chain.dups.length === 0) {
        this.stableTree.delete(chain.key);
        this.stableNodeChains--;
      }
    } else if (this.stableTree.get(node.key) === node) this.stableTree.delete(node.key);
  }

  /** Kernel: `is_page_sharing_candidate()`. */
  private isPageSharingCandidate(node: StableNode): boolean {
    return node.rmapHlistLen > 0 && node.rmapHlistLen < this.settings.maxPageSharing;
  }

  /**
   * The dup of a chain to merge into: the sharing candidate with the most mappings; stale dups
   * are pruned every stable_node_chains_prune_millisecs, and a chain left with one dup that is
   * not full collapses to it. Kernel: `stable_node_dup()` / `__stable_node_chain()`.
   * @returns the dup, or null (all full, or none left)
   */
  private chainDup(chain: StableNode, forInsert: boolean): StableNode | null {
    const now = this.deps.now();
    const prune = now - chain.chainPruneTime >= this.settings.stableNodeChainsPruneMillisecs * 1e6;
    if (prune) chain.chainPruneTime = now;
    let found: StableNode | null = null;
    for (const dup of [...chain.dups]) {
      if (this.getKsmPage(dup) < 0) continue; // stale: removed (get_ksm_page)
      if (this.isPageSharingCandidate(dup) && (found === null || dup.rmapHlistLen > found.rmapHlistLen)) found = dup;
    }
    if (prune && chain.dups.length === 1 && found !== null && !forInsert && this.stableTree.get(chain.key) === chain) {
      // the chain collapses: its one dup goes back to the tree as a regular node
      const dup = chain.dups[0]!;
      chain.dups.length = 0;
      dup.chain = null;
      this.stableNodeDups--;
      this.stableNodeChains--;
      this.stableTree.set(chain.key, dup);
    }
    return found;
  }

  /** Kernel: `stable_tree_search()`: the KSM page to merge `page` into, or -1. */
  private stableTreeSearch(page: number): number {
    const key = this.content(page);
    const node = this.stableTree.get(key);
    if (node === undefined) return -1;
    if (node.isChain) {
      const dup = this.chainDup(node, false);
      return dup === null ? -1 : this.getKsmPage(dup);
    }
    const kpage = this.getKsmPage(node);
    if (kpage < 0) return -1;
    if (kpage === page) return kpage;
    return this.isPageSharingCandidate(node) ? kpage : -1;
  }

  /** Files a new KSM page in the stable tree (a dup of a chain when its content is there). Kernel: `stable_tree_insert()`. */
  private stableTreeInsert(kpage: number): StableNode {
    const key = this.content(kpage);
    let existing = this.stableTree.get(key) ?? null;
    if (existing !== null) {
      if (existing.isChain) this.chainDup(existing, true);
      else if (this.getKsmPage(existing) < 0) existing = null;
      existing = this.stableTree.get(key) ?? null;
    }
    const dup = new StableNode(this.nextNodeId++, key);
    dup.kpage = kpage;
    this.nodes.set(dup.id, dup);
    this.m.mem.mapping[kpage] = ksmMapping(dup.id); // set_page_stable_node
    if (existing === null) {
      this.stableTree.set(key, dup);
      return dup;
    }
    let chain = existing;
    if (!existing.isChain) {
      // alloc_stable_node_chain: the chain takes the node's place, the node becomes its first dup
      chain = new StableNode(this.nextNodeId++, key);
      chain.rmapHlistLen = STABLE_NODE_CHAIN;
      chain.chainPruneTime = this.deps.now();
      this.stableTree.set(key, chain);
      this.stableNodeChains++;
      existing.chain = chain;
      chain.dups.unshift(existing);
      this.stableNodeDups++;
    }
    dup.chain = chain;
    chain.dups.unshift(dup);
    this.stableNodeDups++;
    return dup;
  }

  /** Kernel: `stable_tree_append()`. */
  private stableTreeAppend(item: RmapItem, node: StableNode): void {
    if (node.rmapHlistLen < 0) throw new MmBugError("ksm.stable_tree_append", `stable node ${node.id} is a chain`);
    node.rmapHlistLen++;
    item.head = node;
    item.flags = STABLE_FLAG;
    node.hlist.unshift(item);
    if (node.hlist.length > 1) this.pagesSharing++;
    else this.pagesShared++;
  }

  /** Kernel: `remove_rmap_item_from_tree()`. */
  private removeRmapItemFromTree(item: RmapItem): void {
    if ((item.flags & STABLE_FLAG) !== 0) {
      const node = item.head!;
      if (this.getKsmPage(node) < 0) return; // the node was stale: removed with its items
      const k = node.hlist.indexOf(item);
      if (k >= 0) node.hlist.splice(k, 1);
      if (node.hlist.length > 0) this.pagesSharing--;
      else this.pagesShared--;
      node.rmapHlistLen--;
      item.anonVma = null;
      item.head = null;
      item.flags = 0;
    } else if ((item.flags & UNSTABLE_FLAG) !== 0) {
      const age = (this.seqnr - item.flags) & SEQNR_MASK;
      if (age === 0 && this.unstableTree.get(item.unstableKey) === item) this.unstableTree.delete(item.unstableKey);
      this.pagesUnshared--;
      item.flags = 0;
    }
  }

  /** The page an unstable tree item maps now, if still anonymous. Kernel: `get_mergeable_page()`. */
  private getMergeablePage(item: RmapItem): number {
    if (this.findMergeableVma(item.mm, item.address) === null) return -1;
    const page = this.followAnonPage(item.mm, item.address);
    return page >= 0 && !pageKsm(this.m.mem, page) ? page : -1;
  }

  /** Kernel: `unstable_tree_search_insert()`: the equal item, with its page in treePage; or inserts `item`. */
  private unstableTreeSearchInsert(item: RmapItem, page: number): RmapItem | null {
    const key = this.content(page);
    const tree = this.unstableTree.get(key);
    if (tree !== undefined) {
      const treePage = this.getMergeablePage(tree);
      if (treePage >= 0 && this.content(treePage) === key) {
        if (treePage === page) return null; // don't substitute a ksm page for a forked page
        this.treePage = treePage;
        return tree;
      }
      if (treePage < 0) return null; // get_mergeable_page failed: the walk stops
    }
    item.flags = UNSTABLE_FLAG | (this.seqnr & SEQNR_MASK);
    item.unstableKey = key;
    this.unstableTree.set(key, item);
    this.pagesUnshared++;
    return null;
  }
  private treePage = -1;

  // ------------------------------------------------------------------ merging

  /**
   * Write-protects the PTE mapping `page` at addr unless someone else holds a reference (the
   * refcount check: mapcount + swapcache == refcount, ksmd's own reference left out as it takes
   * none here). Kernel: `write_protect_page()`.
   * @returns the PTE word, or -1 (-EFAULT)
   */
  private writeProtectPage(vma: VmAreaStruct, page: number, addr: number): number {
    const m = this.m;
    const mem = m.mem;
    if ((mem.flags[page]! & (1 << PG_head)) !== 0 || compoundHead(mem, page) !== page) return -1; // PageTransCompound: not split here
    const w = this.pteWord(vma.vmMm, addr);
    if (w < 0) return -1;
    const store = m.store;
    const t = m.t.set(store.words[w]!, store.words[w + 1]!);
    if ((t.lo & PTE_VALID) === 0 || m.vmNormalPage(t.lo, t.hi) !== page) return -1;
    if (pteWrite(t.hi) || pteDirty(t.lo, t.hi)) {
      const swapped = (mem.flags[page]! & (1 << PG_swapcache)) !== 0 ? 1 : 0;
      if (mem.mapcount[page]! + 1 + swapped !== mem.refcount[page]) return -1;
      if (pteDirty(t.lo, t.hi)) mem.flags[page] |= 1 << PG_dirty; // set_page_dirty
      pteMkclean(pteWrprotect(t));
      // page_try_share_anon_rmap for an exclusive page
      if ((mem.flags[page]! & (1 << PG_anon_exclusive)) !== 0) m.rmap.pageTryShareAnonRmap(page);
      const ptep = entryOfWord(store, w);
      store.write(ptep, 0, 0); // ptep_clear_flush
      m.flushTlbRange(vma.vmMm, addr, addr + PAGE);
      store.write(ptep, t.lo, t.hi); // set_pte_at_notify
    }
    return w;
  }

  /** Maps kpage at addr instead of page. Kernel: `replace_page()`. @returns 0 or -1 (-EFAULT) */
  private replacePage(vma: VmAreaStruct, page: number, kpage: number, addr: number, w: number, origLo: number, origHi: number): number {
    const m = this.m;
    const mem = m.mem;
    const store = m.store;
    if (store.words[w] !== origLo || store.words[w + 1] !== origHi) return -1; // !pte_same
    mem.refcount[kpage]!++; // get_page
    m.rmap.pageAddAnonRmap(kpage, vma, addr, RMAP_NONE);
    const t = pfnPte(mem.pageToPfn(kpage), vma.vmPageProt, m.t2); // mk_pte: vm_page_prot of a private mapping is read-only
    const ptep = entryOfWord(store, w);
    store.write(ptep, 0, 0); // ptep_clear_flush
    m.flushTlbRange(vma.vmMm, addr, addr + PAGE);
    store.write(ptep, t.lo, t.hi);
    m.rmap.pageRemoveRmap(page, vma, false);
    if (mem.mapcount[page]! < 0 && (mem.flags[page]! & (1 << PG_swapcache)) !== 0) m.swap.ops?.folioFreeSwap(page); // folio_free_swap
    m.putPage(page);
    return 0;
  }

  /** Kernel: `try_to_merge_one_page()`: page becomes kpage's mapping, or (kpage -1) a KSM page itself. @returns 0 or -1 */
  private tryToMergeOnePage(vma: VmAreaStruct, page: number, kpage: number, addr: number): number {
    if (page === kpage) return 0;
    const mem = this.m.mem;
    if (mem.mapping[compoundHead(mem, page)]! >= 0) return -1; // !PageAnon
    const w = this.writeProtectPage(vma, page, addr);
    if (w < 0) return -1;
    if (kpage < 0) {
      // set_page_stable_node(page, NULL); mark_page_accessed; SetPageDirty
      mem.mapping[page] = ksmMapping(0);
      mem.flags[page] |= 1 << PG_dirty;
      return 0;
    }
    const lo = this.m.store.words[w]!;
    const hi = this.m.store.words[w + 1]!;
    if (this.content(page) !== this.content(kpage)) return -1; // pages_identical
    const err = this.replacePage(vma, page, kpage, addr, w, lo, hi);
    if (err === 0) this.merges++;
    return err;
  }

  /** Kernel: `try_to_merge_with_ksm_page()`. */
  private tryToMergeWithKsmPage(item: RmapItem, page: number, kpage: number): number {
    const vma = this.findMergeableVma(item.mm, item.address);
    if (vma === null) return -1;
    if (this.tryToMergeOnePage(vma, page, kpage, item.address) !== 0) return -1;
    this.removeRmapItemFromTree(item); // unstable tree leftovers
    item.anonVma = vma.anonVma as RmapItem["anonVma"];
    return 0;
  }

  /** Kernel: `try_to_merge_two_pages()`: the new KSM page, or -1. */
  private tryToMergeTwoPages(item: RmapItem, page: number, treeItem: RmapItem, treePage: number): number {
    if (this.tryToMergeWithKsmPage(item, page, -1) !== 0) return -1;
    if (this.tryToMergeWithKsmPage(treeItem, treePage, page) !== 0) {
      this.breakCow(item);
      return -1;
    }
    this.merges++; // page itself became the KSM page
    return page;
  }

  /** Kernel: `cmp_and_merge_page()`. */
  private cmpAndMergePage(page: number, item: RmapItem): void {
    const mem = this.m.mem;
    const nodeId = pageStableNodeId(mem, page);
    const node = nodeId > 0 ? this.nodes.get(nodeId) ?? null : null;
    if (node !== null && item.head === node) return;
    let kpage = this.stableTreeSearch(page);
    if (kpage === page && item.head === node) return;
    this.removeRmapItemFromTree(item);
    if (kpage >= 0) {
      if (this.tryToMergeWithKsmPage(item, page, kpage) === 0) this.stableTreeAppend(item, this.nodes.get(pageStableNodeId(mem, kpage))!);
      return;
    }
    const checksum = this.calcChecksum(page);
    if (item.oldchecksum !== checksum) {
      item.oldchecksum = checksum; // volatile: changed since the last scan
      return;
    }
    if (this.settings.useZeroPages && checksum === 1 && this.mergeWithZeroPage(item, page)) return;
    const treeItem = this.unstableTreeSearchInsert(item, page);
    if (treeItem !== null) {
      kpage = this.tryToMergeTwoPages(item, page, treeItem, this.treePage);
      if (kpage >= 0) {
        const stable = this.stableTreeInsert(kpage);
        this.stableTreeAppend(treeItem, stable);
        this.stableTreeAppend(item, stable);
      }
    }
  }

  /** use_zero_pages: an all-zero page is replaced by the zero page (special PTE, MM_ANONPAGES − 1). Kernel: cmp_and_merge_page's zero_checksum branch. */
  private mergeWithZeroPage(item: RmapItem, page: number): boolean {
    const vma = this.findMergeableVma(item.mm, item.address);
    if (vma === null) return true;
    const w = this.writeProtectPage(vma, page, item.address);
    if (w < 0) return false;
    const m = this.m;
    const store = m.store;
    const t = pteMkspecial(pfnPte(m.zeroPfn, vma.vmPageProt, m.t2));
    const ptep = entryOfWord(store, w);
    store.write(ptep, 0, 0);
    m.flushTlbRange(vma.vmMm, item.address, item.address + PAGE);
    store.write(ptep, t.lo, t.hi);
    item.mm.rssStat[MM_ANONPAGES]!--; // dec_mm_counter(mm, MM_ANONPAGES)
    m.rmap.pageRemoveRmap(page, vma, false);
    m.putPage(page);
    this.merges++;
    return true;
  }

  // ------------------------------------------------------------------ unmerging

  /** Breaks COW on the KSM page at addr: a write fault. Kernel: `break_ksm()`. @returns 0 or -errno */
  breakKsm(vma: VmAreaStruct, addr: number): number {
    const m = this.m;
    for (;;) {
      const page = this.followAnonPage(vma.vmMm, addr);
      if (page < 0 || !pageKsm(m.mem, page)) return 0;
      const ret = m.handleMmFault(vma, addr, FAULT_FLAG_WRITE);
      if ((ret & VM_FAULT_OOM) !== 0) return -12;
      if ((ret & (VM_FAULT_WRITE | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV)) !== 0) return 0;
    }
  }

  /** Kernel: `break_cow()`. */
  private breakCow(item: RmapItem): void {
    const vma = this.findMergeableVma(item.mm, item.address);
    if (vma !== null) this.breakKsm(vma, item.address);
  }

  /** MADV_UNMERGEABLE. Kernel: `unmerge_ksm_pages()`. */
  unmergeKsmPages(vma: VmAreaStruct, start: number, end: number): number {
    for (let addr = start; addr < end; addr += PAGE) {
      if (this.testExit(vma.vmMm)) break;
      const err = this.breakKsm(vma, addr);
      if (err !== 0) return err;
    }
    return 0;
  }

  /** run=2. Kernel: `unmerge_and_remove_all_rmap_items()` + remove_all_stable_nodes(). */
  unmergeAndRemoveAllRmapItems(): number {
    for (let i = 0; i < this.slots.length; ) {
      const slot = this.slots[i]!;
      const mm = slot.mm;
      if (!this.testExit(mm)) {
        for (let vma = mm.mt.first(); vma !== null; vma = mm.mt.next(vma)) {
          if ((vma.vmFlags & VM_MERGEABLE) === 0 || vma.anonVma === null) continue;
          const err = this.unmergeKsmPages(vma, vma.vmStart, vma.vmEnd);
          if (err !== 0) {
            this.scanSlot = -1;
            return err;
          }
        }
      }
      this.removeTrailing(slot, 0);
      if (this.testExit(mm)) this.removeSlot(i);
      else i++;
    }
    this.scanSlot = -1;
    // remove_all_stable_nodes: the pages are unmapped now
    for (const node of [...this.nodes.values()]) if (this.nodes.has(node.id)) this.removeNodeFromStableTree(node);
    this.seqnr = 0;
    return 0;
  }

  /** A write to run. Kernel: `run_store()`. @returns 0 or -errno */
  setRun(flags: number): number {
    // wake_up_interruptible(&ksm_thread_wait): ksmd's first batch is due now
    if ((flags & KSM_RUN_MERGE) !== 0 && (this.settings.run & KSM_RUN_MERGE) === 0) this.nextWakeNs = this.deps.now();
    if (this.settings.run === flags) return 0;
    this.settings.run = flags;
    if ((flags & KSM_RUN_UNMERGE) !== 0) {
      const err = this.unmergeAndRemoveAllRmapItems();
      if (err !== 0) {
        this.settings.run = KSM_RUN_STOP;
        return err;
      }
    }
    return 0;
  }

  /** max_page_sharing / merge_across_nodes may change only with no KSM page. Kernel: their stores' `ksm_pages_shared || remove_all_stable_nodes()`. */
  canChangeStableTreeShape(): boolean {
    if (this.pagesShared !== 0) return false;
    for (const node of [...this.nodes.values()]) {
      if (!this.nodes.has(node.id)) continue;
      if (node.kpage >= 0 && this.m.rmap.folioMapped(node.kpage)) return false;
      if (node.kpage >= 0 && this.m.mem.mapping[node.kpage] === ksmMapping(node.id)) this.m.mem.mapping[node.kpage] = ksmMapping(0);
      this.removeNodeFromStableTree(node);
    }
    return true;
  }

  /** pages_volatile. Kernel: `pages_volatile_show()`. */
  get pagesVolatile(): number {
    const v = this.rmapItems - this.pagesShared - this.pagesSharing - this.pagesUnshared;
    return v < 0 ? 0 : v;
  }

  // ------------------------------------------------------------------ rmap

  /** Every mapping of a KSM page: its stable node's rmap_items. Kernel: `rmap_walk_ksm()`. */
  rmapWalkKsm(page: number, v: RmapVisitor): number {
    const mem = this.m.mem;
    const id = pageStableNodeId(mem, page);
    const node = id > 0 ? this.nodes.get(id) : undefined;
    if (node === undefined) return 0;
    let n = 0;
    for (let searchNewForks = 0; searchNewForks < 2; searchNewForks++) {
      for (const item of node.hlist) {
        const anonVma = item.anonVma;
        if (anonVma === null) continue;
        for (const chain of anonVma.chains) {
          const vma = chain.vma;
          if (item.address < vma.vmStart || item.address >= vma.vmEnd) continue;
          if ((item.mm === vma.vmMm) === (searchNewForks === 1)) continue;
          n++;
          if (!v.rmapOne(page, vma, item.address)) return n;
        }
      }
    }
    return n;
  }

  // ------------------------------------------------------------------ validate

  /**
   * CONFIG_DEBUG_VM-style checks: every stable node's page is a KSM page naming it and is
   * write-protected in every mapping; pages_sharing = the mappings of stable pages − pages_shared;
   * the counters match the trees.
   */
  validate(report: (msg: string) => void): void {
    const m = this.m;
    const mem = m.mem;
    let shared = 0;
    let sharing = 0;
    let dups = 0;
    let chains = 0;
    const store = m.store;
    const check = (node: StableNode): void => {
      if (node.hlist.length !== node.rmapHlistLen) report(`stable node ${node.id}: rmap_hlist_len ${node.rmapHlistLen} but ${node.hlist.length} rmap_items`);
      if (node.hlist.length > 0) {
        shared++;
        sharing += node.hlist.length - 1;
      }
      if (mem.mapping[node.kpage] !== ksmMapping(node.id)) return; // stale: get_ksm_page will prune it
      for (const item of node.hlist) {
        const w = this.pteWord(item.mm, item.address);
        if (w < 0) continue;
        const lo = store.words[w]!;
        const hi = store.words[w + 1]!;
        if ((lo & PTE_VALID) === 0 || m.vmNormalPage(lo, hi) !== node.kpage) continue; // COW-broken since: the next scan removes the item
        const t = m.t.set(lo, hi);
        if (pteWrite(t.hi)) report(`KSM page pfn 0x${mem.pageToPfn(node.kpage).toString(16)} (stable node ${node.id}) is mapped writable at 0x${item.address.toString(16)}`);
      }
    };
    for (const node of this.stableTree.values()) {
      if (node.isChain) {
        chains++;
        for (const dup of node.dups) {
          dups++;
          if (dup.chain !== node) report(`dup ${dup.id} does not point to its chain ${node.id}`);
          check(dup);
        }
      } else check(node);
    }
    if (shared !== this.pagesShared) report(`pages_shared ${this.pagesShared} but ${shared} stable nodes have rmap_items`);
    if (sharing !== this.pagesSharing) report(`pages_sharing ${this.pagesSharing} but the stable nodes' mappings minus pages_shared are ${sharing}`);
    if (dups !== this.stableNodeDups) report(`stable_node_dups ${this.stableNodeDups} but the chains hold ${dups}`);
    if (chains !== this.stableNodeChains) report(`stable_node_chains ${this.stableNodeChains} but the tree holds ${chains}`);
    let unshared = 0;
    let items = 0;
    for (const slot of this.slots) {
      for (const item of slot.items) {
        items++;
        if ((item.flags & UNSTABLE_FLAG) !== 0) unshared++;
      }
    }
    if (unshared !== this.pagesUnshared) report(`pages_unshared ${this.pagesUnshared} but ${unshared} rmap_items are in the unstable tree`);
    if (items !== this.rmapItems) report(`${this.rmapItems} rmap_items counted but the mm slots hold ${items}`);
  }

  /** A read-only view used by tests: the mem map. */
  get mem(): MemMap {
    return this.m.mem;
  }
}
