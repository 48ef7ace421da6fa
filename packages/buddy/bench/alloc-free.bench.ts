// mmsim: the page allocator's hot paths on the reference board, with issue 22's targets (median, target, met / not met: tools/bench/targets.ts)
/*
 * Each figure does what its name says (issue 22 found three that did not):
 *  - the pcp figure is __alloc_pages + __free_pages of one order-0 page, hitting the CPU's list;
 *  - the buddy-list figure takes an order-0 page that must be split from an order-1 block and
 *    frees it so that it merges back (one split, one merge per pair; the order-0 and order-1
 *    lists are emptied first and the order-1 block's buddy is held);
 *  - the refill-and-drain figure allocates more pages than the pcp list's high mark plus two
 *    batches, then frees them all: the list is refilled from the buddy lists (rmqueue_bulk) and
 *    drained back (free_pcppages_bulk) in every iteration.
 * The boot of a whole board (paging_init included) and the host bytes per simulated frame are
 * @mmsim/machine's boot bench: this package alone boots only the allocator.
 */
import { GFP_HIGHUSER_MOVABLE, GFP_KERNEL, MIGRATE_MOVABLE, SZ_1G, pfnDown } from "@mmsim/core";
import { bench, describe } from "vitest";
import {
  FPI_NONE, allocPages, createBuddyAllocator, drainAllPages, freeAreaEmpty, freePages, freePagesOk, modZoneFreepageState,
  rmqueueInner, rmqueueSmallest,
} from "@mmsim/buddy";
import { rate } from "@mmsim/core/testing";

const RAM = 0x40000000;
/** free_area_init's zone limits for RAM at 0x40000000 on QEMU virt (arm64 zone_sizes_init: DMA, DMA32 up to 4 GiB, Normal, Movable). */
const maxZonePfn = (bytes: number): number[] => [Math.min(RAM + bytes, 2 ** 32) / 4096, Math.min(RAM + bytes, 2 ** 32) / 4096, (RAM + bytes) / 4096, 0];
function board(bytes: number, cpus = 2) {
  return createBuddyAllocator({
    nrCpus: cpus,
    nodes: [{ nid: 0, ranges: [[pfnDown(RAM), pfnDown(RAM + bytes)]] }],
    maxZonePfn: maxZonePfn(bytes),
    reserved: [[0x40210000, 0x4220b000]],
  });
}

/** Operations per bench iteration: tinybench's own per-iteration cost (~60 ns) is amortised over them. */
const BATCH = 100;

describe("page allocator hot paths (1 GiB board, 2 CPUs)", () => {
  {
    const pa = board(SZ_1G).state;
    bench(rate("order-0 alloc+free, pcp hit (__alloc_pages + __free_pages)", { min: 20e6, unit: "pairs/s", perIteration: BATCH }), () => {
      for (let i = 0; i < BATCH; i++) {
        const page = allocPages(pa, GFP_KERNEL, 0, 0);
        freePages(pa, page, 0, 0);
      }
    });
  }

  {
    // Over high + 2 batches: every iteration refills the list from the buddy lists and drains it back.
    const pa = board(SZ_1G).state;
    const first = allocPages(pa, GFP_KERNEL, 0, 0);
    const pcp = pa.pageZone(first).pageset[0]!;
    freePages(pa, first, 0, 0);
    const n = pcp.high + 2 * pcp.batch;
    const held = new Int32Array(n);
    bench(rate(`order-0: ${n} allocs then ${n} frees (pcp high ${pcp.high}, batch ${pcp.batch}: refill and drain)`, { unit: "pairs/s", perIteration: n }), () => {
      for (let i = 0; i < n; i++) held[i] = allocPages(pa, GFP_KERNEL, 0, 0);
      for (let i = 0; i < n; i++) freePages(pa, held[i]!, 0, 0);
    });
  }

  {
    // One split and one merge per pair: the order-0 and order-1 MOVABLE lists are emptied (their
    // pages held), then half of an order-2 block is freed as order 1; its buddy half stays held.
    const pa = board(SZ_1G).state;
    drainAllPages(pa);
    const zone = pa.zones.find((z) => z.managed)!;
    const mem = pa.mem;
    for (const order of [0, 1]) {
      while (!freeAreaEmpty(mem, zone, order, MIGRATE_MOVABLE)) rmqueueSmallest(pa, zone, order, MIGRATE_MOVABLE);
    }
    const block = rmqueueSmallest(pa, zone, 2, MIGRATE_MOVABLE);
    freePagesOk(pa, block, 1, FPI_NONE);
    // The figure measures what it names: one pair splits (order 0 gets the buddy) and merges back to order 1 only.
    const order2 = zone.nrFree[2];
    const probe = rmqueueInner(pa, zone, 0, MIGRATE_MOVABLE, 0);
    const split = probe === block && !freeAreaEmpty(mem, zone, 0, MIGRATE_MOVABLE) && freeAreaEmpty(mem, zone, 1, MIGRATE_MOVABLE);
    modZoneFreepageState(zone, -1, MIGRATE_MOVABLE);
    freePagesOk(pa, probe, 0, FPI_NONE);
    const merged = freeAreaEmpty(mem, zone, 0, MIGRATE_MOVABLE) && !freeAreaEmpty(mem, zone, 1, MIGRATE_MOVABLE) && zone.nrFree[2] === order2;
    if (!split || !merged) throw new Error(`buddy-list bench setup: the pair does not split once and merge once (split ${split}, merged ${merged})`);
    bench(rate("order-0 alloc+free through the buddy lists, one split and one merge each (__rmqueue_smallest + __free_one_page)", { min: 5e6, unit: "pairs/s", perIteration: BATCH }), () => {
      for (let i = 0; i < BATCH; i++) {
        const page = rmqueueInner(pa, zone, 0, MIGRATE_MOVABLE, 0);
        modZoneFreepageState(zone, -1, MIGRATE_MOVABLE);
        mem.refcount[page] = 0;
        freePagesOk(pa, page, 0, FPI_NONE);
      }
    });
  }

  {
    const pa = board(SZ_1G).state;
    bench(rate("order-3 alloc+free through __alloc_pages (pcp, as the kernel does for order ≤ 3)", { unit: "pairs/s", perIteration: BATCH }), () => {
      for (let i = 0; i < BATCH; i++) {
        const page = allocPages(pa, GFP_HIGHUSER_MOVABLE, 3, 1);
        freePages(pa, page, 3, 1);
      }
    });
  }
});
