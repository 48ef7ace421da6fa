// mmsim: an example of a user's own KmemCacheAllocator, loaded from a module path (no kernel counterpart)
/*
 * The smallest allocator that keeps the KmemCacheAllocator contract: every cache takes order-0
 * slabs (or the smallest order that holds one object), objects are handed out first-fit from a
 * per-cache list of slabs, and empty slabs go back on shrink. No per-CPU caches, no partial
 * lists: a baseline to compare SLAB and SLUB against, and a template for your own policy.
 *
 * Use it in a scenario:   kernel: { policies: { slab: ./examples/first-fit-slab/first-fit-slab.mjs } }
 * The default export is an MmsimModule; it registers under core's token by its Symbol.for name.
 */
import {
  KmemCacheAllocator, MEM_MAP, NR_SLAB_RECLAIMABLE_B, NR_SLAB_UNRECLAIMABLE_B, PAGE_SIZE, PageAllocator,
  SLAB_RECLAIM_ACCOUNT, clearPageSlab, setPageSlab,
} from "@mmsim/core";
import { instanceCachingFactory } from "tsyringe";

export class FirstFitSlab {
  name = "first-fit";
  /** @param {import("@mmsim/core").PageAllocator} pages @param {import("@mmsim/core").MemMap} mem */
  constructor(pages, mem) {
    this.pages = pages;
    this.mem = mem;
    /** @type {({name:string,size:number,align:number,flags:number,ctor?:Function,order:number,per:number,slabs:{pfn:number,free:number[]}[],live:number}|undefined)[]} */
    this.caches = [];
    /** PFN of a slab's first page → cache id */
    this.owner = new Map();
  }

  kmemCacheCreate(name, size, align, flags, ctor) {
    const objSize = Math.ceil(size / align) * align;
    let order = 0;
    while (PAGE_SIZE * 2 ** order < objSize) order++;
    this.caches.push({ name, size: objSize, objectSize: size, align, flags, ctor, order, per: Math.floor((PAGE_SIZE * 2 ** order) / objSize), slabs: [], live: 0 });
    return this.caches.length - 1;
  }

  statItem(c) {
    return c.flags & SLAB_RECLAIM_ACCOUNT ? NR_SLAB_RECLAIMABLE_B : NR_SLAB_UNRECLAIMABLE_B;
  }

  kmemCacheAlloc(id, gfp, cpu, nid = -1) {
    const c = this.caches[id];
    let slab = c.slabs.find((s) => s.free.length > 0);
    if (!slab) {
      const pfn = this.pages.allocPages(gfp, c.order, cpu, nid);
      if (pfn < 0) return 0;
      for (let p = pfn; p < pfn + 2 ** c.order; p++) setPageSlab(this.mem, this.mem.pfnToPage(p));
      this.pages.modNodePageState(pfn, this.statItem(c), 2 ** c.order);
      const base = pfn * PAGE_SIZE;
      slab = { pfn, free: [] };
      for (let i = c.per - 1; i >= 0; i--) slab.free.push(base + i * c.size);
      if (c.ctor) for (const o of slab.free) c.ctor(o);
      c.slabs.push(slab);
      this.owner.set(pfn, id);
    }
    c.live++;
    return slab.free.pop();
  }

  slabOf(c, obj) {
    const pfn = Math.floor(obj / PAGE_SIZE);
    return c.slabs.find((s) => pfn >= s.pfn && pfn < s.pfn + 2 ** c.order);
  }

  kmemCacheFree(id, obj) {
    const c = this.caches[id];
    const slab = this.slabOf(c, obj);
    if (!slab || slab.free.includes(obj)) return; // not ours, or a double free: ignored (no debugging here)
    slab.free.push(obj);
    c.live--;
  }

  kmemCacheShrink(id) {
    const c = this.caches[id];
    c.slabs = c.slabs.filter((s) => {
      if (s.free.length < c.per) return true;
      for (let p = s.pfn; p < s.pfn + 2 ** c.order; p++) clearPageSlab(this.mem, this.mem.pfnToPage(p));
      this.pages.modNodePageState(s.pfn, this.statItem(c), -(2 ** c.order));
      this.owner.delete(s.pfn);
      this.pages.freePages(s.pfn, c.order, 0);
      return false;
    });
    return c.live > 0 ? 1 : 0;
  }

  kmemCacheDestroy(id) {
    const c = this.caches[id];
    if (c.live > 0) return -16; // -EBUSY
    this.kmemCacheShrink(id);
    this.caches[id] = undefined;
    return 0;
  }

  objectCache(obj) {
    const pfn = Math.floor(obj / PAGE_SIZE);
    for (const [start, id] of this.owner) {
      const c = this.caches[id];
      if (c && pfn >= start && pfn < start + 2 ** c.order) return id;
    }
    return -1;
  }

  geometry(id) {
    const c = this.caches[id];
    return { objectSize: c.objectSize, size: c.size, align: c.align, objsPerSlab: c.per, order: c.order, flags: c.flags };
  }

  stats(id) {
    const c = this.caches[id];
    const n = c.slabs.length;
    return { activeObjs: c.live, numObjs: n * c.per, activeSlabs: c.slabs.filter((s) => s.free.length < c.per).length, numSlabs: n, partialSlabs: 0, limit: 0, batchcount: 0, sharedfactor: 0, sharedAvail: 0 };
  }

  slabPages(id) {
    const c = this.caches[id];
    return c.slabs.length * 2 ** c.order;
  }

  validate(sink) {
    this.caches.forEach((c, id) => {
      if (!c) return;
      let free = 0;
      for (const s of c.slabs) {
        free += s.free.length;
        if (new Set(s.free).size !== s.free.length) sink.report(`${c.name} slab 0x${s.pfn.toString(16)}`, "an object is twice on the free list");
      }
      if (c.slabs.length * c.per - free !== c.live) sink.report(c.name, `live ${c.live} but the slabs say ${c.slabs.length * c.per - free}`);
      if (id < 0) sink.report(c.name, "bad id");
    });
  }
}

/** @type {import("@mmsim/core").MmsimModule} */
export default {
  slot: "slab",
  name: "first-fit",
  description: "a first-fit slab allocator with no per-CPU caches (an example of a user's policy)",
  register(container) {
    container.register(KmemCacheAllocator, {
      useFactory: instanceCachingFactory((c) => new FirstFitSlab(c.resolve(PageAllocator), c.resolve(MEM_MAP))),
    });
  },
};
