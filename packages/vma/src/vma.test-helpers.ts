// mmsim: fakes of MmPageOps and AnonVmaOps that record their calls, and an mm laid out as a 48-bit arm64 process, for @mmsim/vma's tests
import { CollectingSink } from "@mmsim/core/testing";
import type { AnonVma, AnonVmaChain, MmStruct, VmAreaStruct } from "./mm-types.ts";
import { MmStruct as Mm } from "./mm-types.ts";
import type { AnonVmaOps, MmPageOps } from "./mm-ops.ts";
import { MmapContext } from "./mmap-context.ts";
import type { VmAcctMemoryInfo } from "./overcommit.ts";
import { validateMm, type ValidateMmOptions } from "./validate.ts";
import { MapleTree } from "./vma-tree.ts";

export const TASK_SIZE_48 = 2 ** 48;
/** mmap_base without randomisation: TASK_SIZE − MIN_GAP (128 MiB) − the stack rlimit is below it. */
export const MMAP_BASE = TASK_SIZE_48 - 128 * 1024 * 1024;

/** One recorded call. */
export type Call = readonly [string, ...unknown[]];

const range = (v: VmAreaStruct) => `${v.vmStart.toString(16)}-${v.vmEnd.toString(16)}`;

/** MmPageOps that record what they are asked; populate returns `populateResult`. */
export class FakePageOps implements MmPageOps {
  readonly calls: Call[] = [];
  populateResult = 0;
  moveShortBy = 0;
  unmapRegion(_mm: MmStruct, vmas: readonly VmAreaStruct[], start: number, end: number, prev: VmAreaStruct | null, next: VmAreaStruct | null): void {
    this.calls.push(["unmapRegion", vmas.map(range), start, end, prev && range(prev), next && range(next)]);
  }
  zapPageRange(_vma: VmAreaStruct, start: number, end: number): void {
    this.calls.push(["zapPageRange", start, end]);
  }
  changeProtection(vma: VmAreaStruct, start: number, end: number): number {
    this.calls.push(["changeProtection", start, end, vma.vmFlags]);
    return 0;
  }
  movePageTables(_o: VmAreaStruct, oldAddr: number, _n: VmAreaStruct, newAddr: number, len: number): number {
    this.calls.push(["movePageTables", oldAddr, newAddr, len]);
    const moved = len - this.moveShortBy;
    this.moveShortBy = 0;
    return moved;
  }
  copyPageRange(): number {
    this.calls.push(["copyPageRange"]);
    return 0;
  }
  populate(_vma: VmAreaStruct, start: number, end: number, write: boolean): number {
    this.calls.push(["populate", start, end, write]);
    return this.populateResult;
  }
  mlockVmaPages(vma: VmAreaStruct, start: number, end: number, oldFlags: number): void {
    this.calls.push(["mlockVmaPages", start, end, oldFlags, vma.vmFlags]);
  }
  exitMmap(): void {
    this.calls.push(["exitMmap"]);
  }
  /** The calls named `name`. */
  named(name: string): Call[] {
    return this.calls.filter((c) => c[0] === name);
  }
}

/** AnonVmaOps keeping real anon_vma_chains (one anon_vma per prepare; clone links dst to src's). */
export class FakeAnonVmaOps implements AnonVmaOps {
  readonly calls: Call[] = [];
  private nextId = 1;
  anonVmaClone(dst: VmAreaStruct, src: VmAreaStruct): number {
    this.calls.push(["anonVmaClone", range(dst), range(src)]);
    for (const avc of src.anonVmaChain) {
      if (!dst.anonVmaChain.some((a) => a.anonVma === avc.anonVma)) (dst.anonVmaChain as AnonVmaChain[]).push({ vma: dst, anonVma: avc.anonVma });
    }
    return 0;
  }
  anonVmaFork(vma: VmAreaStruct, pvma: VmAreaStruct): number {
    this.calls.push(["anonVmaFork"]);
    this.anonVmaClone(vma, pvma);
    const av = this.make(pvma.anonVma?.root ?? null);
    vma.anonVma = av;
    (vma.anonVmaChain as AnonVmaChain[]).push({ vma, anonVma: av });
    return 0;
  }
  unlinkAnonVmas(vma: VmAreaStruct): void {
    this.calls.push(["unlinkAnonVmas", range(vma)]);
    (vma.anonVmaChain as AnonVmaChain[]).length = 0;
  }
  anonVmaPrepare(vma: VmAreaStruct): number {
    if (vma.anonVma !== null) return 0;
    this.calls.push(["anonVmaPrepare", range(vma)]);
    const av = this.make(null);
    vma.anonVma = av;
    (vma.anonVmaChain as AnonVmaChain[]).push({ vma, anonVma: av });
    return 0;
  }
  private make(root: AnonVma | null): AnonVma {
    const av: { id: number; root: AnonVma } = { id: this.nextId++, root: null as unknown as AnonVma };
    av.root = root ?? av;
    return av;
  }
}

/** 1 GiB of RAM, 900 MiB free, no swap. */
export class FakeAcctInfo implements VmAcctMemoryInfo {
  totalram = 262144;
  swap = 0;
  free = 230400;
  totalramPages(): number {
    return this.totalram;
  }
  totalSwapPages(): number {
    return this.swap;
  }
  hugetlbTotalPages(): number {
    return 0;
  }
  nrFreePages(): number {
    return this.free;
  }
}

/** A context over the fakes, and one mm laid out as a 48-bit arm64 task with its heap at 0x420000. */
export function setup(): { ctx: MmapContext; mm: MmStruct; pages: FakePageOps; anon: FakeAnonVmaOps; info: FakeAcctInfo } {
  const pages = new FakePageOps();
  const anon = new FakeAnonVmaOps();
  const info = new FakeAcctInfo();
  const ctx = new MmapContext(pages, anon, info);
  const mm = newMm(1);
  return { ctx, mm, pages, anon, info };
}

/** An empty mm (no VMAs) with the layout fields set. */
export function newMm(id: number): MmStruct {
  const mm = new Mm(id, new MapleTree());
  mm.taskSize = TASK_SIZE_48;
  mm.mmapBase = MMAP_BASE;
  mm.startCode = 0x400000;
  mm.endCode = 0x401000;
  mm.startData = 0x410000;
  mm.endData = 0x411000;
  mm.startBrk = mm.brk = 0x420000;
  return mm;
}

/** Runs validateMm and throws listing the problems. */
export function expectMmValid(mm: MmStruct, step = "", opts?: ValidateMmOptions): void {
  const sink = new CollectingSink();
  validateMm(mm, sink, opts);
  if (!sink.ok) throw new Error(`validateMm found ${sink.problems.length} problem(s)${step ? ` after ${step}` : ""}:\n${sink.toString()}`);
}

/** The mm's VMAs as "start-end flags" lines (hex), for compact assertions. */
export function layout(mm: MmStruct): string[] {
  return [...mm.mt].map((v) => `${v.vmStart.toString(16)}-${v.vmEnd.toString(16)} ${(v.vmFlags >>> 0).toString(16)}`);
}
