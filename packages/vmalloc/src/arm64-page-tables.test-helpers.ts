// mmsim: vmalloc over the real arm64 tables — the reference board's swapper_pg_dir (hw-arm64's pagingInit), a FakePageAllocator, Arm64VmapPageTables
import { KernelLog, type ValidationSink, SimClock } from "@mmsim/core";
import { FakePageAllocator, expectValid } from "@mmsim/core/testing";
import {
  ACCESS_READ, PgtableAllocator, PgtableStore, WalkOut, arm64Layout, pagingInit as hwPagingInit, validatePgtables, walk,
  type Arm64Layout, type Va,
} from "@mmsim/hw-arm64";
import { Arm64VmapPageTables } from "./arm64-page-tables.ts";
import { VM_MAP, VM_NO_GUARD, Vmalloc, arm64VmallocLayout } from "./index.ts";
import { IMAGE } from "./vmalloc.test-helpers.ts";

export const RAM_BASE = 0x40000000;
export const SZ_1G = 0x40000000;
/** swapper_pg_dir on the reference board: an estimate (no System.map), as hw-arm64's board.test-helpers.ts has it. */
export const SWAPPER_PG_DIR = 0x4185f000;
/** The fake page allocator's frames: 0x48000000–0x7f000000, clear of the image (0x40200000–0x42210000) and of memblock's top-down boot tables (0x7fdfd000–0x80000000). */
export const FAKE_BASE_PFN = 0x48000;
export const FAKE_PAGES = 0x37000;

/**
 * core's FakePageAllocator hands out fresh PFNs and never reuses them; this one reuses freed
 * blocks of the same order (LIFO, as a per-CPU list would), so long runs do not run dry.
 */
export class RecyclingPageAllocator extends FakePageAllocator {
  private readonly freed = new Map<number, number[]>();
  override allocPages(gfp: number, order: number): number {
    const list = this.freed.get(order);
    if (list !== undefined && list.length > 0 && this.failAfter > 0) {
      this.failAfter--;
      const pfn = list.pop()!;
      this.live.set(pfn, order);
      for (let p = pfn; p < pfn + 2 ** order; p++) this.mem.refcount[this.mem.pfnToPage(p)] = 1;
      return pfn;
    }
    return super.allocPages(gfp, order);
  }
  override freePages(pfn: number, order: number): number {
    const err = super.freePages(pfn, order);
    if (err === 0) {
      const list = this.freed.get(order) ?? [];
      list.push(pfn);
      this.freed.set(order, list);
    }
    return err;
  }
}
/** Device windows of QEMU virt that tests ioremap (PCIe MMIO below 4 GiB, high PCIe MMIO at 512 GiB). */
export const DEVICE_WINDOWS: readonly (readonly [number, number])[] = [
  [0x10000000, 0x3eff0000],
  [0x8000000000, 0x10000000000],
];

/** Everything a test needs: the tables, the allocators, the vmalloc service and what was flushed. */
export interface Arm64Rig {
  readonly layout: Arm64Layout;
  readonly store: PgtableStore;
  readonly fake: RecyclingPageAllocator;
  readonly alloc: PgtableAllocator;
  readonly pt: Arm64VmapPageTables;
  readonly vm: Vmalloc;
  /** Every flush_tlb_kernel_range(start, end), in order. */
  readonly flushes: [Va, Va][];
  readonly out: WalkOut;
  /** walk(store, swapper_pg_dir, va, access, out). */
  walkK(va: Va, access?: number): number;
  /** validatePgtables over swapper_pg_dir (throws with every problem) and the vmalloc structures. */
  check(step?: string): void;
}

/**
 * 1 GiB board (RAM 0x40000000–0x80000000), paging_init with the reference image, the
 * image's five vm areas, vmalloc_init; page and table frames from a FakePageAllocator.
 */
export function arm64Rig(vaBits = 48): Arm64Rig {
  const layout = arm64Layout({ vaBits, dramStart: RAM_BASE, kernelPhys: IMAGE._text });
  const store = new PgtableStore({ basePfn: RAM_BASE / 4096, nrPages: SZ_1G / 4096, vaBits });
  const memory = [{ base: RAM_BASE, size: SZ_1G }];
  let top = RAM_BASE + SZ_1G;
  hwPagingInit({
    layout, store, memory, image: IMAGE, swapperPgDir: SWAPPER_PG_DIR,
    earlyAlloc: (size, align) => (top = Math.floor((top - size) / align) * align),
  });
  const fake = new RecyclingPageAllocator(FAKE_BASE_PFN, FAKE_PAGES);
  const alloc = new PgtableAllocator(store, fake, fake.mem);
  const flushes: [Va, Va][] = [];
  const pt = new Arm64VmapPageTables(store, alloc, (start, end) => void flushes.push([start, end]));
  const L = arm64VmallocLayout(vaBits);
  const vm = new Vmalloc(
    {
      vmallocStart: L.vmallocStart, vmallocEnd: L.vmallocEnd, modulesVaddr: L.modulesVaddr, modulesEnd: L.modulesEnd, nrCpus: 2,
      totalramPages: () => 250258, pfnIsMapMemory: (pfn) => pfn >= RAM_BASE / 4096 && pfn < (RAM_BASE + SZ_1G) / 4096,
    },
    fake, pt, new KernelLog(), new SimClock(),
  );
  // map_kernel()'s five vm_area_add_early() calls, at this VA_BITS' KIMAGE_VADDR
  const seg = (start: number, end: number, flags: number): void => {
    vm.vmAreaAddEarly(L.kimageVaddr + (start - IMAGE._text), end - start + ((flags & VM_NO_GUARD) === 0 ? 4096 : 0), VM_MAP | flags, start, "paging_init");
  };
  seg(IMAGE._stext, IMAGE._etext, VM_NO_GUARD);
  seg(IMAGE.__start_rodata, IMAGE.__inittext_begin, VM_NO_GUARD);
  seg(IMAGE.__inittext_begin, IMAGE.__inittext_end, VM_NO_GUARD);
  seg(IMAGE.__initdata_begin, IMAGE.__initdata_end, VM_NO_GUARD);
  seg(IMAGE._data, IMAGE._end, 0);
  vm.vmallocInit();
  const out = new WalkOut();
  const inFake = (pfn: number) => pfn >= FAKE_BASE_PFN && pfn < FAKE_BASE_PFN + FAKE_PAGES;
  const isLiveFrame = (pfn: number): boolean => {
    if (inFake(pfn)) return fake.mem.refcount[fake.mem.pfnToPage(pfn)]! > 0;
    const pa = pfn * 4096;
    if (pa >= RAM_BASE && pa < RAM_BASE + SZ_1G) return true; // the image, the fixmap's FDT
    return DEVICE_WINDOWS.some(([s, e]) => pa >= s && pa < e);
  };
  return {
    layout, store, fake, alloc, pt, vm, flushes, out,
    walkK: (va, access = ACCESS_READ) => walk(store, store.swapperPgDir, va, access, out),
    check(step?: string) {
      expectValid({
        validate(sink: ValidationSink) {
          validatePgtables(store, { roots: [{ pgd: store.swapperPgDir, kernel: true, name: "swapper_pg_dir" }], memory, layout, isLiveFrame }, sink);
        },
      }, step);
      expectValid(vm, step);
    },
  };
}
