// mmsim: shared setup for vmalloc's tests — the reference board's layout, paging_init's kernel areas, fakes
import {
  KernelLog, type KmemCacheAllocator, type KmemCacheGeometry, type KmemCacheStats, NIL_OBJECT, SimClock, SlabCommon,
  type ValidationSink,
} from "@mmsim/core";
import { FakePageAllocator, expectValid } from "@mmsim/core/testing";
import { Vmalloc, arm64VmallocLayout, VM_MAP, VM_NO_GUARD } from "./index.ts";
import type { VmallocConfig } from "./layout.ts";
import { FakeVmapPageTables } from "./testing/index.ts";

/** 6.1 arm64, 4K pages, VA_BITS 48. */
export const LAYOUT = arm64VmallocLayout(48);
export const VMALLOC_START = LAYOUT.vmallocStart;
export const VMALLOC_END = LAYOUT.vmallocEnd;
export const SZ_4K = 4096;

/** The reference build's image (packages/machine board file; nokaslr: _text at KIMAGE_VADDR). */
export const IMAGE = {
  _text: 0x40200000,
  _stext: 0x40210000,
  _etext: 0x40f00000,
  __start_rodata: 0x40f00000,
  __inittext_begin: 0x41860000,
  __inittext_end: 0x41940000,
  __initdata_begin: 0x41940000,
  __initdata_end: 0x41eb0000,
  _data: 0x41eb0000,
  _end: 0x42210000,
} as const;

/** The kernel-image virtual address of a physical image address. */
export function kimg(phys: number): number {
  return LAYOUT.kimageVaddr + (phys - IMAGE._text);
}

/**
 * paging_init() → map_kernel(): the five map_kernel_segment() calls of 6.1 (arch/arm64/mm/mmu.c),
 * each vm_area_add_early(VM_MAP | vm_flags) with the caller the reference capture shows.
 */
export function pagingInit(vm: Vmalloc): void {
  const seg = (start: number, end: number, flags: number, caller: string): void => {
    let size = end - start;
    if ((flags & VM_NO_GUARD) === 0) size += SZ_4K;
    vm.vmAreaAddEarly(kimg(start), size, VM_MAP | flags, start, caller);
  };
  seg(IMAGE._stext, IMAGE._etext, VM_NO_GUARD, "paging_init+0x130/0x610");
  seg(IMAGE.__start_rodata, IMAGE.__inittext_begin, VM_NO_GUARD, "paging_init+0x170/0x610");
  seg(IMAGE.__inittext_begin, IMAGE.__inittext_end, VM_NO_GUARD, "paging_init+0x19c/0x610");
  seg(IMAGE.__initdata_begin, IMAGE.__initdata_end, VM_NO_GUARD, "paging_init+0x1cc/0x610");
  seg(IMAGE._data, IMAGE._end, 0, "paging_init+0x1f8/0x610");
}

/**
 * A minimal KmemCacheAllocator: objects are handed out from a bump pointer per cache and
 * counted, enough to see vmalloc's metadata in /proc/slabinfo-like counters.
 */
export class CountingSlab implements KmemCacheAllocator {
  readonly name = "counting";
  private readonly sizes: number[] = [];
  readonly active: number[] = [];
  private readonly owner = new Map<number, number>();
  private next = 0x50000000;
  failAll = false;
  /** Outcomes of the next allocations, consumed one per call: true = fail. */
  failPattern: boolean[] = [];

  kmemCacheCreate(_name: string, size: number): number {
    this.sizes.push(size);
    this.active.push(0);
    return this.sizes.length - 1;
  }
  kmemCacheAlloc(cacheId: number): number {
    if (this.failAll) return NIL_OBJECT;
    if (this.failPattern.length > 0 && this.failPattern.shift() === true) return NIL_OBJECT;
    const obj = this.next;
    this.next += Math.max(8, this.sizes[cacheId]!);
    this.owner.set(obj, cacheId);
    this.active[cacheId]!++;
    return obj;
  }
  kmemCacheFree(cacheId: number, obj: number): void {
    if (this.owner.get(obj) !== cacheId) throw new Error(`CountingSlab: object ${obj} freed to cache ${cacheId}, not its own`);
    this.owner.delete(obj);
    this.active[cacheId]!--;
  }
  kmemCacheShrink(): number {
    return 0;
  }
  kmemCacheDestroy(): number {
    return 0;
  }
  objectCache(obj: number): number {
    return this.owner.get(obj) ?? -1;
  }
  geometry(cacheId: number): KmemCacheGeometry {
    const size = this.sizes[cacheId]!;
    return { objectSize: size, size, align: 8, objsPerSlab: 1, order: 0, flags: 0 };
  }
  stats(cacheId: number): KmemCacheStats {
    const n = this.active[cacheId]!;
    return { activeObjs: n, numObjs: n, activeSlabs: n, numSlabs: n, partialSlabs: 0, limit: 0, batchcount: 0, sharedfactor: 0, sharedAvail: 0 };
  }
  slabPages(): number {
    return 0;
  }
  validate(_sink: ValidationSink): void {}
}

/** A vmalloc service with fakes around it. */
export interface Rig {
  readonly vm: Vmalloc;
  readonly pages: FakePageAllocator;
  readonly pt: FakeVmapPageTables;
  readonly log: KernelLog;
  readonly clock: SimClock;
  readonly slab: SlabCommon | undefined;
  readonly counting: CountingSlab | undefined;
}

/** Options of makeRig(). */
export interface RigOptions {
  readonly nrCpus?: number;
  /** Pages in the fake page allocator (default 65536). */
  readonly nrPages?: number;
  /** Attach a SlabCommon over CountingSlab (default true). */
  readonly slab?: boolean;
  /** Register the kernel image areas before vmallocInit (default true). */
  readonly pagingInit?: boolean;
  /** Run vmallocInit (default true). */
  readonly init?: boolean;
  readonly config?: Partial<VmallocConfig>;
  /** The page allocator to use (default: a FakePageAllocator of nrPages). */
  readonly pages?: FakePageAllocator;
}

/** Builds the reference board's vmalloc over fakes: paging_init's areas, vmalloc_init. */
export function makeRig(o: RigOptions = {}): Rig {
  const pages = o.pages ?? new FakePageAllocator(0x40000, o.nrPages ?? 65536);
  const pt = new FakeVmapPageTables();
  const log = new KernelLog();
  const clock = new SimClock();
  const vm = new Vmalloc(
    {
      vmallocStart: VMALLOC_START,
      vmallocEnd: VMALLOC_END,
      modulesVaddr: LAYOUT.modulesVaddr,
      modulesEnd: LAYOUT.modulesEnd,
      nrCpus: o.nrCpus ?? 2,
      totalramPages: () => 250258,
      ...o.config,
    },
    pages,
    pt,
    log,
    clock,
  );
  let slab: SlabCommon | undefined;
  let counting: CountingSlab | undefined;
  if (o.slab ?? true) {
    counting = new CountingSlab();
    slab = new SlabCommon(counting, pages, log);
    slab.createKmallocCaches();
  }
  if (o.pagingInit ?? true) pagingInit(vm);
  if (o.init ?? true) vm.vmallocInit(slab);
  return { vm, pages, pt, log, clock, slab, counting };
}

/** The log lines since `from`, without timestamps. */
export function logLines(log: KernelLog, from = 0): string[] {
  return log.all().slice(from).map((r) => r.text);
}

/** Checks the vmalloc structures (throws with every problem found). */
export function check(r: Rig, step?: string): void {
  expectValid(r.vm, step);
}

/** Asserts every page of the area at addr is mapped to the vm_struct's PFNs. */
export function mappedPfns(r: Rig, addr: number, nr: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < nr; i++) out.push(r.pt.pfnAt(addr + i * SZ_4K));
  return out;
}

/** A FakePageAllocator whose allocations above order 0 can be made to fail. */
export class OrderFailingPageAllocator extends FakePageAllocator {
  failHighOrder = false;
  override allocPages(gfp: number, order: number): number {
    if (this.failHighOrder && order > 0) return -1;
    return super.allocPages(gfp, order);
  }
}
