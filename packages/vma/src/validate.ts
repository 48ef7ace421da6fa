// Kernel: mm/mmap.c (validate_mm, validate_mm_mt under CONFIG_DEBUG_VM_MAPLE_TREE) (v6.1) — the invariants of an mm's VMAs and counters
/*
 * validateMm(mm, sink) checks, and reports to the sink (never throws):
 *   - the tree (MapleTree.validate when the tree is one): ordered, non-overlapping, pivots;
 *   - map_count equals the number of VMAs (validate_mm's "map_count %d vma iterator %d");
 *   - each VMA is page aligned, below TASK_SIZE, and its vm_page_prot is vm_get_page_prot(vm_flags);
 *   - merged wherever 6.1 merges: no two adjacent VMAs that vma_merge would join (same flags,
 *     file, name, contiguous page offsets, compatible anon_vmas) — except across start_brk (brk
 *     only extends a VMA that ends above start_brk: the heap never merges into the bss below it)
 *     and where the caller says 6.1 leaves them apart (MREMAP_DONTUNMAP's emptied VMA, whose
 *     VM_LOCKED is cleared without a merge: `checkMerged: false`);
 *   - total_vm, data_vm, exec_vm, stack_vm and locked_vm equal the sums over the VMAs
 *     (vm_stat_account's classes; VM_LOCKED VMAs for locked_vm).
 */
import { PAGE_SIZE, type ValidationSink } from "@mmsim/core";
import { vmGetPageProt } from "@mmsim/hw-arm64";
import { isDataMapping, isExecMapping, isStackMapping } from "./mm-util.ts";
import type { MmStruct } from "./mm-types.ts";
import { VM_LOCKED } from "./vm-flags.ts";
import { canVmaMergeAfter, isMergeableAnonVma } from "./vma-merge.ts";
import { MapleTree, hex } from "./vma-tree.ts";
import { VM_SPECIAL } from "./mm-util.ts";

/** Options for validateMm. */
export interface ValidateMmOptions {
  /** Check that no two adjacent VMAs are mergeable (default true). */
  readonly checkMerged?: boolean;
}

/** Checks an mm's VMAs and counters (see the header). */
export function validateMm(mm: MmStruct, sink: ValidationSink, opts: ValidateMmOptions = {}): void {
  const where = `mm ${mm.id}`;
  if (mm.mt instanceof MapleTree) mm.mt.validate(sink, `${where} mm_mt`);
  let count = 0;
  let total = 0;
  let data = 0;
  let exec = 0;
  let stack = 0;
  let locked = 0;
  let prev = null as import("./mm-types.ts").VmAreaStruct | null;
  for (const v of mm.mt) {
    count++;
    const r = `${where} vma [${hex(v.vmStart)}, ${hex(v.vmEnd)})`;
    if (v.vmStart % PAGE_SIZE !== 0 || v.vmEnd % PAGE_SIZE !== 0) sink.report(r, "not page aligned");
    if (v.vmStart >= v.vmEnd) sink.report(r, "empty or inverted");
    if (mm.taskSize !== 0 && v.vmEnd > mm.taskSize) sink.report(r, `ends above TASK_SIZE ${hex(mm.taskSize)}`);
    if (v.vmMm !== mm) sink.report(r, "vm_mm is another mm");
    const want = vmGetPageProt(v.vmFlags);
    if (v.vmPageProt.lo !== want.lo || v.vmPageProt.hi !== want.hi) sink.report(r, `vm_page_prot is not vm_get_page_prot(vm_flags ${hex(v.vmFlags >>> 0)})`);
    if (prev !== null) {
      if (prev.vmEnd > v.vmStart) sink.report(r, `overlaps the VMA before, ending ${hex(prev.vmEnd)}`);
      if (opts.checkMerged !== false && prev.vmEnd === v.vmStart && v.vmStart !== mm.startBrk && (v.vmFlags & VM_SPECIAL) === 0
        && canVmaMergeAfter(prev, v.vmFlags, v.anonVma, v.vmFile, v.vmPgoff, v.anonName) && isMergeableAnonVma(prev.anonVma, v.anonVma, null)) {
        sink.report(r, `could merge with the VMA before [${hex(prev.vmStart)}, ${hex(prev.vmEnd)}) (same flags ${hex(v.vmFlags >>> 0)}, contiguous pgoff): 6.1 would have merged them`);
      }
    }
    const n = v.pages();
    total += n;
    if (isExecMapping(v.vmFlags)) exec += n;
    else if (isStackMapping(v.vmFlags)) stack += n;
    else if (isDataMapping(v.vmFlags)) data += n;
    if ((v.vmFlags & VM_LOCKED) !== 0) locked += n;
    prev = v;
  }
  if (count !== mm.mapCount) sink.report(where, `map_count ${mm.mapCount} ≠ ${count} VMAs in the tree`);
  if (count !== mm.mt.size) sink.report(where, `mm_mt.size ${mm.mt.size} ≠ ${count} VMAs iterated`);
  const check = (name: string, have: number, want: number) => {
    if (have !== want) sink.report(where, `${name} ${have} ≠ ${want} pages summed over the VMAs`);
  };
  check("total_vm", mm.totalVm, total);
  check("data_vm", mm.dataVm, data);
  check("exec_vm", mm.execVm, exec);
  check("stack_vm", mm.stackVm, stack);
  check("locked_vm", mm.lockedVm, locked);
}
