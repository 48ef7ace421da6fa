// Kernel: include/linux/mm.h (VM_* flags), include/uapi/asm-generic/mman-common.h (PROT_*, MAP_*, MADV_*) (v6.1) — the flag words of a VMA and of the syscalls
/*
 * vm_flags is an unsigned long in the kernel; mmsim keeps the low 32 bits (the architecture's
 * high bits, VM_MTE and VM_MTE_ALLOWED, are not modelled: the reference CPU has no MTE). Test a
 * flag with `(flags & VM_X) !== 0`: VM_MERGEABLE is bit 31, so `flags & VM_MERGEABLE` is negative.
 */

export const VM_NONE = 0x00000000;
export const VM_READ = 0x00000001;
export const VM_WRITE = 0x00000002;
export const VM_EXEC = 0x00000004;
export const VM_SHARED = 0x00000008;
export const VM_MAYREAD = 0x00000010;
export const VM_MAYWRITE = 0x00000020;
export const VM_MAYEXEC = 0x00000040;
export const VM_MAYSHARE = 0x00000080;
export const VM_GROWSDOWN = 0x00000100;
export const VM_UFFD_MISSING = 0x00000200;
export const VM_PFNMAP = 0x00000400;
export const VM_UFFD_WP = 0x00001000;
export const VM_LOCKED = 0x00002000;
export const VM_IO = 0x00004000;
export const VM_SEQ_READ = 0x00008000;
export const VM_RAND_READ = 0x00010000;
export const VM_DONTCOPY = 0x00020000;
export const VM_DONTEXPAND = 0x00040000;
export const VM_LOCKONFAULT = 0x00080000;
export const VM_ACCOUNT = 0x00100000;
export const VM_NORESERVE = 0x00200000;
export const VM_HUGETLB = 0x00400000;
export const VM_SYNC = 0x00800000;
/** VM_ARCH_1: VM_ARM64_BTI on arm64. */
export const VM_ARCH_1 = 0x01000000;
export const VM_WIPEONFORK = 0x02000000;
export const VM_DONTDUMP = 0x04000000;
/** 0 on arm64 6.1 (no CONFIG_MEM_SOFT_DIRTY). */
export const VM_SOFTDIRTY = 0;
export const VM_MIXEDMAP = 0x10000000;
export const VM_HUGEPAGE = 0x20000000;
export const VM_NOHUGEPAGE = 0x40000000;
export const VM_MERGEABLE = 0x80000000 | 0;

export const VM_STACK = VM_GROWSDOWN;
export const VM_LOCKED_MASK = VM_LOCKED | VM_LOCKONFAULT;
/** Flags that differ between two VMAs without preventing a merge. Kernel: `VM_SOFTDIRTY` in is_mergeable_vma(). */
export const VM_ACCESS_FLAGS = VM_READ | VM_WRITE | VM_EXEC;

// PROT_* (mman-common.h)
export const PROT_NONE = 0x0;
export const PROT_READ = 0x1;
export const PROT_WRITE = 0x2;
export const PROT_EXEC = 0x4;
export const PROT_GROWSDOWN = 0x01000000;
export const PROT_GROWSUP = 0x02000000;

// MAP_* (mman-common.h, mman.h)
export const MAP_SHARED = 0x01;
export const MAP_PRIVATE = 0x02;
export const MAP_SHARED_VALIDATE = 0x03;
export const MAP_TYPE = 0x0f;
export const MAP_FIXED = 0x10;
export const MAP_ANONYMOUS = 0x20;
export const MAP_GROWSDOWN = 0x0100;
export const MAP_DENYWRITE = 0x0800;
export const MAP_EXECUTABLE = 0x1000;
export const MAP_LOCKED = 0x2000;
export const MAP_NORESERVE = 0x4000;
export const MAP_POPULATE = 0x008000;
export const MAP_NONBLOCK = 0x010000;
export const MAP_STACK = 0x020000;
export const MAP_HUGETLB = 0x040000;
export const MAP_SYNC = 0x080000;
export const MAP_FIXED_NOREPLACE = 0x100000;

// mremap flags (mman.h)
export const MREMAP_MAYMOVE = 1;
export const MREMAP_FIXED = 2;
export const MREMAP_DONTUNMAP = 4;

// mlock2 / mlockall (mman-common.h)
export const MLOCK_ONFAULT = 0x01;
export const MCL_CURRENT = 1;
export const MCL_FUTURE = 2;
export const MCL_ONFAULT = 4;

// MADV_* (mman-common.h)
export const MADV_NORMAL = 0;
export const MADV_RANDOM = 1;
export const MADV_SEQUENTIAL = 2;
export const MADV_WILLNEED = 3;
export const MADV_DONTNEED = 4;
export const MADV_FREE = 8;
export const MADV_REMOVE = 9;
export const MADV_DONTFORK = 10;
export const MADV_DOFORK = 11;
export const MADV_MERGEABLE = 12;
export const MADV_UNMERGEABLE = 13;
export const MADV_HUGEPAGE = 14;
export const MADV_NOHUGEPAGE = 15;
export const MADV_DONTDUMP = 16;
export const MADV_DODUMP = 17;
export const MADV_WIPEONFORK = 18;
export const MADV_KEEPONFORK = 19;
export const MADV_COLD = 20;
export const MADV_PAGEOUT = 21;
export const MADV_POPULATE_READ = 22;
export const MADV_POPULATE_WRITE = 23;
export const MADV_DONTNEED_LOCKED = 24;
export const MADV_COLLAPSE = 25;

/** The bits protection_map is indexed by: VM_READ | VM_WRITE | VM_EXEC | VM_SHARED. Kernel: `vm_get_page_prot()`'s index. */
export function vmGetPageProtFlags(vmFlags: number): number {
  return vmFlags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED);
}
