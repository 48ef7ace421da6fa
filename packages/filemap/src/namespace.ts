// Kernel: fs/namespace.c (mnt_init, init_mount_tree, path_mount/do_new_mount, graft_tree, kern_mount, path_umount), init/do_mounts.c (init_rootfs, rootfs_init_fs_context), mm/shmem.c (shmem_init), init/initramfs.c (what populate_rootfs leaves) (v6.1) — the mount tree of a machine
/*
 * The boot order of 6.1's mnt_init: shmem_init makes the internal shmem mount (shm_mnt, device
 * 0:1), then init_mount_tree mounts rootfs (tmpfs when CONFIG_TMPFS, device 0:2) as the
 * namespace root. The capture board's initramfs then holds /bin, /dev (console 5:1, null 1:3),
 * /etc, /proc, /root, /sbin, /sys, /tmp, and its init mounts a tmpfs on /tmp; mmsim makes the
 * same directories and device nodes and the /tmp mount, without the initramfs' file data (the
 * busybox binary and scripts: the 1.8 MB of Shmem the capture shows at boot are not simulated).
 *
 * mount(2) takes a filesystem type by name ("tmpfs", "ramfs"); the new mount hides what it is
 * mounted on. umount(2) refuses a mount still in use (an open file or a mapping on it: EBUSY).
 */
import { EBUSY, EINVAL, ENODEV, ENOTDIR } from "@mmsim/core";
import { type Dentry, type Path, S_IFCHR, SB_KERNMOUNT, Vfsmount, sIsDir } from "./fs.ts";
import { dget, dput } from "./dcache.ts";
import { dAlloc } from "./inode.ts";
import { filenameLookup } from "./namei.ts";
import { Ramfs } from "./ramfs.ts";
import { Shmem } from "./shmem.ts";
import { killLitterSuper } from "./super.ts";
import { Vfs, type VfsDeps } from "./vfs.ts";

/** The directories of the capture board's initramfs (tools/real-kernel/capture). */
export const ROOTFS_DIRS: readonly string[] = Object.freeze(["bin", "dev", "etc", "proc", "root", "sbin", "sys", "tmp"]);
/** Its device nodes: name, major, minor (mknod in the capture script). */
export const ROOTFS_DEVICES: readonly (readonly [string, number, number])[] = Object.freeze([["console", 5, 1], ["null", 1, 3], ["zero", 1, 5]] as const);

/**
 * Mounts a filesystem of type `fstype` on the directory `target`. Kernel: `path_mount()` →
 * `do_new_mount()` (ENODEV for an unknown type, ENOTDIR for a target not a directory).
 * @returns 0 or -errno
 */
export function doMount(vfs: Vfs, source: string, target: string, fstype: string, flags: number, data: string): number {
  const fs = vfs.fileSystems.get(fstype);
  if (fs === undefined) return -ENODEV;
  const p = filenameLookup(vfs, target);
  if (typeof p === "number") return p;
  if (p.dentry.dInode === null || !sIsDir(p.dentry.dInode.iMode)) return -ENOTDIR;
  const sb = fs.mount(vfs, flags & ~SB_KERNMOUNT, data);
  if (typeof sb === "number") return sb;
  graftTree(vfs, new Vfsmount(sb, sb.sRoot!, p.mnt, p.dentry, source), p);
  return 0;
}

/** Attaches a mount on `at`. Kernel: `graft_tree()` → `attach_recursive_mnt()`. */
function graftTree(_vfs: Vfs, mnt: Vfsmount, at: Path): void {
  mnt.mntSb.sMounts++;
  at.dentry.mounted = mnt;
  dget(at.dentry); // the mountpoint is pinned (mnt_mountpoint's dget)
}

/**
 * Detaches the mount whose root `target` names and, with its superblock's last mount, frees the
 * superblock's files. Kernel: `path_umount()` (EINVAL when target is not a mount's root, EBUSY
 * for the root or a mount in use).
 * @returns 0 or -errno
 */
export function doUmount(vfs: Vfs, target: string): number {
  const p = filenameLookup(vfs, target);
  if (typeof p === "number") return p;
  const mnt = p.mnt;
  if (p.dentry !== mnt.mntRoot) return -EINVAL;
  if (mnt === vfs.rootMnt || mnt.mntMountpoint === null) return -EBUSY;
  for (const inode of mnt.mntSb.sInodes) {
    // open files and mappings hold inode references beyond the dentries'
    if (inode.iCount > (inode === mnt.mntRoot.dInode ? 1 : inode.iNlink > 0 ? 1 : 0)) return -EBUSY;
    if (inode.iMapping.iMmap.size > 0) return -EBUSY;
  }
  if (hasSubmounts(mnt.mntRoot)) return -EBUSY;
  mnt.mntMountpoint.mounted = null;
  dput(vfs, mnt.mntMountpoint);
  if (--mnt.mntSb.sMounts === 0) {
    const fsd = vfs.fileSystems.get(mnt.mntSb.sType.name);
    if (fsd?.killSb !== undefined) fsd.killSb(vfs, mnt.mntSb);
    else killLitterSuper(vfs, mnt.mntSb);
  }
  return 0;
}

function hasSubmounts(d: Dentry): boolean {
  for (const c of d.dChildren.values()) if (c.mounted !== null || hasSubmounts(c)) return true;
  return false;
}

/** The filesystems a machine has: tmpfs, ramfs. Kernel: the register_filesystem() calls of their initcalls. */
export function registerFilesystems(vfs: Vfs): Shmem {
  const shmem = new Shmem(vfs);
  const ramfs = new Ramfs(vfs);
  vfs.shmem = shmem;
  vfs.ramfs = ramfs;
  vfs.registerFilesystem(shmem.fsType);
  vfs.registerFilesystem(ramfs.fsType);
  return shmem;
}

/** A machine's VFS at the end of boot: the filesystems registered, the mount tree built. */
export function vfsInit(deps: VfsDeps): Vfs {
  const vfs = new Vfs(deps);
  mntInit(vfs, registerFilesystems(vfs));
  return vfs;
}

/**
 * Builds the mount tree at boot: shm_mnt (0:1), rootfs (0:2) with the capture's initramfs
 * directories and device nodes, tmpfs on /tmp. Kernel: `mnt_init()` (shmem_init,
 * init_rootfs, init_mount_tree), then what populate_rootfs and the capture's init do.
 */
export function mntInit(vfs: Vfs, shmem: Shmem): void {
  // shmem_init: shm_mnt = kern_mount(&shmem_fs_type)
  const shm = shmem.mountTmpfs(vfs, SB_KERNMOUNT, "");
  if (typeof shm === "number") throw new Error(`filemap.mntInit: could not mount shm_mnt (${shm})`);
  shm.sMounts++;
  vfs.shmMnt = new Vfsmount(shm, shm.sRoot!, null, null, "shm");
  // init_mount_tree: rootfs, a tmpfs (rootfs_init_fs_context → shmem_init_fs_context)
  const root = shmem.mountTmpfs(vfs, 0, "mode=755");
  if (typeof root === "number") throw new Error(`filemap.mntInit: could not mount rootfs (${root})`);
  root.sMounts++;
  vfs.rootMnt = new Vfsmount(root, root.sRoot!, null, null, "rootfs");
  // the initramfs: its directories and device nodes (no file data)
  const rootInode = root.sRoot!.dInode!;
  for (const name of ROOTFS_DIRS) {
    const d = dAlloc(vfs, root.sRoot!, name)!;
    shmem.mkdir(rootInode, d, 0o755);
    dput(vfs, d);
  }
  const dev = root.sRoot!.dChildren.get("dev")!;
  for (const [name, major, minor] of ROOTFS_DEVICES) {
    const d = dAlloc(vfs, dev, name)!;
    shmem.mknod(dev.dInode!, d, S_IFCHR | 0o600, [major, minor]);
    dput(vfs, d);
  }
  // the capture's init: mount -t tmpfs tmpfs /tmp
  const err = doMount(vfs, "tmpfs", "/tmp", "tmpfs", 0, "");
  if (err !== 0) throw new Error(`filemap.mntInit: could not mount /tmp (${err})`);
}
