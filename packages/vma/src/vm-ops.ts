// Kernel: include/linux/mm.h (struct vm_operations_struct, struct vm_fault, enum fault_flag), include/linux/mm_types.h (vm_fault_t, VM_FAULT_*), include/linux/fs.h (struct address_space's i_mmap as mm sees it) (v6.1) — how a file-backed VMA's faults reach the file's code, and how rmap finds the VMAs of a file
/*
 * The files issue's contract between mm/memory.c (@mmsim/fault), mm/rmap.c (@mmsim/rmap) and
 * the page cache (mm/filemap.c, mm/shmem.c: @mmsim/filemap). It lives here, in @mmsim/vma,
 * because the VMA carries it (vma->vm_ops, vma->vm_file->f_mapping) and every later package sees
 * @mmsim/vma:
 *
 * - A file's mmap (f_op->mmap: generic_file_mmap, shmem_mmap; shmem_zero_setup for shared
 *   anonymous memory) sets `vma.vmOps`. handle_pte_fault on a VMA with vm_ops calls do_fault,
 *   which calls `vmOps.fault` (filemap_fault, shmem_fault) for the page, `vmOps.mapPages`
 *   (filemap_map_pages) for fault-around, `vmOps.pageMkwrite` (filemap_page_mkwrite) before a
 *   shared page becomes writable.
 * - filemap_map_pages sets the PTEs through do_set_pte(), which is memory.c's: the caller passes
 *   itself as `vmf.sink` (a `FaultAroundSink`), so @mmsim/filemap never imports @mmsim/fault.
 * - A file page has `mem.mapping[page]` = its address_space's id (> 0) and `mem.index[page]` its
 *   offset in pages. `FileMappings` finds the `VmFileMapping` of an id; its `iMmap` lists the
 *   VMAs that map the file (the kernel's i_mmap interval tree), which rmap_walk_file visits.
 * - @mmsim/vma keeps i_mmap: every VMA holding a file reference is in its file's mapping's
 *   iMmap (__vma_link_file when the VMA gets its reference, unlink_file_vma when remove_vma drops it).
 */
import { token } from "@mmsim/core";
import type { VmAreaStruct, VmFile } from "./mm-types.ts";

// ---------------------------------------------------------------------------------------------
// vm_fault_t (include/linux/mm_types.h) and fault flags (include/linux/mm.h)
// ---------------------------------------------------------------------------------------------

export const VM_FAULT_OOM = 0x000001;
export const VM_FAULT_SIGBUS = 0x000002;
export const VM_FAULT_MAJOR = 0x000004;
/** Gone after 6.1 (6.3); 6.1's do_wp_page still returns it. */
export const VM_FAULT_WRITE = 0x000008;
export const VM_FAULT_HWPOISON = 0x000010;
export const VM_FAULT_HWPOISON_LARGE = 0x000020;
export const VM_FAULT_SIGSEGV = 0x000040;
export const VM_FAULT_NOPAGE = 0x000100;
export const VM_FAULT_LOCKED = 0x000200;
export const VM_FAULT_RETRY = 0x000400;
export const VM_FAULT_FALLBACK = 0x000800;
export const VM_FAULT_DONE_COW = 0x001000;
export const VM_FAULT_ERROR = VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE | VM_FAULT_FALLBACK;

export const FAULT_FLAG_WRITE = 1 << 0;
export const FAULT_FLAG_MKWRITE = 1 << 1;
export const FAULT_FLAG_ALLOW_RETRY = 1 << 2;
export const FAULT_FLAG_RETRY_NOWAIT = 1 << 3;
export const FAULT_FLAG_KILLABLE = 1 << 4;
export const FAULT_FLAG_TRIED = 1 << 5;
export const FAULT_FLAG_USER = 1 << 6;
export const FAULT_FLAG_REMOTE = 1 << 7;
export const FAULT_FLAG_INSTRUCTION = 1 << 8;
export const FAULT_FLAG_INTERRUPTIBLE = 1 << 9;
export const FAULT_FLAG_UNSHARE = 1 << 10;

// ---------------------------------------------------------------------------------------------
// struct vm_fault and vm_operations_struct
// ---------------------------------------------------------------------------------------------

/**
 * What mm/memory.c lends filemap_map_pages to set PTEs: do_set_pte() for one page of the
 * page cache at `address` of `vmf.vma` (page_add_file_rmap, MM_FILEPAGES / MM_SHMEMPAGES,
 * the PTE old except for the faulting address: 6.1's `prefault` rule). The page arrives with a
 * reference the PTE keeps. Implemented by @mmsim/fault. Kernel: `do_set_pte()`.
 */
export interface FaultAroundSink {
  /**
   * Maps `page` at `address` if its PTE is still none (the pmd's table exists: the caller made
   * it). @returns true if mapped; false (the caller drops its reference) if a PTE was there.
   */
  doSetPte(vmf: VmFault, page: number, address: number): boolean;
}

/**
 * One fault, as handle_mm_fault passes it down (one per MmMemory, reused: no allocation per
 * fault). Kernel: `struct vm_fault`.
 */
export class VmFault {
  /** The faulting VMA. */
  vma: VmAreaStruct | null = null;
  /** The faulting address, page-aligned (vmf->address). */
  address = 0;
  /** The file offset of `address` in pages: linear_page_index(vma, address). */
  pgoff = 0;
  /** FAULT_FLAG_*. */
  flags = 0;
  /** Out: the page vm_ops->fault found (with a reference for the caller), or -1. Kernel: `vmf->page`. */
  page = -1;
  /** do_cow_fault's new anonymous page, or -1. Kernel: `vmf->cow_page`. */
  cowPage = -1;
  /** Where filemap_map_pages sets PTEs (memory.c's do_set_pte). */
  sink: FaultAroundSink | null = null;

  /** Fills the fields for a new fault and returns this. */
  set(vma: VmAreaStruct, address: number, flags: number): VmFault {
    this.vma = vma;
    this.address = address;
    this.pgoff = vma.vmPgoff + (address - vma.vmStart) / 4096;
    this.flags = flags;
    this.page = -1;
    this.cowPage = -1;
    return this;
  }
}

/**
 * The operations of a file-backed (or shmem) VMA, set by the file's mmap. Kernel:
 * `struct vm_operations_struct` (generic_file_vm_ops: filemap_fault, filemap_map_pages,
 * filemap_page_mkwrite; shmem_vm_ops / shmem_anon_vm_ops: shmem_fault, filemap_map_pages).
 */
export interface VmOperationsStruct {
  /**
   * Finds the page at vmf.pgoff in the page cache, reading it (with synchronous readahead,
   * I/O on the simulated clock) or allocating it (shmem) on a miss; sets `vmf.page` with a
   * reference taken. @returns 0, VM_FAULT_MAJOR when it waited for I/O, or VM_FAULT_SIGBUS
   * (beyond i_size), VM_FAULT_OOM. Kernel: `vm_ops->fault`.
   */
  fault(vmf: VmFault): number;
  /**
   * Fault-around: maps the uptodate pages already cached in [startPgoff, endPgoff] (the
   * faulting one included) through `vmf.sink.doSetPte`, without I/O. @returns VM_FAULT_NOPAGE
   * if the faulting address got its PTE, else 0. Absent: no fault-around. Kernel: `vm_ops->map_pages`.
   */
  mapPages?(vmf: VmFault, startPgoff: number, endPgoff: number): number;
  /**
   * A shared mapping's page (vmf.page) is about to become writable: the file may refuse
   * (VM_FAULT_SIGBUS past EOF after a truncate) or prepare; marks it dirty.
   * @returns 0 or VM_FAULT_* (VM_FAULT_LOCKED on success as filemap_page_mkwrite returns).
   * Absent (shmem): wp_page_shared only marks the page dirty. Kernel: `vm_ops->page_mkwrite`.
   */
  pageMkwrite?(vmf: VmFault): number;
  /**
   * After a write fault dirtied a page of a shared mapping: folio_mark_dirty (if the PTE made it
   * dirty) and balance_dirty_pages_ratelimited. Kernel: memory.c's `fault_dirty_shared_page()`'s
   * calls into mm/page-writeback.c.
   */
  dirtySharedPage(vmf: VmFault, page: number): void;
  /** The name /proc/<pid>/maps prints instead of the path, if any. Kernel: `vm_ops->name`. */
  name?(vma: VmAreaStruct): string | null;
}

// ---------------------------------------------------------------------------------------------
// The file mapping as mm sees it, and the table of mappings by id
// ---------------------------------------------------------------------------------------------

/** The part of `struct address_space` that mm/mmap.c, memory.c and rmap.c use. */
export interface VmFileMapping {
  /** The id its pages carry in `mem.mapping` (> 0). */
  readonly id: number;
  /** Every VMA mapping the file (the kernel's i_mmap interval tree; insertion order here). */
  readonly iMmap: Set<VmAreaStruct>;
  /** Shmem / tmpfs: its pages are swap-backed (PG_swapbacked), counted in MM_SHMEMPAGES. */
  readonly swapBacked: boolean;
  /** The inode's size in bytes (i_size_read): faults beyond it are SIGBUS. */
  readonly iSize: number;
  /**
   * folio_mark_dirty() of one of its pages: a_ops->dirty_folio (filemap_dirty_folio: PG_dirty,
   * NR_FILE_DIRTY, the inode on the dirty list; shmem's noop_dirty_folio: PG_dirty only).
   * mm/memory.c and mm/rmap.c call it where a dirty PTE of the page goes away (zap_pte_range,
   * try_to_unmap_one). Absent: PG_dirty is set, as noop_dirty_folio does.
   * @returns true if the page was clean before
   */
  dirtyFolio?(page: number): boolean;
  /**
   * folio_mark_accessed() (mm/swap.c) of one of its pages: zap_pte_range calls it for a young PTE
   * of a VMA without VM_SEQ_READ. Absent: PG_referenced is set (folio_mark_accessed's first step).
   */
  markAccessed?(page: number): void;
}

/**
 * The file mappings of one machine by id, for rmap_walk_file and procfs (page->mapping is a
 * pointer in the kernel; here an id). Registered by whoever creates address_spaces (@mmsim/filemap).
 */
export class FileMappings {
  private readonly byId = new Map<number, VmFileMapping>();
  private nextId = 1;

  /** A fresh id (> 0) for a new address_space. */
  allocId(): number {
    return this.nextId++;
  }
  register(mapping: VmFileMapping): void {
    this.byId.set(mapping.id, mapping);
  }
  unregister(mapping: VmFileMapping): void {
    this.byId.delete(mapping.id);
  }
  /** The mapping with `id`, or undefined. */
  get(id: number): VmFileMapping | undefined {
    return this.byId.get(id);
  }
  values(): IterableIterator<VmFileMapping> {
    return this.byId.values();
  }
}
export const FILE_MAPPINGS = token<FileMappings>("FileMappings");

/** vma's mapping, if its file has one (vma->vm_file->f_mapping). */
export function vmaFileMapping(vma: VmAreaStruct): VmFileMapping | null {
  const f: VmFile | null = vma.vmFile;
  return f !== null ? f.mapping ?? null : null;
}

/** Kernel: `linear_page_index()`. */
export function linearPageIndex(vma: VmAreaStruct, address: number): number {
  return vma.vmPgoff + (address - vma.vmStart) / 4096;
}
