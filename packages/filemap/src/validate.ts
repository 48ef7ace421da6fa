// mmsim: the page cache's and the VFS's invariants, walked on demand (cf. the kernel's CONFIG_DEBUG_VM checks in filemap.c: VM_BUG_ON_FOLIO(folio->mapping != mapping), the xarray's own xa_dump checks)
/*
 * validateFilemap checks, over every inode of every superblock:
 *   - its mapping's xarray is well formed (xarray.ts), holds nrpages page entries, and is the one
 *     registered under its id in FileMappings;
 *   - every page entry at index i is a live page (refcount ≥ 1 + its PTE mappings) with
 *     mem.mapping = the mapping's id and mem.index = i, found in no other slot of any mapping;
 *     PG_swapbacked iff the mapping is swap-backed; a dirty page of a mapping that writes back
 *     carries PAGECACHE_TAG_DIRTY;
 *   - every VMA of i_mmap maps this file;
 *   - shmem: alloced ≥ nrpages + swapped (drop_caches may have taken clean pages shmem has not
 *     recounted yet), i_blocks = 8 × alloced, and a sized mount's used_blocks = Σ alloced;
 * and over the machine: NR_FILE_PAGES = the page-cache pages (plus the swap cache's, NR_SWAPCACHE, as 6.1 counts them), NR_SHMEM = the swap-backed ones,
 * NR_FILE_DIRTY = the dirty pages of mappings that write back, NR_WRITEBACK = the pages under
 * writeback; every fd holds a file whose
 * f_count covers the fds of every table;
 * and the dcache and icache LRUs (dcache.ts, inode.ts): a dentry on its superblock's LRU is hashed
 * in its parent, flagged DCACHE_LRU_LIST and has a count ≥ 0 (one in use may stay there: the
 * shrinker takes it off); an inode on the inode LRU is one of its superblock's and not being
 * freed (one referenced or repopulated since may stay there: the shrinker takes it off).
 */
import { NR_FILE_DIRTY, NR_FILE_PAGES, NR_SHMEM, NR_SWAPCACHE, NR_WRITEBACK, PG_dirty, PG_swapbacked, PG_writeback, type ValidationSink } from "@mmsim/core";
import { DCACHE_LRU_LIST, type File, I_FREEING } from "./fs.ts";
import { mappingCanWriteback, PAGECACHE_TAG_DIRTY } from "./page-writeback.ts";
import { BLOCKS_PER_PAGE, type ShmemSbInfo } from "./shmem.ts";
import type { Vfs } from "./vfs.ts";
import { XA_MAX_INDEX } from "./xarray.ts";

/** Sums a node counter over the machine without clamping (a negative drift must show). */
function nodeCounter(vfs: Vfs, item: number): number {
  let n = 0;
  for (let nid = 0; nid < vfs.vmstat.nrNodes; nid++) n += vfs.vmstat.nodeStat(nid)[item]!;
  return n;
}

/** Checks the page cache and the VFS of one machine. */
export function validateFilemap(vfs: Vfs, sink: ValidationSink): void {
  const mem = vfs.mem;
  const seen = new Map<number, string>();
  let filePages = 0;
  let shmemPages = 0;
  let dirtyAcct = 0;
  let writeback = 0;
  for (const sb of vfs.superBlocks) {
    for (const d of sb.sDentryLru) {
      const what = `dentry "${d.dName}" on the ${sb.sType.name} dentry LRU`;
      if ((d.dFlags & DCACHE_LRU_LIST) === 0) sink.report(what, "DCACHE_LRU_LIST is clear");
      if (d.dCount < 0) sink.report(what, `d_count is ${d.dCount} (killed)`);
      if (d.unhashed || d.dParent?.dChildren.get(d.dName) !== d) sink.report(what, "it is not hashed in its parent");
    }
    for (const inode of sb.sInodeLru) {
      const what = `inode ${inode.iIno} on the ${sb.sType.name} inode LRU`;
      if (!sb.sInodes.has(inode)) sink.report(what, "it is not one of the superblock's inodes");
      if ((inode.iState & I_FREEING) !== 0) sink.report(what, "it is being freed");
    }
    const sbinfo = sb.sType.name === "tmpfs" ? (sb.sFsInfo as ShmemSbInfo) : null;
    let alloced = 0;
    for (const inode of sb.sInodes) {
      const mapping = inode.iMapping;
      const what = `${sb.sType.name} 0:${sb.sDev[1]} inode ${inode.iIno}`;
      mapping.iPages.validate(sink, what);
      if (vfs.mappings.get(mapping.id) !== mapping) sink.report(what, `mapping ${mapping.id} is not registered in FileMappings`);
      let pages = 0;
      const xa = mapping.iPages;
      for (let i = xa.find(0, XA_MAX_INDEX); i >= 0; i = i < XA_MAX_INDEX ? xa.find(i + 1, XA_MAX_INDEX) : -1) {
        const e = xa.found;
        if (e < 0) continue;
        const page = e - 1;
        pages++;
        const where = `${what} index ${i} (page ${page}, pfn 0x${mem.pageToPfn(page).toString(16)})`;
        const dup = seen.get(page);
        if (dup !== undefined) sink.report(where, `the page is also in the page cache at ${dup}`);
        seen.set(page, `${what} index ${i}`);
        if (mem.mapping[page] !== mapping.id) sink.report(where, `page->mapping is ${mem.mapping[page]}, expected ${mapping.id}`);
        if (mem.index[page] !== i) sink.report(where, `page->index is ${mem.index[page]}`);
        const mapped = mem.mapcount[page]! + 1;
        if (mem.refcount[page]! < 1 + Math.max(0, mapped)) sink.report(where, `refcount ${mem.refcount[page]} is below the cache's reference plus ${Math.max(0, mapped)} mappings`);
        const swapbacked = (mem.flags[page]! & (1 << PG_swapbacked)) !== 0;
        if (swapbacked !== mapping.swapBacked) sink.report(where, `PG_swapbacked is ${swapbacked} in a mapping that is ${mapping.swapBacked ? "" : "not "}swap-backed`);
        filePages++;
        if (swapbacked) shmemPages++;
        if ((mem.flags[page]! & (1 << PG_writeback)) !== 0) writeback++;
        if ((mem.flags[page]! & (1 << PG_dirty)) !== 0 && mappingCanWriteback(mapping)) {
          dirtyAcct++;
          if (!xa.getMark(i, PAGECACHE_TAG_DIRTY)) sink.report(where, `dirty but not tagged PAGECACHE_TAG_DIRTY`);
        }
      }
      if (pages !== mapping.nrpages) sink.report(what, `nrpages is ${mapping.nrpages}, the index holds ${pages} pages`);
      for (const vma of mapping.iMmap) {
        const f = vma.vmFile as File | null;
        if (f === null || f.mapping !== mapping) sink.report(what, `a VMA at 0x${vma.vmStart.toString(16)} is in i_mmap but maps ${f === null ? "no file" : f.path}`);
      }
      const info = inode.shmem;
      if (info !== null) {
        alloced += info.alloced;
        if (info.alloced < mapping.nrpages + info.swapped) sink.report(what, `shmem alloced ${info.alloced} < nrpages ${mapping.nrpages} + swapped ${info.swapped}`);
        if (inode.iBlocks !== info.alloced * BLOCKS_PER_PAGE) sink.report(what, `i_blocks ${inode.iBlocks} ≠ ${BLOCKS_PER_PAGE} × alloced ${info.alloced}`);
      }
      if (inode.iSize < 0 || inode.iSize > sb.sMaxbytes) sink.report(what, `i_size ${inode.iSize} outside 0..s_maxbytes`);
    }
    if (sbinfo !== null && sbinfo.maxBlocks !== 0 && sbinfo.usedBlocks !== alloced) sink.report(`tmpfs 0:${sb.sDev[1]}`, `used_blocks ${sbinfo.usedBlocks} ≠ Σ alloced ${alloced}`);
    if (sbinfo !== null && sbinfo.maxBlocks !== 0 && sbinfo.usedBlocks > sbinfo.maxBlocks) sink.report(`tmpfs 0:${sb.sDev[1]}`, `used_blocks ${sbinfo.usedBlocks} > size ${sbinfo.maxBlocks} pages`);
  }
  const nrFile = nodeCounter(vfs, NR_FILE_PAGES) - nodeCounter(vfs, NR_SWAPCACHE);
  if (nrFile !== filePages) sink.report("vmstat", `NR_FILE_PAGES is ${nrFile}, the page cache holds ${filePages} pages`);
  const nrShmem = nodeCounter(vfs, NR_SHMEM);
  if (nrShmem !== shmemPages) sink.report("vmstat", `NR_SHMEM is ${nrShmem}, the page cache holds ${shmemPages} swap-backed pages`);
  const nrDirty = nodeCounter(vfs, NR_FILE_DIRTY);
  if (nrDirty !== dirtyAcct) sink.report("vmstat", `NR_FILE_DIRTY is ${nrDirty}, ${dirtyAcct} dirty pages belong to mappings that write back`);
  const nrWb = nodeCounter(vfs, NR_WRITEBACK);
  if (nrWb !== writeback) sink.report("vmstat", `NR_WRITEBACK is ${nrWb}, ${writeback} page-cache pages are under writeback`);
  // fd tables
  const fdRefs = new Map<File, number>();
  for (const [pid, files] of vfs.files) {
    for (let fd = 0; fd < files.fd.length; fd++) {
      const f = files.fd[fd] ?? null;
      if (f === null) continue;
      if (!files.openFds.has(fd)) sink.report(`pid ${pid} fd ${fd}`, `installed but not marked open`);
      fdRefs.set(f, (fdRefs.get(f) ?? 0) + 1);
    }
  }
  for (const [f, n] of fdRefs) if (f.fCount < n) sink.report(f.path, `f_count ${f.fCount} < the ${n} fds that hold it`);
}
