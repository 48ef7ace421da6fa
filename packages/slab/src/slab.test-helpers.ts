// mmsim: test helpers for @mmsim/slab — a SlabAllocator on fakes, and a page allocator double with NUMA nodes
import {
  CostModel, ENOMEM, KernelLog, MemMap, NIL_PFN, type PageAllocator, Prandom, SimClock, type Topology, ZONE_NORMAL, __GFP_THISNODE,
  setPageZoneNode,
} from "@mmsim/core";
import { FakePageAllocator, expectValid } from "@mmsim/core/testing";
import { SlabAllocator } from "./slab.ts";

/** A 2-CPU, 1-node machine: the reference board's shape. */
export const UMA_2CPU: Topology = { nrCpus: 2, nrNodes: 1, cpuToNode: [0, 0] };
/** 4 CPUs on 2 nodes: CPUs 0, 1 on node 0 and CPUs 2, 3 on node 1. */
export const NUMA_2x2: Topology = { nrCpus: 4, nrNodes: 2, cpuToNode: [0, 0, 1, 1] };

/** A SlabAllocator and the doubles behind it. */
export interface SlabRig<P extends PageAllocator & { readonly mem: MemMap } = FakePageAllocator> {
  readonly slab: SlabAllocator;
  readonly pages: P;
  readonly clock: SimClock;
  readonly log: KernelLog;
  readonly rng: Prandom;
}

/**
 * A SlabAllocator on a FakePageAllocator (64 Ki pages = 256 MiB from PFN 0x40000, so slab_max_order
 * is SLAB_MAX_ORDER_HI), with `topology` (default 2 CPUs, one node) and a seeded RNG.
 */
export function makeSlab(opts: { topology?: Topology; seed?: number; nrPages?: number } = {}): SlabRig {
  const pages = new FakePageAllocator(0x40000, opts.nrPages ?? 65536);
  return rig(pages, opts.topology ?? UMA_2CPU, opts.seed ?? 1);
}

/** A SlabAllocator on a NumaFakePageAllocator. */
export function makeNumaSlab(opts: { topology?: Topology; seed?: number; pagesPerNode?: number } = {}): SlabRig<NumaFakePageAllocator> {
  const topology = opts.topology ?? NUMA_2x2;
  const pages = new NumaFakePageAllocator(topology, opts.pagesPerNode ?? 16384);
  return rig(pages, topology, opts.seed ?? 1);
}

function rig<P extends PageAllocator & { readonly mem: MemMap }>(pages: P, topology: Topology, seed: number): SlabRig<P> {
  const clock = new SimClock();
  const log = new KernelLog(clock);
  const rng = new Prandom(seed);
  const slab = new SlabAllocator(pages, pages.mem, topology, clock, new CostModel(), log, rng);
  return { slab, pages, clock, log, rng };
}

/**
 * A page allocator double with NUMA nodes: node n owns pages [n * pagesPerNode, (n+1) * pagesPerNode)
 * from PFN 0x40000 (nodeZone set accordingly); allocPages honours nid (the CPU's node for -1) and
 * falls back to other nodes unless __GFP_THISNODE. Freed blocks are reused LIFO per order and node.
 */
export class NumaFakePageAllocator implements PageAllocator {
  readonly mem: MemMap;
  /** Node counters: key `${nid}:${item}`. */
  readonly nodeStat = new Map<string, number>();
  /** Blocks handed out: PFN → order. */
  readonly live = new Map<number, number>();
  /** Pages each node may still hand out before it reports failure (Infinity = its whole range). */
  readonly budget: number[];
  private readonly next: number[];
  private readonly freeLists: Map<number, number[]>[];
  private readonly base = 0x40000;

  constructor(
    private readonly topology: Topology,
    private readonly pagesPerNode: number,
  ) {
    this.mem = new MemMap({ basePfn: this.base, nrPages: topology.nrNodes * pagesPerNode, nrListHeads: 0 });
    for (let nid = 0; nid < topology.nrNodes; nid++) {
      for (let p = 0; p < pagesPerNode; p++) setPageZoneNode(this.mem, nid * pagesPerNode + p, nid, ZONE_NORMAL);
    }
    this.next = Array.from({ length: topology.nrNodes }, (_, nid) => this.base + nid * pagesPerNode);
    this.freeLists = Array.from({ length: topology.nrNodes }, () => new Map<number, number[]>());
    this.budget = Array.from({ length: topology.nrNodes }, () => Number.POSITIVE_INFINITY);
  }

  /** Node of a PFN. */
  nidOf(pfn: number): number {
    return Math.floor((pfn - this.base) / this.pagesPerNode);
  }

  allocPages(gfp: number, order: number, cpu: number, nid = -1): number {
    const want = nid >= 0 ? nid : this.topology.cpuToNode[cpu]!;
    let pfn = this.allocOn(want, order);
    if (pfn === NIL_PFN && (gfp & __GFP_THISNODE) === 0) {
      for (let n = 0; n < this.topology.nrNodes && pfn === NIL_PFN; n++) if (n !== want) pfn = this.allocOn(n, order);
    }
    return pfn;
  }

  private allocOn(nid: number, order: number): number {
    const size = 2 ** order;
    if (this.budget[nid]! < size) return NIL_PFN;
    let pfn = this.freeLists[nid]!.get(order)?.pop() ?? NIL_PFN;
    if (pfn === NIL_PFN) {
      const start = Math.ceil(this.next[nid]! / size) * size;
      if (start + size > this.base + (nid + 1) * this.pagesPerNode) return NIL_PFN;
      this.next[nid] = start + size;
      pfn = start;
    }
    this.budget[nid]! -= size;
    this.live.set(pfn, order);
    for (let p = pfn; p < pfn + size; p++) this.mem.refcount[this.mem.pfnToPage(p)] = 1;
    return pfn;
  }

  freePages(pfn: number, order: number): number {
    if (this.live.get(pfn) !== order) return -ENOMEM;
    this.live.delete(pfn);
    const nid = this.nidOf(pfn);
    this.budget[nid]! += 2 ** order;
    for (let p = pfn; p < pfn + 2 ** order; p++) this.mem.refcount[this.mem.pfnToPage(p)] = 0;
    const fl = this.freeLists[nid]!;
    if (!fl.has(order)) fl.set(order, []);
    fl.get(order)!.push(pfn);
    return 0;
  }

  modNodePageState(pfn: number, item: number, delta: number): void {
    const key = `${this.nidOf(pfn)}:${item}`;
    this.nodeStat.set(key, (this.nodeStat.get(key) ?? 0) + delta);
  }

  /** Pages handed out on a node. */
  pagesOn(nid: number): number {
    let n = 0;
    for (const [pfn, order] of this.live) if (this.nidOf(pfn) === nid) n += 2 ** order;
    return n;
  }
}

/** Runs `step` and then validate(); fails with the step's name on any report. */
export function step<T>(slab: SlabAllocator, name: string, fn: () => T): T {
  const r = fn();
  expectValid(slab, name);
  return r;
}
