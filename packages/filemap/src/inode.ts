// Kernel: fs/inode.c (get_next_ino, new_inode, alloc_inode, inode_init_always, ihold, iput, iput_final, evict, destroy_inode, generic_drop_inode, __inode_add_lru, inode_add_lru, inode_lru_list_del, inode_lru_isolate, prune_icache_sb, dispose_list, clear_nlink, drop_nlink, inc_nlink), include/linux/pagemap.h (mapping_shrinkable), fs/dcache.c (d_alloc, d_instantiate, d_delete, d_make_root), fs/file_table.c (alloc_file, get_file, fput, __fput) (v6.1) — inodes, dentries and struct file references
/*
 * Lifetimes:
 *   - an inode is referenced by the dentry linking it (one: no hard links) and by each open
 *     struct file (the kernel's file holds its dentry, which holds the inode; mmsim's file holds
 *     both); when the last reference goes:
 *       · with no link left it is evicted: the filesystem's evict_inode frees its pages
 *         (truncate_inode_pages_final) and blocks, its mapping leaves FileMappings, its object
 *         goes back to its slab cache;
 *       · with links, on a disk filesystem (a superblock with a shrinker), it stays cached: on
 *         the superblock's inode LRU once it has no page cache (__inode_add_lru: mapping_shrinkable;
 *         reclaim or invalidation that empties its mapping puts it there later), where
 *         prune_icache_sb finds it (dcache.ts, super.ts);
 *   - a dentry: dcache.ts;
 *   - a struct file is referenced by fds (several after fork or dup), by VMAs (get_file at mmap,
 *     split, fork) and by calls in flight; __fput at the last one calls f_op->release and drops
 *     the inode and dentry references.
 * So an unlinked file lives on while it is open or mapped, as in the kernel ("(deleted)" in maps).
 *
 * Objects: an inode made after the machine booted (vfsCachesInit) is an object of its
 * filesystem's inode cache (SuperBlock.sInodeCache: shmem_inode_cache, ext4_inode_cache,
 * inode_cache), freed at evict (the kernel frees after an RCU grace period).
 */
import { GFP_KERNEL, KSWAPD_INODESTEAL, MmBugError, NIL_OBJECT, PGINODESTEAL, type ShrinkControl, debugVm } from "@mmsim/core";
import {
  type AddressSpace, type AddressSpaceOperations, Dentry, File, type FileOperations, I_FREEING, I_REFERENCED, Inode,
  type InodeOperations, type Path, type SuperBlock,
} from "./fs.ts";
import { dAllocDentry, dInstantiateDentry, dput, vfsCacheId } from "./dcache.ts";
import { invalidateMappingPages } from "./truncate.ts";
import { folioMarkDirty } from "./page-writeback.ts";
import { folioMarkAccessed } from "./swap.ts";
import { truncateInodePagesFinal } from "./truncate.ts";
import { XA_MAX_INDEX } from "./xarray.ts";
import type { Vfs } from "./vfs.ts";

/** get_next_ino's per-CPU batch. Kernel: `LAST_INO_BATCH`. */
export const LAST_INO_BATCH = 1024;

/**
 * A new inode number for a filesystem without its own numbering (ramfs, the char devices):
 * per-CPU batches of LAST_INO_BATCH from one shared counter, never 0. Kernel: `get_next_ino()`.
 */
export function getNextIno(vfs: Vfs, cpu: number): number {
  let res = vfs.lastInoCpu.get(cpu) ?? 0;
  if ((res & (LAST_INO_BATCH - 1)) === 0) {
    vfs.sharedLastIno += LAST_INO_BATCH;
    res = vfs.sharedLastIno - LAST_INO_BATCH;
  }
  res++;
  if (res === 0) res++;
  vfs.lastInoCpu.set(cpu, res);
  return res;
}

/**
 * A new inode of `sb` with one reference (the caller's, which d_instantiate hands to a dentry),
 * its address_space registered in the machine's FileMappings. Kernel: `new_inode()` +
 * `inode_init_always()`.
 */
export function newInode(vfs: Vfs, sb: SuperBlock, ino: number, mode: number, aOps: AddressSpaceOperations, iOp: InodeOperations, iFop: FileOperations): Inode {
  const inode = new Inode(sb, ino, mode, vfs.mappings.allocId(), aOps, iOp, iFop);
  inode.iCount = 1;
  // alloc_inode: s_op->alloc_inode's cache, GFP_KERNEL. mmsim: an allocation that fails leaves
  // the inode without an object (the kernel's new_inode returns NULL; its callers' -ENOMEM paths
  // are not modelled)
  if (vfs.slab !== null) {
    const id = vfsCacheId(vfs, sb.sInodeCache);
    const obj = id < 0 ? NIL_OBJECT : vfs.slab.allocator.kmemCacheAlloc(id, GFP_KERNEL, vfs.current().cpu);
    if (obj !== NIL_OBJECT) {
      inode.iObj = obj;
      inode.iCacheId = id;
    }
  }
  vfs.nrInodes++;
  sb.sInodes.add(inode);
  const mapping = inode.iMapping;
  mapping.dirtyFolio = (page) => folioMarkDirty(vfs, mapping, page);
  mapping.markAccessed = (page) => folioMarkAccessed(vfs, page);
  vfs.mappings.register(mapping);
  return inode;
}

/** Takes a reference. Kernel: `ihold()` / `__iget()`. */
export function ihold(inode: Inode): void {
  inode.iCount++;
}

/**
 * Drops a reference; at the last one an inode without links is evicted. Kernel: `iput()` →
 * `iput_final()` (generic_drop_inode: !i_nlink).
 */
export function iput(vfs: Vfs, inode: Inode): void {
  if (debugVm.on && inode.iCount <= 0) throw new MmBugError("filemap.iput", `inode ${inode.iIno} of ${inode.iSb.sType.name} put with i_count ${inode.iCount}`);
  if (--inode.iCount > 0) return;
  // iput_final: generic_drop_inode drops an inode without links; a disk's inode stays cached
  if (inode.iNlink === 0) evict(vfs, inode);
  else inodeAddLruRotate(inode, true);
}

/**
 * Frees an inode: off the inode LRU, its filesystem's evict_inode (or
 * truncate_inode_pages_final), then it leaves the superblock and FileMappings and its object
 * goes back to its cache. Kernel: `evict()` + `destroy_inode()`.
 */
export function evict(vfs: Vfs, inode: Inode): void {
  inode.iState |= I_FREEING;
  inode.iSb.sInodeLru.delete(inode); // inode_lru_list_del
  const op = inode.iSb.sOp;
  if (op !== null) op.evictInode(inode);
  else truncateInodePagesFinal(vfs, inode.iMapping);
  inode.iSb.sInodes.delete(inode);
  vfs.mappings.unregister(inode.iMapping);
  destroyInode(vfs, inode);
}

/** The inode's object goes back to its cache. Kernel: `destroy_inode()` → `free_inode_nonrcu()`. */
export function destroyInode(vfs: Vfs, inode: Inode): void {
  vfs.nrInodes--;
  if (inode.iObj !== 0 && vfs.slab !== null) vfs.slab.allocator.kmemCacheFree(inode.iCacheId, inode.iObj, vfs.current().cpu);
  inode.iObj = 0;
  inode.iCacheId = -1;
}

/**
 * The mapping may go with its inode: no page cache, at most a lone shadow entry at index 0 (the
 * kernel keeps that in xa_head, out of the shadow shrinker's reach). Kernel: `mapping_shrinkable()`
 * (no CONFIG_HIGHMEM on arm64).
 */
export function mappingShrinkable(mapping: AddressSpace): boolean {
  const xa = mapping.iPages;
  if (xa.empty()) return true;
  if (mapping.nrpages !== 0) return false;
  return xa.find(0, XA_MAX_INDEX) === 0 && xa.found < 0 && xa.find(1, XA_MAX_INDEX) < 0;
}

/**
 * An unused, clean inode of a disk filesystem without page cache joins its superblock's LRU;
 * already there and `rotate`, it is marked referenced. Kernel: `__inode_add_lru()`.
 */
export function inodeAddLruRotate(inode: Inode, rotate: boolean): void {
  if ((inode.iState & I_FREEING) !== 0 || inode.iCount !== 0) return;
  const sb = inode.iSb;
  if (sb.sShrink === null) return; // SB_ACTIVE with a cache kept: the disk filesystems here
  if (!mappingShrinkable(inode.iMapping)) return;
  if (!sb.sInodeLru.has(inode)) sb.sInodeLru.add(inode);
  else if (rotate) inode.iState |= I_REFERENCED;
}

/** Its page cache emptied (reclaim, invalidation): an unused inode may join the LRU. Kernel: `inode_add_lru()` as __remove_mapping and filemap_remove_folio call it. */
export function inodeAddLru(inode: Inode): void {
  inodeAddLruRotate(inode, false);
}

/**
 * Frees up to `sc.nrToScan` unused inodes of a superblock, oldest first; one with page cache left
 * (a lone shadow entry) has it invalidated first, counted in pginodesteal (kswapd_inodesteal in
 * kswapd), and goes round again. Kernel: `prune_icache_sb()` (list_lru_shrink_walk with
 * inode_lru_isolate, dispose_list).
 * @returns the inodes taken off the LRU (freed or found in use), as list_lru counts them
 */
export function pruneIcacheSb(vfs: Vfs, sb: SuperBlock, sc: ShrinkControl): number {
  const lru = sb.sInodeLru;
  const freeable: Inode[] = [];
  let isolated = 0;
  let left = sc.nrToScan;
  let restart = true;
  while (restart) {
    restart = false;
    for (const inode of lru) {
      if (left === 0) break;
      left--;
      if (inode.iCount !== 0 || (inode.iState & ~I_REFERENCED) !== 0 || !mappingShrinkable(inode.iMapping)) {
        lru.delete(inode); // in use, dirty or repopulated: off the LRU until iput or the last page deletion
        isolated++;
        continue;
      }
      if ((inode.iState & I_REFERENCED) !== 0) {
        inode.iState &= ~I_REFERENCED;
        lru.delete(inode); // LRU_ROTATE
        lru.add(inode);
        continue;
      }
      if (!inode.iMapping.iPages.empty()) {
        // the page cache (a lone shadow entry) goes first: LRU_RETRY
        ihold(inode);
        const reap = invalidateMappingPages(vfs, inode.iMapping, 0, -1);
        vfs.vmstat.countVmEvents(sc.isKswapd ? KSWAPD_INODESTEAL : PGINODESTEAL, reap);
        sc.reclaimedPages += reap;
        iput(vfs, inode);
        restart = true;
        break;
      }
      inode.iState |= I_FREEING;
      lru.delete(inode); // list_lru_isolate_move to the dispose list
      freeable.push(inode);
      isolated++;
    }
  }
  // dispose_list
  for (const inode of freeable) {
    inode.iState &= ~I_FREEING; // evict() sets it again
    evict(vfs, inode);
  }
  return isolated;
}

/** Kernel: `inc_nlink()`. */
export function incNlink(inode: Inode): void {
  inode.iNlink++;
}
/** Kernel: `drop_nlink()`. */
export function dropNlink(inode: Inode): void {
  if (inode.iNlink > 0) inode.iNlink--;
}
/** Kernel: `clear_nlink()`. */
export function clearNlink(inode: Inode): void {
  inode.iNlink = 0;
}

/**
 * A new child dentry `name` of `parent` (not linked to an inode yet), with the caller's reference
 * (give it back with dput). Kernel: `d_alloc()`.
 * @returns the dentry, or null when its object could not be allocated (-ENOMEM)
 */
export function dAlloc(vfs: Vfs, parent: Dentry, name: string): Dentry | null {
  return dAllocDentry(vfs, parent, name);
}

/** Links a dentry to its inode (taking over the caller's inode reference) and hashes it in its parent. Kernel: `d_instantiate()` + `d_add()`. */
export function dInstantiate(dentry: Dentry, inode: Inode): void {
  dInstantiateDentry(dentry, inode);
}

/** The root dentry of a new superblock (its reference is the superblock's). Kernel: `d_make_root()`. */
export function dMakeRoot(inode: Inode): Dentry {
  const d = new Dentry("/", null, inode);
  d.dParent = d;
  d.dSb = inode.iSb;
  d.dCount = 1;
  d.dInodeHeld = true;
  return d;
}

/**
 * Unlinks a name: the dentry leaves its parent (d_path says " (deleted)" from now on), its
 * reference to the inode goes, and tmpfs' and ramfs' pin with it (simple_unlink's dput); the
 * dentry itself dies with its last reference. Kernel: `d_delete()` + the filesystem's `dput()`.
 */
export function dDelete(vfs: Vfs, dentry: Dentry): void {
  const wasHashed = !dentry.unhashed;
  if (dentry.dParent?.dChildren.get(dentry.dName) === dentry) dentry.dParent.dChildren.delete(dentry.dName);
  dentry.unhashed = true;
  const inode = dentry.dInode;
  if (inode !== null && dentry.dInodeHeld) {
    dentry.dInodeHeld = false;
    iput(vfs, inode);
  }
  if (wasHashed && dentry.dSb?.sPinDentries === true && dentry.dParent !== dentry) dput(vfs, dentry);
}

/**
 * A new struct file for an open (one reference, the fd's), holding references to the inode and
 * the dentry. Kernel: `alloc_empty_file()` + `do_dentry_open()` (path_get).
 */
export function allocFile(path: Path, inode: Inode, fMode: number, fFlags: number, pseudoName: string | null = null): File {
  ihold(inode);
  path.dentry.dCount++; // dget
  const f = new File(path, inode, fMode, fFlags, pseudoName);
  f.fPathRef = true;
  return f;
}

/** Kernel: `get_file()`. */
export function getFile(file: File): void {
  file.fCount++;
}

/**
 * Drops a reference to a file; the last one releases it (f_op->release) and its inode reference.
 * Kernel: `fput()` → `__fput()`.
 */
export function fput(vfs: Vfs, file: File): void {
  if (debugVm.on && file.fCount <= 0) throw new MmBugError("filemap.fput", `${file.path} put with f_count ${file.fCount}`);
  if (--file.fCount > 0) return;
  const inode = file.fInode;
  file.fOp.release?.(inode, file);
  iput(vfs, inode);
  if (file.fPathRef) dput(vfs, file.fPath.dentry); // path_put
}
