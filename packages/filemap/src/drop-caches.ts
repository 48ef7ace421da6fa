// Kernel: fs/drop_caches.c (drop_caches_sysctl_handler, drop_pagecache_sb), fs/super.c (iterate_supers), mm/vmscan.c (drop_slab) (v6.1) — vm.drop_caches
/*
 * Writing 1 drops the clean, unmapped page cache of every superblock (invalidate_mapping_pages
 * over each inode with pages), counting drop_pagecache; an inode left unused without pages joins
 * its superblock's inode LRU. 2 drops reclaimable slab objects: drop_slab runs every shrinker
 * (the disk superblocks' unused dentries and inodes, super.ts) at priority 0, counting
 * drop_slab (nothing is freed without a reclaim module, which owns the shrinker list); 3 does
 * both, page cache first (so the inodes it emptied go too); 4 silences the message from then on. tmpfs and ramfs pages are dirty from their
 * first write and stay, as in the kernel (a clean shmem page, a hole a fault read, goes). Each
 * write logs `<comm> (<pid>): drop_caches: <value>` until silenced.
 */
import { DROP_PAGECACHE, DROP_SLAB, KERN_INFO } from "@mmsim/core";
import { I_FREEING, type SuperBlock } from "./fs.ts";
import { ihold, iput } from "./inode.ts";
import { invalidateMappingPages } from "./truncate.ts";
import type { Vfs } from "./vfs.ts";

/** Invalidates the unused page cache of one superblock's inodes. Kernel: `drop_pagecache_sb()`. @returns pages dropped */
export function dropPagecacheSb(vfs: Vfs, sb: SuperBlock, onInode?: (dropped: number) => void): number {
  let n = 0;
  for (const inode of [...sb.sInodes]) {
    if ((inode.iState & I_FREEING) !== 0 || inode.iMapping.iPages.empty()) continue;
    ihold(inode);
    const d = invalidateMappingPages(vfs, inode.iMapping, 0, -1);
    n += d;
    onInode?.(d);
    iput(vfs, inode);
  }
  // a clean shmem page dropped behind shmem's back: its blocks come back at the next recalc
  return n;
}

/**
 * A write to vm.drop_caches (1..4). Kernel: `drop_caches_sysctl_handler()`.
 * @returns 0
 */
export function dropCachesSysctlHandler(vfs: Vfs, value: number): number {
  vfs.dropCaches = value;
  vfs.disk?.reap(); // I/O that completed by now unlocks its pages first
  if ((value & 1) !== 0) {
    for (const sb of [...vfs.superBlocks]) dropPagecacheSb(vfs, sb);
    vfs.vmstat.countVmEvent(DROP_PAGECACHE);
  }
  if ((value & 2) !== 0) {
    vfs.shrinkers?.dropSlab(); // drop_slab(): the superblocks' dentry and inode caches
    vfs.vmstat.countVmEvent(DROP_SLAB);
  }
  if (!vfs.dropCachesQuiet) {
    const t = vfs.current();
    vfs.log?.printk(KERN_INFO, `${t.comm} (${t.pid}): drop_caches: ${value}`);
  }
  if ((value & 4) !== 0) vfs.dropCachesQuiet = true;
  return 0;
}
