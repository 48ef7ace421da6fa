// mmsim: test helpers for @mmsim/slub — a SlubAllocator on core's doubles
import { CostModel, KernelLog, type PageAllocator, Prandom, SimClock, type Topology } from "@mmsim/core";
import { FakePageAllocator } from "@mmsim/core/testing";
import { SlubAllocator } from "./slub.ts";
import type { SlubOptions } from "./slub-options.ts";

/** The reference machine's shape: 2 CPUs, one node. */
export const TOPO_2CPU: Topology = { nrCpus: 2, nrNodes: 1, cpuToNode: [0, 0] };

export interface SlubRig {
  readonly allocator: SlubAllocator;
  readonly pages: FakePageAllocator;
  readonly log: KernelLog;
  readonly clock: SimClock;
}

/** A SlubAllocator over a FakePageAllocator (RAM from 0x40000000, 64 Ki pages), seeded RNG. */
export function makeSlub(options: SlubOptions = {}, seed = 42, topology: Topology = TOPO_2CPU, pages = new FakePageAllocator()): SlubRig {
  const clock = new SimClock();
  const log = new KernelLog(clock);
  const allocator = new SlubAllocator(pages, pages.mem, topology, clock, new CostModel(), log, new Prandom(seed), options);
  return { allocator, pages, log, clock };
}

/** Same, over any PageAllocator sharing the FakePageAllocator's MemMap. */
export function makeSlubOn(pa: PageAllocator, fake: FakePageAllocator, options: SlubOptions = {}, seed = 42, topology: Topology = TOPO_2CPU): SlubRig {
  const clock = new SimClock();
  const log = new KernelLog(clock);
  const allocator = new SlubAllocator(pa, fake.mem, topology, clock, new CostModel(), log, new Prandom(seed), options);
  return { allocator, pages: fake, log, clock };
}

/** The log's lines (text only) from record `from`. */
export function logLines(log: KernelLog, from = 0): string[] {
  return log.all().slice(from).map((r) => r.text);
}
