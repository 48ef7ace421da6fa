// mmsim: a small machine for the fault and rmap tests — a booted buddy allocator, the arm64 page tables, rmap, MmMemory, @mmsim/vma's MapleTree and MmapContext, and VMAs/mms/tasks built by hand from the contract types
import { VmStat, pfnDown, type ValidationSink } from "@mmsim/core";
import { CollectingSink } from "@mmsim/core/testing";
import { createBuddyAllocator, type BuddyAllocator } from "@mmsim/buddy";
import { PgtableAllocator, PgtableStore, vmGetPageProt } from "@mmsim/hw-arm64";
import { Rmap } from "@mmsim/rmap";
import {
  FileMappings, MapleTree, MmStruct, MmapContext, buddyAcctMemoryInfo, TaskStruct, VM_ACCESS_FLAGS, VM_GROWSDOWN, VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE,
  VmAreaStruct, type VmFile,
} from "@mmsim/vma";
import { Arm64Fault } from "./fault-arm64.ts";
import { MmMemory } from "./memory.ts";
import { validateMms } from "./validate.ts";

export const RAM = 0x40000000;
export const MiB = 1024 * 1024;
/** The "kernel image": reserved at the start of RAM; empty_zero_page is one of its frames. */
export const IMAGE: [number, number] = [RAM, RAM + 4 * MiB];
export const ZERO_PFN = pfnDown(RAM + 0x300000);
/** Anonymous private read-write: VM_READ|VM_WRITE|VM_MAYREAD|VM_MAYWRITE|VM_MAYEXEC. */
export const ANON_RW = 0x3 | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;

/** The test machine. */
export class Rig {
  readonly vmstat: VmStat;
  readonly buddy: BuddyAllocator;
  readonly store: PgtableStore;
  readonly alloc: PgtableAllocator;
  readonly rmap: Rmap;
  readonly m: MmMemory;
  readonly f: Arm64Fault;
  /** The mm syscalls' context (expand_stack's limits and commit charge). */
  readonly ctx: MmapContext;
  /** The machine's address_spaces by id (FILE_MAPPINGS), for rmap_walk_file. */
  readonly fileMappings = new FileMappings();
  readonly mms: MmStruct[] = [];
  readonly tasks: TaskStruct[] = [];
  /** flush_tlb_range calls. */
  flushes = 0;
  private nextId = 1;

  constructor(ramBytes = 256 * MiB) {
    // The zone limits the machine's arm64 zone_sizes_init gives RAM below 4 GiB: DMA and DMA32 end at max_pfn.
    const maxPfn = pfnDown(RAM + ramBytes);
    this.vmstat = new VmStat(1);
    this.buddy = createBuddyAllocator({
      nrCpus: 2, nodes: [{ nid: 0, ranges: [[pfnDown(RAM), pfnDown(RAM + ramBytes)]] }], maxZonePfn: [maxPfn, maxPfn, maxPfn, 0],
      reserved: [IMAGE], vmstat: this.vmstat, deferredStructPageInit: false,
    });
    const mem = this.buddy.state.mem;
    this.store = new PgtableStore({ basePfn: mem.basePfn, nrPages: mem.nrPages });
    this.alloc = new PgtableAllocator(this.store, this.buddy, mem);
    const flush = () => {
      this.flushes++;
    };
    this.rmap = new Rmap({ mem, store: this.store, pages: this.buddy, vmstat: this.vmstat, flushTlbRange: flush, fileMappings: this.fileMappings });
    this.m = new MmMemory({ mem, alloc: this.alloc, pages: this.buddy, vmstat: this.vmstat, rmap: this.rmap, flushTlbRange: flush, zeroPfn: ZERO_PFN });
    this.ctx = new MmapContext(this.m, this.rmap, buddyAcctMemoryInfo(this.buddy, this.vmstat));
    this.f = new Arm64Fault(this.m, this.ctx);
  }

  get mem() {
    return this.buddy.state.mem;
  }

  /** A new process: mm with a pgd, one task. */
  task(parent: TaskStruct | null = null): TaskStruct {
    const id = this.nextId++;
    const mm = new MmStruct(id, new MapleTree());
    mm.taskSize = 2 ** 48;
    mm.pgtables = null;
    this.m.pgtablesOf(mm);
    const t = new TaskStruct(100 + id, parent, mm, "t" + id);
    this.mms.push(mm);
    this.tasks.push(t);
    return t;
  }

  /** An anonymous VMA [start, start+len) with the given VM_* flags (vm_pgoff = start >> PAGE_SHIFT, as mmap_region sets it). */
  vma(t: TaskStruct, start: number, len: number, flags = ANON_RW): VmAreaStruct {
    const mm = t.mm!;
    const v = new VmAreaStruct(mm, start, start + len, flags, vmGetPageProt(flags & 0xf), start / 4096);
    mm.mt.insert(v);
    mm.mapCount++;
    return v;
  }

  /**
   * A VMA of `file` [start, start+len) at file page `pgoff` with the given VM_* flags: on the
   * file's i_mmap, its vm_ops set by the file's mmap (mmap_region's __vma_link_file + call_mmap).
   */
  fileVma(t: TaskStruct, start: number, len: number, flags: number, file: VmFile, pgoff = 0): VmAreaStruct {
    const mm = t.mm!;
    const v = new VmAreaStruct(mm, start, start + len, flags, vmGetPageProt(flags & 0xf), pgoff);
    v.vmFile = file;
    file.mapping?.iMmap.add(v);
    if (file.mmap !== undefined && file.mmap(v) !== 0) throw new Error("f_op->mmap refused");
    mm.mt.insert(v);
    mm.mapCount++;
    return v;
  }

  /** munmap of a whole VMA: unmap_region, then remove_vma's unlink_file_vma. */
  munmap(t: TaskStruct, v: VmAreaStruct): void {
    const mm = t.mm!;
    mm.mt.remove(v);
    mm.mapCount--;
    // the neighbours bound free_pgtables (floor: prev's end, ceiling: next's start)
    let prev: VmAreaStruct | null = null;
    let next: VmAreaStruct | null = null;
    for (const o of mm.mt) {
      if (o.vmEnd <= v.vmStart && (prev === null || o.vmEnd > prev.vmEnd)) prev = o;
      if (o.vmStart >= v.vmEnd && (next === null || o.vmStart < next.vmStart)) next = o;
    }
    this.m.unmapRegion(mm, [v], v.vmStart, v.vmEnd, prev, next);
    v.vmFile?.mapping?.iMmap.delete(v);
  }

  /** A stack VMA (VM_GROWSDOWN). */
  stack(t: TaskStruct, start: number, len: number): VmAreaStruct {
    return this.vma(t, start, len, ANON_RW | VM_GROWSDOWN);
  }

  /** dup_mmap's page-table and anon_vma part for every VMA of parent: a new task whose VMAs copy the parent's. */
  fork(parent: TaskStruct): TaskStruct {
    const child = this.task(parent);
    for (const pv of parent.mm!.mt) {
      const v = new VmAreaStruct(child.mm!, pv.vmStart, pv.vmEnd, pv.vmFlags, pv.vmPageProt, pv.vmPgoff);
      child.mm!.mt.insert(v);
      v.vmFile = pv.vmFile;
      v.vmOps = pv.vmOps;
      v.vmFile?.mapping?.iMmap.add(v); // vmaLinkFile
      v.anonVma = pv.anonVma;
      if (this.rmap.anonVmaFork(v, pv) !== 0) throw new Error("anon_vma_fork failed");
      if (this.m.copyPageRange(v, pv) !== 0) throw new Error("copy_page_range failed");
    }
    return child;
  }

  /** exit: exit_mmap, the task's cache folded. */
  exit(t: TaskStruct): void {
    const mm = t.mm!;
    this.m.exitMmap(mm);
    for (const v of [...mm.mt]) {
      mm.mt.remove(v);
      v.vmFile?.mapping?.iMmap.delete(v);
    }
    t.rssStat.fill(0);
    t.mm = null;
    this.mms.splice(this.mms.indexOf(mm), 1);
    this.tasks.splice(this.tasks.indexOf(t), 1);
  }

  /** validate(): the fault package's invariants over every live mm, plus the buddy allocator's. */
  check(step = ""): void {
    const sink = new CollectingSink();
    validateMms(this.m, this.mms, this.tasks, sink);
    this.buddy.validate(sink as ValidationSink);
    if (!sink.ok) throw new Error(`validate() after ${step}:\n${sink.toString()}`);
  }

  /** Pages of the buddy allocator in use (for leak checks). */
  get nrFree(): number {
    return this.vmstat.zoneVmStat.reduce((s, _v, i) => (i % 11 === 0 ? s + this.vmstat.zoneVmStat[i]! : s), 0);
  }
}

export { VM_ACCESS_FLAGS };
