// Kernel: mm/swapfile.c (v6.1) — try_to_unuse's walk of every mm (unuse_mm → unuse_vma → unuse_pte_range → unuse_pte), as swapoff calls it
/*
 * swapoff brings every page of a device back into memory before the device goes: shmem's
 * entries first (shmem_unuse, @mmsim/filemap), then the swap PTEs of every process. The page
 * tables belong to @mmsim/fault, which comes after swap in the order of mechanisms, so the
 * process side registers core's SwapUnuse and the swap module sets Swap.unuse to it and swapoff calls it.
 */

/** The anonymous-memory side of try_to_unuse (core's `SwapUnuse`, implemented by @mmsim/fault: MmMemory.swap.unuseMms). */
export type { SwapUnuse } from "@mmsim/core";
