// Kernel: fs/dcache.c (__d_alloc, d_alloc, dget, dput, retain_dentry, dentry_kill, __dentry_kill, d_lru_add, d_lru_del, dentry_lru_isolate, prune_dcache_sb, shrink_dentry_list, __dput_to_list, vfs_caches_init's dcache_init), mm/list_lru.c (list_lru_walk_one) (v6.1) — the dentry cache: dentries as objects of the `dentry` slab cache, kept unused on their superblock's LRU
/*
 * A dentry is referenced by whoever set it up (until it is hashed and handed over), by each
 * child (d_parent), by each open file, by a mount on it, by the pin tmpfs and ramfs give their
 * names (shmem_mknod's dget), and by a walk that calls into the filesystem below it. When the
 * last reference goes (dput):
 *   - an unhashed dentry (never instantiated, or unlinked) is killed: its inode reference is
 *     dropped (iput), its object freed, and the reference it held on its parent dropped in turn;
 *   - a hashed one stays cached, "LRU fodder": it joins its superblock's dentry LRU the first
 *     time, and is marked DCACHE_REFERENCED when it is put again while there.
 * dget does not take a dentry off the LRU: the shrinker's isolate removes the ones in use.
 *
 * prune_dcache_sb walks the LRU oldest first, nr_to_scan entries: in use → off the LRU (counted as
 * freed, as list_lru counts it); DCACHE_REFERENCED → the flag cleared and one more pass (to the
 * tail); otherwise to the dispose list, whose dentries are killed — a parent left with no
 * reference joins the list and dies too (__dput_to_list).
 *
 * Objects: every dentry made after the machine booted (vfsCachesInit) is an object of the
 * `dentry` cache (GFP_KERNEL, as d_alloc allocates), freed when killed. The kernel frees it after
 * an RCU grace period (d_free via call_rcu), so its /proc/slabinfo still counts some right after
 * a drop_caches; mmsim frees at once. Roots (d_make_root) and the pseudo dentries of
 * shmem_zero_setup stay plain objects (a mount's root lives as long as its superblock).
 *
 * Invariants (validate.ts): a dentry on an LRU has DCACHE_LRU_LIST, a hashed name in its
 * parent's children and a count ≥ 0; a killed dentry has no object.
 */
import { GFP_KERNEL, KERNEL_CACHES, MmBugError, NIL_OBJECT, type SlabCommon, debugVm } from "@mmsim/core";
import { DCACHE_LRU_LIST, DCACHE_REFERENCED, DCACHE_SHRINK_LIST, Dentry, type Inode, type SuperBlock } from "./fs.ts";
import { iput } from "./inode.ts";
import type { Vfs } from "./vfs.ts";

/** d_iname's size on 64-bit: the dentry cache's usercopy region. Kernel: `DNAME_INLINE_LEN`. */
export const DNAME_INLINE_LEN = 32;

/**
 * The slab caches of the VFS, created now that the machine has booted: from here on dentries and
 * inodes are slab objects. Kernel: `vfs_caches_init()` (dcache_init, inode_init) and each
 * filesystem's init_inodecache — created at boot in the kernel; mmsim's boot does not model the
 * thousands of objects they hold there, so they appear at the workload's first file.
 */
export function vfsCachesInit(vfs: Vfs, slab: SlabCommon): void {
  vfs.slab = slab;
}

/** The id of kernel cache `name` (created at its first use). @returns the cache id, or -1 without a slab layer */
export function vfsCacheId(vfs: Vfs, name: string): number {
  const slab = vfs.slab;
  if (slab === null) return -1;
  let c = slab.findCache(name);
  if (c === undefined) {
    const k = KERNEL_CACHES[name]!;
    c = slab.kmemCacheCreate(name, k.size, k.align, k.flags, k.ctor ? noopCtor : undefined, k.usercopy ? DNAME_INLINE_LEN : 0);
    if (c === undefined) return -1;
  }
  return c.id;
}

/** The constructors of the inode caches (inode_init_once): nothing a simulated object needs, but a ctor keeps the cache unmerged, as in the kernel. */
function noopCtor(_obj: number): void {}

/**
 * A new dentry `name` under `parent`, with one reference (the caller's) and one taken on the
 * parent; unhashed until d_instantiate. Kernel: `d_alloc()` → `__d_alloc()`.
 * @returns the dentry, or null when its object could not be allocated (-ENOMEM)
 */
export function dAllocDentry(vfs: Vfs, parent: Dentry, name: string): Dentry | null {
  dget(parent); // taken first: an allocation may reclaim, and the parent must not be pruned meanwhile
  let obj = 0;
  if (vfs.slab !== null) {
    const id = vfsCacheId(vfs, "dentry");
    obj = id < 0 ? NIL_OBJECT : vfs.slab.allocator.kmemCacheAlloc(id, GFP_KERNEL, vfs.current().cpu);
    if (obj === NIL_OBJECT) {
      dput(vfs, parent);
      return null;
    }
  }
  const d = new Dentry(name, parent, null);
  d.dCount = 1;
  d.dSb = parent.dSb;
  d.dObj = obj;
  d.unhashed = true;
  vfs.nrDentry++;
  return d;
}

/** Takes a reference. Kernel: `dget()`. */
export function dget(dentry: Dentry): Dentry {
  dentry.dCount++;
  return dentry;
}

/** Joins its superblock's LRU. Kernel: `d_lru_add()`. */
function dLruAdd(dentry: Dentry): void {
  dentry.dFlags |= DCACHE_LRU_LIST;
  dentry.dSb!.sDentryLru.add(dentry);
}

/** Leaves its superblock's LRU. Kernel: `d_lru_del()`. */
function dLruDel(dentry: Dentry): void {
  dentry.dFlags &= ~DCACHE_LRU_LIST;
  dentry.dSb?.sDentryLru.delete(dentry);
}

/**
 * Drops a reference: the last one kills an unhashed dentry (and may then drop its parent's last),
 * or leaves a hashed one cached on the LRU. Kernel: `dput()` (retain_dentry, dentry_kill).
 */
export function dput(vfs: Vfs, dentry: Dentry | null): void {
  let d = dentry;
  while (d !== null) {
    if (debugVm.on && d.dCount <= 0) throw new MmBugError("filemap.dput", `dentry "${d.dName}" put with d_count ${d.dCount}`);
    if (--d.dCount > 0) return;
    if (retainDentry(d)) return;
    d = dentryKill(vfs, d);
  }
}

/** A dentry whose count reached 0 stays cached when hashed. Kernel: `retain_dentry()`. */
function retainDentry(d: Dentry): boolean {
  if (d.unhashed || d.dSb === null) return false;
  if ((d.dFlags & DCACHE_LRU_LIST) === 0) {
    if ((d.dFlags & DCACHE_SHRINK_LIST) === 0) dLruAdd(d);
  } else d.dFlags |= DCACHE_REFERENCED;
  return true;
}

/**
 * Frees a dentry nobody references: off the LRU, out of its parent, its inode reference dropped,
 * its object freed. Kernel: `__dentry_kill()` (dentry_unlink_inode, d_free).
 * @returns its parent with one reference fewer still to drop, or null (a root)
 */
function dentryKill(vfs: Vfs, d: Dentry): Dentry | null {
  if ((d.dFlags & DCACHE_LRU_LIST) !== 0) dLruDel(d);
  d.dFlags &= ~DCACHE_SHRINK_LIST;
  const parent = d.dParent;
  if (!d.unhashed && parent !== null && parent.dChildren.get(d.dName) === d) parent.dChildren.delete(d.dName); // __d_drop
  d.unhashed = true;
  d.dCount = -128; // lockref_mark_dead
  const inode = d.dInode;
  if (inode !== null && d.dInodeHeld) {
    d.dInodeHeld = false;
    iput(vfs, inode);
  }
  dFree(vfs, d);
  return parent !== null && parent !== d ? parent : null;
}

/** The dentry's object goes back to the `dentry` cache. Kernel: `dentry_free()` → `__d_free()`. */
function dFree(vfs: Vfs, d: Dentry): void {
  vfs.nrDentry--;
  if (d.dObj !== 0 && vfs.slab !== null) {
    vfs.slab.allocator.kmemCacheFree(vfsCacheId(vfs, "dentry"), d.dObj, vfs.current().cpu);
  }
  d.dObj = 0;
}

/** Unused dentries on a superblock's LRU. Kernel: `list_lru_shrink_count(&sb->s_dentry_lru)`. */
export function dentryLruCount(sb: SuperBlock): number {
  return sb.sDentryLru.size;
}

/**
 * Frees up to `nrToScan` unused dentries of a superblock, oldest first.
 * Kernel: `prune_dcache_sb()` (list_lru_shrink_walk with dentry_lru_isolate, shrink_dentry_list).
 * @returns the dentries taken off the LRU (freed or found in use), as list_lru counts them
 */
export function pruneDcacheSb(vfs: Vfs, sb: SuperBlock, nrToScan: number): number {
  const dispose: Dentry[] = [];
  let isolated = 0;
  let left = nrToScan;
  // list_lru_walk_one: a rotated entry goes to the tail and may be met again in the same walk
  for (const d of sb.sDentryLru) {
    if (left === 0) break;
    left--;
    if (d.dCount !== 0) {
      dLruDel(d); // in use: just off the LRU
      isolated++;
      continue;
    }
    if ((d.dFlags & DCACHE_REFERENCED) !== 0) {
      d.dFlags &= ~DCACHE_REFERENCED;
      sb.sDentryLru.delete(d); // LRU_ROTATE
      sb.sDentryLru.add(d);
      continue;
    }
    dLruDel(d); // d_lru_shrink_move
    d.dFlags |= DCACHE_SHRINK_LIST;
    dispose.push(d);
    isolated++;
  }
  shrinkDentryList(vfs, dispose);
  return isolated;
}

/** Kills the dentries of a dispose list; a parent whose last reference goes joins it. Kernel: `shrink_dentry_list()`. */
function shrinkDentryList(vfs: Vfs, list: Dentry[]): void {
  while (list.length > 0) {
    const d = list.pop()!;
    d.dFlags &= ~DCACHE_SHRINK_LIST; // d_shrink_del
    if (d.dCount !== 0) {
      if (d.dCount > 0 && (d.dFlags & DCACHE_LRU_LIST) === 0 && !d.unhashed) dLruAdd(d); // picked up again meanwhile: stays cached
      continue;
    }
    const parent = dentryKill(vfs, d);
    if (parent !== null) {
      // __dput_to_list
      if ((parent.dFlags & DCACHE_SHRINK_LIST) !== 0) parent.dCount--;
      else {
        if ((parent.dFlags & DCACHE_LRU_LIST) !== 0) dLruDel(parent);
        if (--parent.dCount === 0) {
          parent.dFlags |= DCACHE_SHRINK_LIST;
          list.push(parent);
        }
      }
    }
  }
}

/** Links a dentry to its inode (taking over the caller's inode reference) and hashes it in its parent; tmpfs and ramfs pin it. Kernel: `d_instantiate()` + `d_add()` (+ the filesystems' `dget()` pin). */
export function dInstantiateDentry(dentry: Dentry, inode: Inode): void {
  dentry.dInode = inode;
  dentry.dInodeHeld = true;
  dentry.unhashed = false;
  if (dentry.dSb === null) dentry.dSb = inode.iSb;
  dentry.dParent?.dChildren.set(dentry.dName, dentry);
  if (inode.iSb.sPinDentries) dget(dentry);
}

/**
 * Umount: every dentry below the root is freed, in use or not (the mount being gone, nothing can
 * reach them), leaves first; their inodes are the superblock teardown's. Kernel:
 * `shrink_dcache_for_umount()` (do_one_tree → shrink_dcache_parent, the last dput of s_root).
 */
export function shrinkDcacheForUmount(vfs: Vfs, sb: SuperBlock): void {
  const root = sb.sRoot;
  if (root === null) return;
  const kill = (d: Dentry): void => {
    for (const c of [...d.dChildren.values()]) {
      kill(c);
      d.dChildren.delete(c.dName);
      if ((c.dFlags & DCACHE_LRU_LIST) !== 0) dLruDel(c);
      c.unhashed = true;
      c.dInodeHeld = false;
      c.dCount = -128;
      dFree(vfs, c);
    }
  };
  kill(root);
  sb.sDentryLru.clear();
}
