// mmsim: test doubles for the task code: MmPageOps / AnonVmaOps that do the page work simply (anonymous pages only) and record every call
import { NIL_PFN, PAGE_SIZE, Prandom } from "@mmsim/core";
import { FakePageAllocator } from "@mmsim/core/testing";
import {
  NULL_ENTRY, PgtableAllocator, PgtableStore, PteVal, freePgdRange, getLockedPte, mmFreePgd, pfnPte, pgdOffsetPgd, pmdOffset,
  pteClear, pteMkdirty, pteMkwrite, pteMkyoung, ptePfn, ptePresent, pteOffsetKernel, pteWrprotect, pudOffset, setPte,
} from "@mmsim/hw-arm64";
import type { ExecEnv } from "./exec.ts";
import type { AnonVmaOps, MmPageOps } from "./mm-ops.ts";
import { type AnonVma, MM_ANONPAGES, type MmStruct, type VmAreaStruct } from "./mm-types.ts";
import { MmapContext } from "./mmap-context.ts";
import { FakeAcctInfo } from "./vma.test-helpers.ts";
import { MapleTree } from "./vma-tree.ts";
import { VM_SHARED, VM_WRITE } from "./vm-flags.ts";

/** anon_vma objects as rmap would make them (ids from 1), recording the calls. */
export class FakeAnonVmaOps implements AnonVmaOps {
  readonly calls: string[] = [];
  private nextId = 1;
  private make(root?: AnonVma): AnonVma {
    const id = this.nextId++;
    const av: { id: number; root: AnonVma } = { id, root: root ?? (null as unknown as AnonVma) };
    if (!root) av.root = av;
    return av;
  }
  anonVmaClone(dst: VmAreaStruct, src: VmAreaStruct): number {
    this.calls.push("clone");
    for (const c of src.anonVmaChain) dst.anonVmaChain.push({ vma: dst, anonVma: c.anonVma });
    return 0;
  }
  anonVmaFork(vma: VmAreaStruct, pvma: VmAreaStruct): number {
    this.calls.push(`fork 0x${vma.vmStart.toString(16)}`);
    vma.anonVma = null;
    if (pvma.anonVma === null) return 0;
    this.anonVmaClone(vma, pvma);
    const av = this.make(pvma.anonVma.root);
    vma.anonVma = av;
    vma.anonVmaChain.push({ vma, anonVma: av });
    return 0;
  }
  unlinkAnonVmas(vma: VmAreaStruct): void {
    this.calls.push(`unlink 0x${vma.vmStart.toString(16)}`);
    vma.anonVmaChain.length = 0;
    vma.anonVma = null;
  }
  anonVmaPrepare(vma: VmAreaStruct): number {
    if (vma.anonVma === null) {
      const av = this.make();
      vma.anonVma = av;
      vma.anonVmaChain.push({ vma, anonVma: av });
    }
    return 0;
  }
}

/**
 * The page side done simply: populate maps zeroed anonymous pages (young, dirty, writable when
 * asked), copyPageRange shares private pages write-protected (mapcount and refcount raised),
 * exitMmap drops every page and table, movePageTables moves PTEs one by one. File-backed VMAs
 * get no pages. Every call is recorded.
 */
export class FakeMmPageOps implements MmPageOps {
  readonly calls: string[] = [];
  private readonly pte = new PteVal();
  constructor(
    readonly alloc: PgtableAllocator,
    readonly pages: FakePageAllocator,
    readonly anon: FakeAnonVmaOps,
  ) {}

  /** The PTE entry for va, or NULL_ENTRY when a level is missing. */
  ptep(mm: MmStruct, va: number): number {
    const store = this.alloc.store;
    if (mm.pgtables === null) return NULL_ENTRY;
    const pudp = pudOffset(store, pgdOffsetPgd(store, mm.pgtables.pgd, va), va);
    if (pudp === NULL_ENTRY) return NULL_ENTRY;
    const pmdp = pmdOffset(store, pudp, va);
    if (pmdp === NULL_ENTRY) return NULL_ENTRY;
    return pteOffsetKernel(store, pmdp, va);
  }

  unmapRegion(): void {
    this.calls.push("unmapRegion");
  }
  zapPageRange(): void {
    this.calls.push("zapPageRange");
  }
  changeProtection(vma: VmAreaStruct, start: number, end: number): number {
    this.calls.push(`changeProtection 0x${start.toString(16)}-0x${end.toString(16)}`);
    void vma;
    return 0;
  }
  movePageTables(oldVma: VmAreaStruct, oldAddr: number, newVma: VmAreaStruct, newAddr: number, len: number): number {
    this.calls.push(`movePageTables 0x${oldAddr.toString(16)} -> 0x${newAddr.toString(16)} ${len}`);
    const mm = oldVma.vmMm;
    const store = this.alloc.store;
    for (let off = 0; off < len; off += PAGE_SIZE) {
      const from = this.ptep(mm, oldAddr + off);
      if (from === NULL_ENTRY) continue;
      const lo = store.readLo(from);
      const hi = store.readHi(from);
      if (lo === 0 && hi === 0) continue;
      const to = getLockedPte(this.alloc, newVma.vmMm.pgtables!, newAddr + off);
      if (to === NULL_ENTRY) return off;
      pteClear(store, from);
      setPte(store, to, lo, hi);
    }
    return len;
  }
  copyPageRange(dst: VmAreaStruct, src: VmAreaStruct): number {
    this.calls.push(`copyPageRange 0x${src.vmStart.toString(16)}`);
    const store = this.alloc.store;
    const mem = this.pages.mem;
    const cow = (src.vmFlags & (VM_SHARED | VM_WRITE)) === VM_WRITE;
    for (let va = src.vmStart; va < src.vmEnd; va += PAGE_SIZE) {
      const sp = this.ptep(src.vmMm, va);
      if (sp === NULL_ENTRY) continue;
      let lo = store.readLo(sp);
      let hi = store.readHi(sp);
      if (!ptePresent(lo, hi)) continue;
      if (cow) {
        const p = pteWrprotect(this.pte.set(lo, hi));
        lo = p.lo;
        hi = p.hi;
        setPte(store, sp, lo, hi);
      }
      const dp = getLockedPte(this.alloc, dst.vmMm.pgtables!, va);
      if (dp === NULL_ENTRY) return -12;
      setPte(store, dp, lo, hi);
      const page = mem.pfnToPage(ptePfn(lo, hi));
      mem.mapcount[page]!++;
      mem.refcount[page]!++;
      dst.vmMm.rssStat[MM_ANONPAGES]!++;
    }
    return 0;
  }
  populate(vma: VmAreaStruct, start: number, end: number, write: boolean): number {
    this.calls.push(`populate 0x${start.toString(16)}-0x${end.toString(16)}`);
    if (!vma.isAnonymous()) return 0;
    if (this.anon.anonVmaPrepare(vma) !== 0) return -12;
    const store = this.alloc.store;
    const mem = this.pages.mem;
    const mm = vma.vmMm;
    for (let va = start; va < end; va += PAGE_SIZE) {
      const ptep = getLockedPte(this.alloc, mm.pgtables!, va);
      if (ptep === NULL_ENTRY) return -12;
      if (store.readLo(ptep) !== 0 || store.readHi(ptep) !== 0) continue;
      const pfn = this.pages.allocPages(0, 0);
      if (pfn === NIL_PFN) return -12;
      const page = mem.pfnToPage(pfn);
      mem.mapcount[page] = 0;
      mem.mapping[page] = -vma.anonVma!.id;
      mem.index[page] = va / PAGE_SIZE;
      let p = pteMkyoung(pfnPte(pfn, vma.vmPageProt, this.pte));
      if (write) p = pteMkdirty(pteMkwrite(p));
      setPte(store, ptep, p.lo, p.hi);
      mm.rssStat[MM_ANONPAGES]!++;
    }
    return 0;
  }
  exitMmap(mm: MmStruct): void {
    this.calls.push(`exitMmap ${mm.id}`);
    const store = this.alloc.store;
    const mem = this.pages.mem;
    for (const vma of mm.mt) {
      // free_pgtables() unlinks each VMA from its anon_vmas (6.1's mm/memory.c).
      if (vma.anonVma !== null || vma.anonVmaChain.length !== 0) this.anon.unlinkAnonVmas(vma);
      for (let va = vma.vmStart; va < vma.vmEnd; va += PAGE_SIZE) {
        const ptep = this.ptep(mm, va);
        if (ptep === NULL_ENTRY) continue;
        const lo = store.readLo(ptep);
        const hi = store.readHi(ptep);
        if (!ptePresent(lo, hi)) continue;
        const pfn = ptePfn(lo, hi);
        const page = mem.pfnToPage(pfn);
        mem.mapcount[page]!--;
        if (--mem.refcount[page]! === 0) {
          mem.mapping[page] = 0;
          this.pages.live.delete(pfn);
        }
        pteClear(store, ptep);
        mm.rssStat[MM_ANONPAGES]!--;
      }
    }
    if (mm.pgtables !== null) {
      freePgdRange(this.alloc, mm.pgtables, 0, 2 ** store.vaBits, 0, 0);
      mmFreePgd(this.alloc, mm.pgtables);
    }
  }
}

/** A machine's worth of doubles: tables in a 256 MiB fake RAM, the fake ops, a seeded RNG. */
export function makeTaskEnv(seed = 42) {
  const pages = new FakePageAllocator(0x40000, 65536);
  const store = new PgtableStore({ basePfn: 0x40000, nrPages: 65536, vaBits: 48 });
  const alloc = new PgtableAllocator(store, pages, pages.mem);
  const anonOps = new FakeAnonVmaOps();
  const pageOps = new FakeMmPageOps(alloc, pages, anonOps);
  const ctx = new MmapContext(pageOps, anonOps, new FakeAcctInfo());
  // The commit charges land in the context's VmOvercommit (vm_committed_as).
  const committed = {
    get pages(): number {
      return ctx.overcommit.committedAs;
    },
  };
  const env: ExecEnv = {
    pgtableAlloc: alloc,
    mmap: ctx,
    newVmaTree: () => new MapleTree(),
    rng: new Prandom(seed),
    taskSize: 2 ** 48,
  };
  return { env, ctx, pages, store, alloc, anonOps, pageOps, committed };
}
