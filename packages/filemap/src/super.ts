// Kernel: fs/super.c (alloc_super, sget_fc for nodev filesystems, get_anon_bdev, free_anon_bdev, kill_anon_super, kill_litter_super, iterate_supers) (v6.1) — superblocks of filesystems without a device
/*
 * tmpfs, ramfs and the char-device filesystem have no block device: each superblock gets an
 * anonymous device number 0:n, n the lowest free minor from 1 (unnamed_dev_ida). The internal
 * shmem mount is made first (shm_mnt, 0:1) and rootfs second (0:2), as the capture board shows
 * (/dev/zero mappings on 00:01, the initramfs' files on 00:02).
 */
import { ENOMEM } from "@mmsim/core";
import { type FileSystemType, SuperBlock } from "./fs.ts";
import { dDelete, evict } from "./inode.ts";
import type { Vfs } from "./vfs.ts";

/** Minors of anonymous devices: 1 .. (1 << MINORBITS) − 1. Kernel: `get_anon_bdev()`. @returns the minor, or -ENOMEM */
export function getAnonBdev(vfs: Vfs): number {
  for (let n = 1; n < 1 << 20; n++) {
    if (!vfs.anonDevs.has(n)) {
      vfs.anonDevs.add(n);
      return n;
    }
  }
  return -ENOMEM;
}

/** Kernel: `free_anon_bdev()`. */
export function freeAnonBdev(vfs: Vfs, minor: number): void {
  vfs.anonDevs.delete(minor);
}

/**
 * A new superblock of a filesystem without a device, on a fresh anonymous device. Kernel:
 * `sget_fc()` + `set_anon_super_fc()` (alloc_super).
 * @returns the superblock, or -ENOMEM
 */
export function sgetAnon(vfs: Vfs, type: FileSystemType, flags: number): SuperBlock | number {
  const minor = getAnonBdev(vfs);
  if (minor < 0) return minor;
  const sb = new SuperBlock(type, [0, minor], flags);
  vfs.superBlocks.push(sb);
  return sb;
}

/**
 * Tears a superblock down when its last mount goes: every dentry is unlinked (kill_litter_super's
 * d_genocide: the pinned dentries of tmpfs and ramfs), the inodes left are evicted, the device
 * number freed. Kernel: `kill_litter_super()` → `kill_anon_super()` → `generic_shutdown_super()`.
 */
export function killLitterSuper(vfs: Vfs, sb: SuperBlock): void {
  const root = sb.sRoot;
  if (root !== null) {
    const genocide = (d: (typeof root)): void => {
      for (const c of [...d.dChildren.values()]) {
        genocide(c);
        const inode = c.dInode;
        if (inode !== null) inode.iNlink = 0;
        dDelete(vfs, c);
      }
    };
    genocide(root);
  }
  for (const inode of [...sb.sInodes]) evict(vfs, inode);
  sb.sOp?.putSuper?.(sb);
  const i = vfs.superBlocks.indexOf(sb);
  if (i >= 0) vfs.superBlocks.splice(i, 1);
  freeAnonBdev(vfs, sb.sDev[1]);
}
