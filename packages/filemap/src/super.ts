// Kernel: fs/super.c (alloc_super, super_cache_count, super_cache_scan, sget_fc for nodev filesystems, get_anon_bdev, free_anon_bdev, kill_anon_super, kill_litter_super, iterate_supers) (v6.1) — superblocks of filesystems without a device
/*
 * tmpfs, ramfs and the char-device filesystem have no block device: each superblock gets an
 * anonymous device number 0:n, n the lowest free minor from 1 (unnamed_dev_ida). The internal
 * shmem mount is made first (shm_mnt, 0:1) and rootfs second (0:2), as the capture board shows
 * (/dev/zero mappings on 00:01, the initramfs' files on 00:02).
 */
import { DEFAULT_SEEKS, ENOMEM, SHRINK_EMPTY, SHRINK_STOP, type ShrinkControl, type Shrinker, __GFP_FS } from "@mmsim/core";
import { type FileSystemType, SuperBlock } from "./fs.ts";
import { dentryLruCount, pruneDcacheSb } from "./dcache.ts";
import { dDelete, evict, pruneIcacheSb } from "./inode.ts";
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

/** Objects per super_cache_scan call. Kernel: alloc_super's `s_shrink.batch = 1024`. */
export const SUPER_SHRINK_BATCH = 1024;

/** x × n / d without overflow, rounding down. Kernel: `mult_frac()`. */
function multFrac(x: number, n: number, d: number): number {
  const q = Math.floor(x / d);
  const r = x % d;
  return q * n + Math.floor((r * n) / d);
}

/**
 * The superblock's shrinker: its unused dentries and inodes, counted scaled by
 * vm.vfs_cache_pressure (0: never shrunk; 100: as many as there are; 200: twice), and freed
 * dentries first (they pin the inodes), the scan split between the two LRUs in proportion to
 * their sizes, at least one of each. Kernel: `super_cache_count()`, `super_cache_scan()`
 * (alloc_super: seeks DEFAULT_SEEKS, batch 1024). Not modelled: nr_cached_objects (no
 * filesystem here has a cache of its own), trylock_super (nothing holds s_umount while reclaim
 * runs), per-node LRUs (one list per superblock: the shrinker is not NUMA aware here).
 */
export function superShrinker(vfs: Vfs, sb: SuperBlock): Shrinker {
  return {
    name: `sb-${sb.sType.name}`,
    seeks: DEFAULT_SEEKS,
    batch: SUPER_SHRINK_BATCH,
    flags: 0,
    countObjects: (_sc: ShrinkControl): number => {
      const total = dentryLruCount(sb) + sb.sInodeLru.size;
      if (total === 0) return SHRINK_EMPTY;
      return multFrac(total, vfs.vfsCachePressure, 100); // vfs_pressure_ratio
    },
    scanObjects: (sc: ShrinkControl): number => {
      if ((sc.gfpMask & __GFP_FS) === 0) return SHRINK_STOP; // deadlock avoidance
      const inodes = sb.sInodeLru.size;
      const dentries = dentryLruCount(sb);
      const total = dentries + inodes + 1;
      const nrToScan = sc.nrToScan;
      // prune the dcache first: the icache is pinned by it
      let freed = pruneDcacheSb(vfs, sb, multFrac(nrToScan, dentries, total) + 1);
      sc.nrToScan = multFrac(nrToScan, inodes, total) + 1;
      freed += pruneIcacheSb(vfs, sb, sc);
      return freed;
    },
  };
}

/** A disk filesystem's superblock gets its shrinker. Kernel: alloc_super's `prealloc_shrinker` + sget's `register_shrinker_prepared`. */
export function registerSuperShrinker(vfs: Vfs, sb: SuperBlock): void {
  const s = superShrinker(vfs, sb);
  sb.sShrink = s;
  vfs.shrinkers?.registerShrinker(s);
}

/** The superblock is going away: its shrinker goes first. Kernel: `generic_shutdown_super()`'s `unregister_shrinker()`. */
export function unregisterSuperShrinker(vfs: Vfs, sb: SuperBlock): void {
  const s = sb.sShrink;
  if (s === null) return;
  vfs.shrinkers?.unregisterShrinker(s);
  sb.sShrink = null;
}
