// mmsim: vmalloc's hot paths over fakes — vmalloc+vfree pairs with the periodic lazy purges (issue target in the name)
import { GFP_KERNEL, KernelLog, SimClock } from "@mmsim/core";
import { FakePageAllocator } from "@mmsim/core/testing";
import { Vmalloc, allocVmapArea, arm64VmallocLayout, findVmapArea, freeUnmapVmapArea } from "@mmsim/vmalloc";
import { FakeVmapPageTables } from "@mmsim/vmalloc/testing";
import { afterAll, bench, describe } from "vitest";

/**
 * core's FakePageAllocator hands out fresh PFNs and never reuses them; a million pairs would
 * exhaust it. This one reuses freed order-0 pages (LIFO, as a per-CPU list would).
 */
class RecyclingPageAllocator extends FakePageAllocator {
  private readonly stack = new Int32Array(1 << 16);
  private top = 0;
  override allocPages(gfp: number, order: number): number {
    if (order === 0 && this.top > 0) {
      const pfn = this.stack[--this.top]!;
      this.live.set(pfn, 0);
      return pfn;
    }
    return super.allocPages(gfp, order);
  }
  override freePages(pfn: number, order: number): number {
    if (order === 0 && this.live.delete(pfn)) {
      this.stack[this.top++] = pfn;
      return 0;
    }
    return super.freePages(pfn, order);
  }
}

const L = arm64VmallocLayout(48);

function machine(): { vm: Vmalloc; pt: FakeVmapPageTables } {
  const pt = new FakeVmapPageTables();
  const vm = new Vmalloc(
    { vmallocStart: L.vmallocStart, vmallocEnd: L.vmallocEnd, modulesVaddr: L.modulesVaddr, modulesEnd: L.modulesEnd, nrCpus: 2 },
    new RecyclingPageAllocator(),
    pt,
    new KernelLog(),
    new SimClock(),
  );
  vm.vmallocInit();
  return { vm, pt };
}

/** Operations per bench iteration: tinybench's own per-iteration cost is amortised over them. */
const BATCH = 100;
const one = machine();
const sixteen = machine();
const kva = machine();

describe(`vmalloc hot paths (fakes; each iteration = ${BATCH} pairs: pairs/s = hz × ${BATCH})`, () => {
  bench("vmalloc(4K)+vfree, lazy purge every 8192 frees (target ≥ 1M pairs/s)", () => {
    const vm = one.vm;
    for (let i = 0; i < BATCH; i++) vm.vfree(vm.vmalloc(4096));
  });
  bench("vmalloc(64K)+vfree (16 pages, 17-page areas; purge every 963 frees)", () => {
    const vm = sixteen.vm;
    for (let i = 0; i < BATCH; i++) vm.vfree(vm.vmalloc(65536));
  });
  bench("alloc_vmap_area(8K)+free_unmap_vmap_area (the kva allocator alone)", () => {
    const s = kva.vm.state;
    for (let i = 0; i < BATCH; i++) {
      const va = allocVmapArea(s, 8192, 4096, L.vmallocStart, L.vmallocEnd, -1, GFP_KERNEL);
      freeUnmapVmapArea(s, findVmapArea(s, s.areas.vaStart[va]!));
    }
  });
});

afterAll(() => {
  const c = one.vm.counters();
  console.log(`vmalloc(4K)+vfree: ${c.purges} lazy purges, ${c.purgedPages} pages purged, ${c.tlbFlushes} TLB flushes; vmap_lazy_nr ${c.vmapLazyNr}`);
});
