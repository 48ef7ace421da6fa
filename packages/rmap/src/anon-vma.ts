// Kernel: mm/rmap.c (anon_vma_alloc, __anon_vma_prepare, anon_vma_clone, anon_vma_fork, unlink_anon_vmas, put_anon_vma), include/linux/rmap.h (struct anon_vma, struct anon_vma_chain), mm/mmap.c (find_mergeable_anon_vma, reusable_anon_vma, anon_vma_compatible) (v6.1) — the anon_vma hierarchy
/*
 * An anon_vma collects the VMAs an anonymous page may be mapped in. Each VMA is linked to every
 * anon_vma its pages may belong to by an anon_vma_chain (avc), which sits on two lists: the
 * VMA's `anon_vma_chain` (newest first, as list_add puts it) and the anon_vma's `rb_root`
 * interval tree.
 *
 * The anon_vma's "interval tree" here: an unordered array of avcs (`AnonVmaStruct.chains`, O(1)
 * insert and remove by a stored slot), queried by scanning and testing each avc's VMA range
 * against the page offset. The kernel keys its tree by the VMA's [vm_pgoff, vm_pgoff +
 * vma_pages - 1] and has to re-key it around every vma_adjust
 * (anon_vma_interval_tree_pre/post_update_vma); @mmsim/vma changes vm_start, vm_end and vm_pgoff
 * in place and the contract has no such hook, so a structure that reads the VMA's current range
 * at query time is the one that stays right. An anon_vma holds the VMAs of one fork tree at one
 * place (a few to a few hundred), so the scan is short.
 *
 * 6.1 counts (commit "mm/rmap: Fix anon_vma->degree ambiguity leading to double-reuse", in 6.1):
 * `num_children` (child anon_vmas, plus 1 for a root's self-parent link) and `num_active_vmas`
 * (VMAs whose vma->anon_vma is this one); `refcount` (the root is pinned by each descendant).
 */
import { MmBugError } from "@mmsim/core";
import { type AnonVma, type AnonVmaChain, type VmAreaStruct, VM_ACCESS_FLAGS, VM_SOFTDIRTY } from "@mmsim/vma";

/** Kernel: `struct anon_vma`. */
export class AnonVmaStruct implements AnonVma {
  root: AnonVmaStruct;
  /** Parent of this anon_vma (itself for a root). Kernel: `anon_vma->parent`. */
  parent: AnonVmaStruct;
  /** Kernel: `anon_vma->refcount`. */
  refcount = 1;
  /** Kernel: `anon_vma->num_children`. */
  numChildren = 0;
  /** Kernel: `anon_vma->num_active_vmas`. */
  numActiveVmas = 0;
  /** The avcs of this anon_vma (the kernel's rb_root interval tree; see the file comment). */
  readonly chains: AnonVmaChainStruct[] = [];
  /** False once freed (anon_vma_free). */
  live = true;

  constructor(readonly id: number) {
    this.root = this;
    this.parent = this;
  }
}

/** Kernel: `struct anon_vma_chain`. */
export class AnonVmaChainStruct implements AnonVmaChain {
  /** Slot in anonVma.chains, -1 when not in the tree. */
  slot = -1;
  constructor(
    readonly vma: VmAreaStruct,
    readonly anonVma: AnonVmaStruct,
  ) {}
}

/** The anon_vmas of one machine, by id (mem map `mapping` = -id for an anonymous page). */
export class AnonVmaTable {
  private readonly byId: (AnonVmaStruct | null)[] = [null];
  private readonly freeIds: number[] = [];
  /** Live anon_vma objects (the anon_vma slab cache's active objects). */
  nrAnonVmas = 0;
  /** Live anon_vma_chain objects (the anon_vma_chain slab cache's active objects). */
  nrChains = 0;

  /** The anon_vma with this id, or null. */
  get(id: number): AnonVmaStruct | null {
    return id > 0 && id < this.byId.length ? this.byId[id]! : null;
  }

  /** Every live anon_vma (for validation). */
  *all(): IterableIterator<AnonVmaStruct> {
    for (const a of this.byId) if (a !== null) yield a;
  }

  /** Kernel: `anon_vma_alloc()`: refcount 1, its own root and parent. */
  alloc(): AnonVmaStruct {
    const id = this.freeIds.length > 0 ? this.freeIds.pop()! : this.byId.length;
    const a = new AnonVmaStruct(id);
    if (id === this.byId.length) this.byId.push(a);
    else this.byId[id] = a;
    this.nrAnonVmas++;
    return a;
  }

  /** Kernel: `anon_vma_free()`. */
  free(a: AnonVmaStruct): void {
    if (!a.live) throw new MmBugError("rmap.anonVmaFree", `anon_vma ${a.id} freed twice`);
    if (a.chains.length !== 0) throw new MmBugError("rmap.anonVmaFree", `anon_vma ${a.id} freed with ${a.chains.length} chains in its tree`);
    a.live = false;
    this.byId[a.id] = null;
    this.freeIds.push(a.id);
    this.nrAnonVmas--;
  }

  /** Kernel: `put_anon_vma()` → `__put_anon_vma()`: the last reference frees it, then drops the root's. */
  put(a: AnonVmaStruct): void {
    if (--a.refcount > 0) return;
    const root = a.root;
    this.free(a);
    if (root !== a && --root.refcount === 0) this.free(root);
  }

  /** Kernel: `get_anon_vma()`. */
  getAnonVma(a: AnonVmaStruct): void {
    a.refcount++;
  }

  /** Kernel: `anon_vma_chain_link()`: onto the VMA's list (head) and into the anon_vma's tree. */
  chainLink(vma: VmAreaStruct, anonVma: AnonVmaStruct): AnonVmaChainStruct {
    const avc = new AnonVmaChainStruct(vma, anonVma);
    (vma.anonVmaChain as AnonVmaChain[]).unshift(avc);
    avc.slot = anonVma.chains.length;
    anonVma.chains.push(avc);
    this.nrChains++;
    return avc;
  }

  /** Kernel: `anon_vma_interval_tree_remove()`. */
  treeRemove(avc: AnonVmaChainStruct): void {
    const chains = avc.anonVma.chains;
    const last = chains.pop()!;
    if (last !== avc) {
      chains[avc.slot] = last;
      last.slot = avc.slot;
    }
    avc.slot = -1;
  }
}

/**
 * Two neighbouring VMAs whose pages could share one anon_vma. Kernel: `anon_vma_compatible()`
 * (mpol_equal is true: no NUMA policies here).
 */
export function anonVmaCompatible(a: VmAreaStruct, b: VmAreaStruct): boolean {
  return a.vmEnd === b.vmStart && a.vmFile === b.vmFile && ((a.vmFlags ^ b.vmFlags) & ~(VM_ACCESS_FLAGS | VM_SOFTDIRTY)) === 0 &&
    b.vmPgoff === a.vmPgoff + (b.vmStart - a.vmStart) / 4096;
}

/** Kernel: `reusable_anon_vma()`: old's anon_vma if old is linked to it alone. */
function reusableAnonVma(old: VmAreaStruct, a: VmAreaStruct, b: VmAreaStruct): AnonVmaStruct | null {
  if (anonVmaCompatible(a, b)) {
    const anonVma = old.anonVma as AnonVmaStruct | null;
    if (anonVma !== null && old.anonVmaChain.length === 1) return anonVma;
  }
  return null;
}

/** Kernel: `find_mergeable_anon_vma()` (mm/mmap.c): the next VMA's, else the previous VMA's. */
export function findMergeableAnonVma(vma: VmAreaStruct): AnonVmaStruct | null {
  const mt = vma.vmMm.mt;
  const next = mt.next(vma);
  let anonVma: AnonVmaStruct | null = null;
  if (next !== null) anonVma = reusableAnonVma(next, vma, next);
  if (anonVma !== null) return anonVma;
  const prev = mt.prev(vma);
  if (prev !== null) anonVma = reusableAnonVma(prev, prev, vma);
  return anonVma;
}
