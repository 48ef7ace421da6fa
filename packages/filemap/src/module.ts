// mmsim: DI wiring of the VFS and the page cache (cf. fs/ and mm/filemap.c, mm/shmem.c being built in: no Kconfig choice)
import { KERNEL_LOG, Lru, MEM_MAP, MemcgCharger, type MmsimModule, PageAllocator, ShrinkerRegistry, VM_STAT, Validator, type ValidationSink, resolveToken } from "@mmsim/core";
import { FILE_MAPPINGS, FileMappings, MM_PAGE_OPS, MmapContext, VM_ACCT_MEMORY_INFO, VM_FILE_OPS } from "@mmsim/vma";
import { type DependencyContainer, instanceCachingFactory } from "tsyringe";
import { vfsInit } from "./namespace.ts";
import { ShmemFileOps } from "./shmem.ts";
import { FILEMAP_SYSCTLS } from "./sysctls.ts";
import { validateFilemap } from "./validate.ts";
import { VFS, type Vfs } from "./vfs.ts";

/**
 * Registers the machine's FileMappings (FILE_MAPPINGS), its Vfs (made at its first use after
 * boot: tmpfs and ramfs registered, shm_mnt, rootfs with the capture's initramfs directories and
 * device nodes, tmpfs on /tmp), the VFS side of mm/mmap.c (VM_FILE_OPS: shmem_zero_setup, file
 * references; it replaces @mmsim/vma's ShmemZeroFiles), the page-cache validator, and the vm
 * sysctls drop_caches and dirty_*. The machine's processes, once made, give the Vfs the
 * running task (Vfs.setCurrent) and the fault package's page contents (Vfs.useContents);
 * truncate unmaps through MM_PAGE_OPS's zapPageRange (the fault package's MmMemory).
 */
export const filemapModule: MmsimModule = {
  slot: "filemap",
  name: "filemap",
  description: "the page cache, tmpfs/shmem and ramfs of Linux 6.1 behind a small VFS: open/read/write/mmap of files, truncate, drop_caches",
  register(container: DependencyContainer): void {
    container.register(FILE_MAPPINGS, { useFactory: instanceCachingFactory(() => new FileMappings()) });
    container.register(VFS, {
      useFactory: instanceCachingFactory((c): Vfs => {
        const vfs = vfsInit({
          mem: resolveToken(c, MEM_MAP),
          pages: resolveToken(c, PageAllocator),
          vmstat: resolveToken(c, VM_STAT),
          log: resolveToken(c, KERNEL_LOG),
          mappings: resolveToken(c, FILE_MAPPINGS),
          overcommit: () => c.resolve(MmapContext).overcommit,
          totalramPages: () => resolveToken(c, VM_ACCT_MEMORY_INFO).totalramPages(),
          unmapper: {
            unmapMappingPages: (mapping, start, nr, evenCows) => {
              const ops = resolveToken(c, MM_PAGE_OPS);
              if (ops.unmapMappingPages !== undefined) ops.unmapMappingPages(mapping, start, nr, evenCows);
            },
          },
        });
        // The LRU (core's Lru, @mmsim/reclaim's) when the machine has a reclaim module.
        if (c.isRegistered(Lru, true)) vfs.lru = resolveToken(c, Lru);
        // The memory controller (core's MemcgCharger, @mmsim/memcg-psi's) when the machine has one.
        if (c.isRegistered(MemcgCharger, true)) vfs.memcg = resolveToken(c, MemcgCharger);
        // The shrinker list (core's ShrinkerRegistry, @mmsim/reclaim's): disk superblocks register theirs at mount.
        if (c.isRegistered(ShrinkerRegistry, true)) vfs.shrinkers = resolveToken(c, ShrinkerRegistry);
        return vfs;
      }),
    });
    container.register(VM_FILE_OPS, {
      useFactory: instanceCachingFactory((c) => {
        const vfs = resolveToken(c, VFS);
        return new ShmemFileOps(vfs, vfs.shmem!);
      }),
    });
    container.register(Validator, { useFactory: (c) => ({ name: "filemap", validate: (sink: ValidationSink) => validateFilemap(resolveToken(c, VFS), sink) }) });
  },
  sysctls: FILEMAP_SYSCTLS,
};
