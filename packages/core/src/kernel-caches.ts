// Kernel: fs/dcache.c, fs/inode.c, kernel/fork.c, mm/mmap.c, mm/rmap.c, kernel/pid.c, fs/file_table.c, fs/buffer.c, lib/radix-tree.c, net/core/skbuff.c (v6.1) — caches a workload can create by name
/*
 * Real kernel caches with the flags their kmem_cache_create() call passes in 6.1, and the size
 * /proc/slabinfo shows for them on the reference board (tests/conformance/fixtures/
 * linux-6.1-arm64/virt-1g-2cpu/proc_slabinfo, `<objsize>` = s->size), used as the object size.
 * `usercopy` marks caches created with a usercopy region (kmem_cache_create_usercopy /
 * KMEM_CACHE_USERCOPY), which slab_common never merges; `ctor` those with a constructor.
 */
import {
  SLAB_ACCOUNT, SLAB_HWCACHE_ALIGN, SLAB_MEM_SPREAD, SLAB_PANIC, SLAB_RECLAIM_ACCOUNT, SLAB_TYPESAFE_BY_RCU,
} from "./policies/kmem-cache-allocator.ts";

/** One named kernel cache. */
export interface KernelCache {
  readonly size: number;
  readonly align: number;
  readonly flags: number;
  readonly usercopy: boolean;
  readonly ctor: boolean;
}

const A = SLAB_PANIC | SLAB_ACCOUNT;
const R = SLAB_RECLAIM_ACCOUNT | SLAB_PANIC | SLAB_MEM_SPREAD;

/** name → cache, as 6.1 creates it. */
export const KERNEL_CACHES: Readonly<Record<string, KernelCache>> = {
  dentry: { size: 192, align: 8, flags: R | SLAB_ACCOUNT, usercopy: true, ctor: false },
  inode_cache: { size: 640, align: 8, flags: R | SLAB_ACCOUNT, usercopy: false, ctor: true },
  // shmem_init_inodecache: SLAB_PANIC | SLAB_ACCOUNT, shmem_init_inode (784 on the capture board)
  shmem_inode_cache: { size: 784, align: 8, flags: A, usercopy: false, ctor: true },
  // ext4's init_inodecache (ext2 images are mounted by ext4: CONFIG_EXT4_USE_FOR_EXT2); 1192 in a
  // capture of the disk board (tests/conformance/fixtures/shrink/linux-6.1-arm64/dcache-shrink: 13 per order-2 slab)
  ext4_inode_cache: { size: 1192, align: 8, flags: R | SLAB_ACCOUNT, usercopy: false, ctor: true },
  task_struct: { size: 4160, align: 64, flags: A, usercopy: true, ctor: false },
  mm_struct: { size: 960, align: 64, flags: SLAB_HWCACHE_ALIGN | A, usercopy: true, ctor: false },
  vm_area_struct: { size: 152, align: 8, flags: A, usercopy: false, ctor: false },
  anon_vma: { size: 104, align: 8, flags: SLAB_TYPESAFE_BY_RCU | A, usercopy: false, ctor: true },
  anon_vma_chain: { size: 64, align: 8, flags: A, usercopy: false, ctor: false },
  pid: { size: 128, align: 8, flags: SLAB_HWCACHE_ALIGN | A, usercopy: false, ctor: false },
  filp: { size: 256, align: 8, flags: SLAB_HWCACHE_ALIGN | A, usercopy: false, ctor: false },
  files_cache: { size: 704, align: 8, flags: SLAB_HWCACHE_ALIGN | A, usercopy: false, ctor: false },
  signal_cache: { size: 1152, align: 8, flags: SLAB_HWCACHE_ALIGN | A, usercopy: false, ctor: false },
  sighand_cache: { size: 2112, align: 8, flags: SLAB_HWCACHE_ALIGN | SLAB_TYPESAFE_BY_RCU | A, usercopy: false, ctor: true },
  cred_jar: { size: 192, align: 8, flags: SLAB_HWCACHE_ALIGN | A, usercopy: false, ctor: false },
  buffer_head: { size: 104, align: 8, flags: R, usercopy: false, ctor: false },
  radix_tree_node: { size: 584, align: 8, flags: SLAB_PANIC | SLAB_RECLAIM_ACCOUNT, usercopy: false, ctor: true },
  names_cache: { size: 4096, align: 8, flags: SLAB_HWCACHE_ALIGN | SLAB_PANIC, usercopy: true, ctor: false },
  skbuff_head_cache: { size: 256, align: 8, flags: SLAB_HWCACHE_ALIGN | SLAB_PANIC, usercopy: true, ctor: false },
};
