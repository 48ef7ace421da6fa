// mmsim: vmalloc's hot paths — vmalloc+vfree pairs with the periodic lazy purges, over fake page tables and over the real arm64 tables (issue target in the name)
import { GFP_KERNEL, KernelLog, SimClock } from "@mmsim/core";
import { FakePageAllocator } from "@mmsim/core/testing";
import {
  CpuTlb, PgtableAllocator, PgtableStore, TlbDomain, arm64Layout, pagingInit, type KernelSegments,
} from "@mmsim/hw-arm64";
import { Arm64VmapPageTables, VM_MAP, Vmalloc, allocVmapArea, arm64VmallocLayout, findVmapArea, freeUnmapVmapArea } from "@mmsim/vmalloc";
import { FakeVmapPageTables } from "@mmsim/vmalloc/testing";
import { afterAll, bench, describe } from "vitest";

/**
 * core's FakePageAllocator hands out fresh PFNs and never reuses them; a million pairs would
 * exhaust it. This one reuses freed order-0 pages (LIFO, as a per-CPU list would). Pages it
 * recycles are tracked in a byte map rather than the base class's Map (a Map delete per vfree
 * cost as much as the whole vmalloc+vfree pair), so the figures measure vmalloc, not the fake.
 */
class RecyclingPageAllocator extends FakePageAllocator {
  private readonly stack = new Int32Array(1 << 16);
  private top = 0;
  private readonly recycled: Uint8Array;
  private readonly basePfn: number;
  constructor(basePfn = 0x40000, nrPages = 65536) {
    super(basePfn, nrPages);
    this.basePfn = basePfn;
    this.recycled = new Uint8Array(nrPages);
  }
  override allocPages(gfp: number, order: number): number {
    if (order === 0 && this.top > 0) {
      const pfn = this.stack[--this.top]!;
      this.recycled[pfn - this.basePfn] = 1;
      return pfn;
    }
    return super.allocPages(gfp, order);
  }
  override freePages(pfn: number, order: number): number {
    if (order === 0) {
      const i = pfn - this.basePfn;
      if (this.recycled[i] === 1) {
        this.recycled[i] = 0;
        this.stack[this.top++] = pfn;
        return 0;
      }
      if (this.live.get(pfn) === 0) {
        this.live.delete(pfn); // first free of a page the base class handed out
        this.stack[this.top++] = pfn;
        return 0;
      }
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

/** The reference board's image (1 GiB of RAM at 0x40000000, nokaslr). */
const IMAGE: KernelSegments = {
  _text: 0x40200000, _stext: 0x40210000, _etext: 0x40f00000, __start_rodata: 0x40f00000, __inittext_begin: 0x41860000,
  __inittext_end: 0x41940000, __initdata_begin: 0x41940000, __initdata_end: 0x41eb0000, _data: 0x41eb0000, _end: 0x42210000,
};

/**
 * vmalloc over the real tables: swapper_pg_dir built by hw-arm64's paging_init, tables and
 * pages from a recycling fake (frames 0x48000000… clear of the image and the boot tables),
 * flush_tlb_kernel_range() into two Cortex-A57 CPUs' TLBs.
 */
function arm64Machine(): { vm: Vmalloc; pt: Arm64VmapPageTables; tlbi: TlbDomain } {
  const layout = arm64Layout({ vaBits: 48, dramStart: 0x40000000, kernelPhys: IMAGE._text });
  const store = new PgtableStore({ basePfn: 0x40000, nrPages: 0x40000 });
  let top = 0x80000000;
  pagingInit({
    layout, store, memory: [{ base: 0x40000000, size: 0x40000000 }], image: IMAGE, swapperPgDir: 0x4185f000,
    earlyAlloc: (size, align) => (top = Math.floor((top - size) / align) * align),
  });
  const pages = new RecyclingPageAllocator(0x48000, 0x37000);
  const tlbi = new TlbDomain([new CpuTlb(), new CpuTlb()]);
  const pt = new Arm64VmapPageTables(store, new PgtableAllocator(store, pages, pages.mem), (start, end) => void tlbi.flushTlbKernelRange(start, end));
  pt.kernelPgtableFlusher = tlbi;
  const vm = new Vmalloc(
    { vmallocStart: L.vmallocStart, vmallocEnd: L.vmallocEnd, modulesVaddr: L.modulesVaddr, modulesEnd: L.modulesEnd, nrCpus: 2 },
    pages,
    pt,
    new KernelLog(),
    new SimClock(),
  );
  vm.vmAreaAddEarly(L.kimageVaddr + 0x10000, IMAGE._end - IMAGE._stext, VM_MAP, IMAGE._stext, "paging_init"); // the image, as one area
  vm.vmallocInit();
  return { vm, pt, tlbi };
}

/** Operations per bench iteration: tinybench's own per-iteration cost is amortised over them. */
const BATCH = 100;
const one = machine();
const sixteen = machine();
const kva = machine();
const real = arm64Machine();
const real16 = arm64Machine();

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

describe(`vmalloc over the real arm64 tables (Arm64VmapPageTables; each iteration = ${BATCH} pairs: pairs/s = hz × ${BATCH})`, () => {
  bench("vmalloc(4K)+vfree, real tables + TLBs, lazy purge every 8192 frees (target ≥ 1M pairs/s)", () => {
    const vm = real.vm;
    for (let i = 0; i < BATCH; i++) vm.vfree(vm.vmalloc(4096));
  });
  bench("vmalloc(64K)+vfree, real tables + TLBs (16 PTEs per pair)", () => {
    const vm = real16.vm;
    for (let i = 0; i < BATCH; i++) vm.vfree(vm.vmalloc(65536));
  });
});

afterAll(() => {
  const c = one.vm.counters();
  console.log(`vmalloc(4K)+vfree: ${c.purges} lazy purges, ${c.purgedPages} pages purged, ${c.tlbFlushes} TLB flushes; vmap_lazy_nr ${c.vmapLazyNr}`);
  const rc = real.vm.counters();
  const a = real.pt.alloc.stats;
  console.log(`real tables, vmalloc(4K)+vfree: ${rc.purges} lazy purges, ${real.pt.flushCalls} flush_tlb_kernel_range, ${real.tlbi.totalIssued} TLBIs; tables allocated: ${a.pmd} PMD, ${a.pteKernel} PTE; ${real.pt.warnings} warnings`);
});
