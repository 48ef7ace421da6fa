// mmsim: the cost model — what each simulated operation charges to SimClock (no kernel counterpart)
/*
 * Every nanosecond mmsim reports comes from one of these named constants times a count of
 * simulated events. Each has a source: a published measurement, or an estimate with its
 * reasoning written down. A scenario overrides any of them by name (`costs: {clearPage: 200}`);
 * an unknown name is a ConfigError. The figures are for the reference board's class of CPU
 * (Cortex-A57 at ~2 GHz); they are orders of magnitude, not a cycle-accurate model.
 *
 * | name | ns | what |
 * |---|---|---|
 * (the table below is the single source; docs/architecture.md renders it)
 */
import { ConfigError, describeValue } from "./errors.ts";

/** One named cost. */
export interface CostEntry {
  /** Nanoseconds charged per event. */
  readonly ns: number;
  /** What the event is, in kernel terms. */
  readonly what: string;
  /** Where the figure comes from. */
  readonly source: string;
}

/** The default cost table. Keys are the names scenarios use. */
export const DEFAULT_COSTS = {
  pcpAlloc: {
    ns: 25,
    what: "order-0 page taken from a per-CPU list (rmqueue_pcplist hit)",
    source:
      "half of the 40–58 ns alloc+free pair measured by page_bench01 (Jesper Brouer, posted with the 2017 and 2021 bulk-allocator series; KERNEL-FACTS.md)",
  },
  pcpFree: {
    ns: 25,
    what: "order-0 page put on a per-CPU list (free_unref_page)",
    source: "the other half of the same 40–58 ns pair",
  },
  pcpBulkPerPage: {
    ns: 30,
    what: "one page moved between the buddy lists and a per-CPU list (rmqueue_bulk / free_pcppages_bulk)",
    source: "bulk allocation 21–37 ns per page (page_bench04_bulk, same series; KERNEL-FACTS.md)",
  },
  zoneLock: {
    ns: 40,
    what: "zone->lock taken and released once, uncontended",
    source:
      "estimate: the gap between the pcp fast path (~50 ns/pair) and the buddy path with the lock (~100+ ns) in the same benchmarks",
  },
  buddyStep: {
    ns: 10,
    what: "one split (expand) or one merge step of __free_one_page: list unlink/link and flag updates",
    source: "estimate: ~4 list and page-struct writes in L1, ~20 cycles at 2 GHz",
  },
  clearPage: {
    ns: 150,
    what: "clear_page() of one 4 KiB page (init_on_alloc, __GFP_ZERO)",
    source: "100–300 ns per 4 KiB clear (KERNEL-FACTS.md calibration): DC ZVA at ~25 GB/s",
  },
  slabAllocFast: {
    ns: 10,
    what: "object taken from the per-CPU freelist (SLUB this_cpu_cmpxchg fast path, SLAB array_cache hit)",
    source: "estimate: SLUB's fast path is ~20–40 cycles (Lameter, 'SLUB fastpath improvements', LWN 2011); 10 ns at 2 GHz",
  },
  slabFreeFast: {
    ns: 10,
    what: "object put back on the per-CPU freelist / array_cache",
    source: "the same estimate as slabAllocFast: a symmetric cmpxchg or array push",
  },
  slabSlowPath: {
    ns: 100,
    what: "one slow-path step: refill from partial lists, node list_lock, deactivate or cache_flusharray",
    source: "estimate: a list_lock round trip plus list manipulation, ~200 cycles",
  },
  memblockOp: {
    ns: 50,
    what: "one memblock region-array operation (insert, merge, isolate, find)",
    source: "estimate: a few hundred instructions over a short array; boot-time only",
  },
  tlbHit: {
    ns: 0.5,
    what: "translation found in an L1 (micro) TLB: one lookup, in parallel with the L1 cache access",
    source:
      "one cycle at 2 GHz: the Cortex-A15 and A76 TRMs (TLB organization) give a single-cycle L1 TLB hit; the A57 TRM gives no figure, so this is an estimate for it",
  },
  tlbMainHit: {
    ns: 6,
    what: "L1 TLB miss that hits the unified L2 (main) TLB, the L1 entry refilled",
    source:
      "L1 TLB miss penalty of 12 cycles measured on Cortex-A15, the A57's predecessor with the same TLB organization (7-cpu.com, Exynos 5250); estimate for A57 at 2 GHz",
  },
  walkLevel: {
    ns: 10,
    what: "one translation-table descriptor read during a table walk (a miss costs levels × this)",
    source:
      "estimate: a descriptor read that hits the L2 cache, ~20 cycles at 2 GHz (Cortex-A15: L2 latency 21 cycles, L2 TLB miss penalty 10–30 cycles with its walk cache; 7-cpu.com); mmsim models no walk cache, so a 4-level walk is 40 ns",
  },
  tlbiLocal: {
    ns: 30,
    what: "local TLB invalidation: TLBI VMALLE1 + DSB NSH + ISB (local_flush_tlb_all)",
    source: "estimate: ~60 cycles, no barrier traffic outside the core; no published A57 figure",
  },
  tlbiBroadcast: {
    ns: 150,
    what: "one broadcast TLBI …IS with the DSB ISH that waits for every CPU of the inner-shareable domain (flush_tlb_page, flush_tlb_mm, flush_tlb_all)",
    source:
      "estimate: a DVM message round trip through the cluster interconnect, a few hundred cycles on a small A57 cluster (it grows to µs on many-core servers)",
  },
  tlbiBroadcastNext: {
    ns: 20,
    what: "each further TLBI …IS issued before the same DSB ISH (the per-page loops of __flush_tlb_range and flush_tlb_kernel_range)",
    source: "estimate: broadcast TLBIs pipeline and one DSB waits for all of them; ~40 cycles to issue each",
  },
  asidRollover: {
    ns: 300,
    what: "ASID rollover: flush_context() clears the ASID bitmap (8 KiB with 16-bit ASIDs), keeps each CPU's active ASID and queues a local flush on every CPU",
    source: "estimate: an 8 KiB memset (~256 cycles) plus a per-CPU xchg under cpu_asid_lock; the flushes it queues are charged as tlbiLocal",
  },
  faultEntry: {
    ns: 700,
    what: "one user page fault's fixed part: the EL0 data abort's exception entry and return, do_page_fault's mmap_lock and VMA lookup, handle_mm_fault's walk and PTE update, rmap and counters (the page it allocates, clears or copies is charged apart)",
    source:
      "estimate: ~1,400 cycles at 2 GHz, the usual order of a minor anonymous fault without the page clear (about 1 µs with it on current cores; no published Cortex-A57 figure)",
  },
  blkRequest: {
    ns: 7575,
    what: "one block request's turn on the virtio-blk queue: virtqueue notify, QEMU's request handling and host submission; serialized, so it bounds IOPS at depth (blk_mq_dispatch_rq_list → virtio_queue_rq → QEMU)",
    source:
      "QEMU virtio-blk at iodepth 128, 4 KiB random reads: 57.5 k IOPS = 17.39 µs per request (fio, A. Zhadchenko's vhost-blk RFC, qemu-devel 2022-07-25), less the 9.82 µs transfer of 8 × blkReadPerSector",
  },
  blkReadLatency: {
    ns: 77847,
    what: "the fixed part of a read request that does not hold the queue (the host SSD's access time, the completion interrupt): a lone 4 KiB read costs blkRequest + 8 × blkReadPerSector + this",
    source:
      "a guest's fio randread 4k at iodepth 1 on a host NVMe drive through QEMU's linux-aio backend: 10.5 k IOPS = 95.24 µs (QEMU commit bdd6a90a9e5f, 'block: Add VFIO based NVMe driver', 2018), less blkRequest and the transfer",
  },
  blkReadPerSector: {
    ns: 1227,
    what: "moving one 512-byte sector of a read request (≈ 417 MB/s for one stream)",
    source:
      "the same measurement's randread 512k at iodepth 1: 745 IOPS = 1342.28 µs; (1342.28 − 95.24) µs over the 1016 more sectors of 512 KiB than 4 KiB",
  },
  blkWriteLatency: {
    ns: 21206,
    what: "the fixed part of a write request that does not hold the queue (the host's write into its page cache or the SSD's cache, the completion interrupt)",
    source:
      "the same measurement's randwrite 4k at iodepth 1: 30.7 k IOPS = 32.57 µs, less blkRequest and 8 × blkWritePerSector",
  },
  blkWritePerSector: {
    ns: 474,
    what: "moving one 512-byte sector of a write request (≈ 1080 MB/s for one stream)",
    source: "the same measurement's randwrite 512k at iodepth 1: 1945 IOPS = 514.14 µs; (514.14 − 32.57) µs over 1016 sectors",
  },
  blkFlush: {
    ns: 1643000,
    what: "a cache flush (REQ_OP_FLUSH, virtio-blk VIRTIO_BLK_T_FLUSH): QEMU's default cache=writeback turns it into an fdatasync() of the image on the host, which flushes the SSD's volatile cache",
    source:
      "fdatasync after one 8 kB write on a consumer NVMe SSD (Samsung 990 PRO): 1643 µs/op (pg_test_fsync, T. Põder, 'Using Postgres pg_test_fsync tool for testing low latency writes', 2025-05-27)",
  },
  zramCompress: {
    ns: 8000,
    what: "zram_write_page of one 4 KiB page that is not same-filled: page_same_filled's scan, then lzo-rle compression (zcomp_compress) and the copy into a zsmalloc object",
    source:
      "estimate: lzo-rle compresses at roughly 500 MB/s per core on a Cortex-A57-class CPU (about a third of its x86 figure in the zram benchmarks posted with the lzo-rle series, 2019): 4096 B / 0.5 GB/s ≈ 8 µs",
  },
  zramDecompress: {
    ns: 2500,
    what: "zram_read_page of one stored 4 KiB page: zs_map_object and lzo-rle decompression (a huge page is a plain copy, charged the same)",
    source: "estimate: lzo decompresses at about 3× its compression speed (same series' figures): 4096 B / ~1.6 GB/s ≈ 2.5 µs",
  },
  zramSameFilled: {
    ns: 400,
    what: "a same-filled page through zram: page_same_filled's scan of 512 words on write, zram_fill_page's memset on read",
    source: "estimate: 4 KiB read or written at ~10 GB/s in L1/L2 (cf. clearPage's 150 ns for a DC ZVA clear)",
  },
} as const satisfies Record<string, CostEntry>;

/** The name of a cost constant. */
export type CostName = keyof typeof DEFAULT_COSTS;

/** Overrides of cost constants by name, as a scenario gives them. */
export type CostOverrides = Partial<Record<string, number>>;

/**
 * The cost model of one machine: a plain object of numbers (fast to read in hot code) built
 * from DEFAULT_COSTS and a scenario's overrides.
 */
export class CostModel {
  readonly pcpAlloc: number;
  readonly pcpFree: number;
  readonly pcpBulkPerPage: number;
  readonly zoneLock: number;
  readonly buddyStep: number;
  readonly clearPage: number;
  readonly slabAllocFast: number;
  readonly slabFreeFast: number;
  readonly slabSlowPath: number;
  readonly memblockOp: number;
  readonly tlbHit: number;
  readonly tlbMainHit: number;
  readonly walkLevel: number;
  readonly tlbiLocal: number;
  readonly tlbiBroadcast: number;
  readonly tlbiBroadcastNext: number;
  readonly asidRollover: number;
  readonly faultEntry: number;
  readonly blkRequest: number;
  readonly blkReadLatency: number;
  readonly blkReadPerSector: number;
  readonly blkWriteLatency: number;
  readonly blkWritePerSector: number;
  readonly blkFlush: number;
  readonly zramCompress: number;
  readonly zramDecompress: number;
  readonly zramSameFilled: number;

  /**
   * @param overrides ns per name; names must exist in DEFAULT_COSTS, values finite and ≥ 0
   * @param file where the overrides came from, for error messages
   * @throws ConfigError on an unknown name or a bad value
   */
  constructor(overrides: CostOverrides = {}, file = "<api>") {
    const merged: Record<string, number> = {};
    for (const [name, entry] of Object.entries(DEFAULT_COSTS)) merged[name] = entry.ns;
    for (const [name, value] of Object.entries(overrides)) {
      if (!(name in DEFAULT_COSTS)) {
        throw new ConfigError("core.CostModel", file, `costs.${name}`, `one of ${Object.keys(DEFAULT_COSTS).join(", ")}`, JSON.stringify(name));
      }
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new ConfigError("core.CostModel", file, `costs.${name}`, "a finite number of ns ≥ 0", describeValue(value));
      }
      merged[name] = value;
    }
    this.pcpAlloc = merged.pcpAlloc!;
    this.pcpFree = merged.pcpFree!;
    this.pcpBulkPerPage = merged.pcpBulkPerPage!;
    this.zoneLock = merged.zoneLock!;
    this.buddyStep = merged.buddyStep!;
    this.clearPage = merged.clearPage!;
    this.slabAllocFast = merged.slabAllocFast!;
    this.slabFreeFast = merged.slabFreeFast!;
    this.slabSlowPath = merged.slabSlowPath!;
    this.memblockOp = merged.memblockOp!;
    this.tlbHit = merged.tlbHit!;
    this.tlbMainHit = merged.tlbMainHit!;
    this.walkLevel = merged.walkLevel!;
    this.tlbiLocal = merged.tlbiLocal!;
    this.tlbiBroadcast = merged.tlbiBroadcast!;
    this.tlbiBroadcastNext = merged.tlbiBroadcastNext!;
    this.asidRollover = merged.asidRollover!;
    this.faultEntry = merged.faultEntry!;
    this.blkRequest = merged.blkRequest!;
    this.blkReadLatency = merged.blkReadLatency!;
    this.blkReadPerSector = merged.blkReadPerSector!;
    this.blkWriteLatency = merged.blkWriteLatency!;
    this.blkWritePerSector = merged.blkWritePerSector!;
    this.blkFlush = merged.blkFlush!;
    this.zramCompress = merged.zramCompress!;
    this.zramDecompress = merged.zramDecompress!;
    this.zramSameFilled = merged.zramSameFilled!;
  }

  /** The value in effect for `name`. */
  get(name: CostName): number {
    return this[name];
  }

  /** Every constant with its value in effect, default and source (for docs and `--json`). */
  table(): { name: CostName; ns: number; defaultNs: number; what: string; source: string }[] {
    return (Object.keys(DEFAULT_COSTS) as CostName[]).map((name) => ({
      name,
      ns: this[name],
      defaultNs: DEFAULT_COSTS[name].ns,
      what: DEFAULT_COSTS[name].what,
      source: DEFAULT_COSTS[name].source,
    }));
  }
}
