// Tests of @mmsim/swap: slot allocation (clusters, priorities, slot caches), the swap cache and readahead, zram's sizes and mm_stat, swapon/swapoff errors, shmem swap-out and swap-in with content preserved, /proc/swaps
import {
  CONTENT_RANDOM, EBUSY, EINTR, EINVAL, ENOENT, ENOMEM, NR_FILE_PAGES, NR_SHMEM, NR_SWAPCACHE, NR_ZSPAGES, PAGE_SIZE, PG_dirty, PG_locked,
  PG_swapbacked, PSWPIN, PSWPOUT, SWAP_RA, SWAP_RA_HIT, swpEntry, swpOffset, swpType,
} from "@mmsim/core";
import {
  AOP_WRITEPAGE_ACTIVATE, O_CREAT, O_RDWR, doSysOpen, doSysTruncate, fget, ksysPread64, ksysPwrite64, type UserBuffer,
} from "@mmsim/filemap";
import { describe, expect, it } from "vitest";
import { armPteToSwpEntry, armSwpEntryToPte } from "./arm64-swap-pte.ts";
import { procSwapsShow } from "./proc-swaps.ts";
import { SWAP_HAS_CACHE, SWAP_MAP_SHMEM, SWAPFILE_CLUSTER } from "./swap-info.ts";
import { __swapinNrPages, swapCacheEntry, totalSwapcachePages } from "./swap-state.ts";
import { SWAP_FLAG_PREFER } from "./swapfile.ts";
import { expectValid, testSwap, zramSwapon } from "./swap.test-helpers.ts";
import { getPagesPerZspage, zsCreateClasses } from "./zsmalloc.ts";

const text = (id: number, ratio: number): number => (id * 512 + Math.round(ratio * 256)) * 8 + 3;
const fill = (v: number): number => (v * 512) * 8 + 1;

/** A page from the allocator holding `identity`, swap-backed, with one reference (the caller's). */
function anonPage(t: ReturnType<typeof testSwap>, identity: number): number {
  const pfn = t.pages.allocPages(0, 0);
  const page = t.mem.pfnToPage(pfn);
  t.mem.flags[page] = 1 << PG_swapbacked;
  t.vfs.contents.set(pfn, identity);
  return page;
}

class Buf implements UserBuffer {
  got: number[] = [];
  constructor(public identity = 0) {}
  readContent(): number {
    return this.identity;
  }
  writeContent(_off: number, _bytes: number, identity: number): boolean {
    this.got.push(identity);
    return true;
  }
}

describe("slot allocation", () => {
  it("zram gets per-CPU clusters: the first refill of a CPU's slot cache takes 64 slots of free cluster 1 (the list starts at column cluster_next % 64)", () => {
    const t = testSwap();
    zramSwapon(t.swap, t.zram0, "64M");
    const si = t.swap.swapInfo[0]!;
    expect(si.pages).toBe(16383);
    expect(t.swap.totalSwapPages()).toBe(16383);
    // below nr_cpus × 320 free slots the slot cache stays off; 16383 is above
    const e = t.swap.folioAllocSwap(0);
    expect(swpType(e)).toBe(0);
    expect(swpOffset(e)).toBe(SWAPFILE_CLUSTER); // cluster 1's first slot
    expect(t.swap.nrSwapPages()).toBe(16383 - 64); // the whole refill counts as used
    expect(si.inusePages).toBe(64);
    expect(t.swap.swapMapOf(e)).toBe(SWAP_HAS_CACHE);
    const e2 = t.swap.folioAllocSwap(0);
    expect(swpOffset(e2)).toBe(SWAPFILE_CLUSTER + 1);
    t.swap.putSwapFolio(e2);
    // freed slots go to the CPU's return cache first: still counted used
    t.swap.putSwapFolio(e);
    expect(t.swap.nrSwapPages()).toBe(16383 - 64);
    expect(t.swap.swapMapOf(e)).toBe(SWAP_HAS_CACHE);
    t.swap.drainSwapSlotsCache(true, true);
    expect(t.swap.nrSwapPages()).toBe(16383);
    expect(t.zram0.stats.notifyFree).toBe(64);
    expectValid(t.swap);
  });

  it("auto priorities are -2, -3: the higher is used first; equal preferred priorities rotate per batch", () => {
    const t = testSwap();
    zramSwapon(t.swap, t.zram0, "8M");
    zramSwapon(t.swap, t.zram1, "8M");
    expect(t.swap.swapInfo.map((s) => s.prio)).toEqual([-2, -3]);
    const e = t.swap.folioAllocSwap(0);
    expect(swpType(e)).toBe(0);
    expect(procSwapsShow(t.swap)).toBe(
      "Filename\t\t\t\tType\t\tSize\t\tUsed\t\tPriority\n" +
        "/dev/zram0                              partition\t8188\t\t256\t\t-2\n" +
        "/dev/zram1                              partition\t8188\t\t0\t\t-3\n",
    );
    // swapoff of the -2 area moves -3 up to -2 (6.1's swapoff)
    t.swap.putSwapFolio(e);
    t.swap.drainSwapSlotsCache(true, true);
    expect(t.swap.swapoff("/dev/zram0")).toBe(0);
    expect(t.swap.swapInfo[1]!.prio).toBe(-2);

    const u = testSwap();
    zramSwapon(u.swap, u.zram0, "8M", SWAP_FLAG_PREFER | 5);
    zramSwapon(u.swap, u.zram1, "8M", SWAP_FLAG_PREFER | 5);
    const types: number[] = [];
    const got = new Int32Array(64);
    for (let i = 0; i < 4; i++) {
      const n = u.swap.getSwapPages(64, got, 0);
      expect(n).toBe(64);
      types.push(swpType(got[0]!));
      u.swap.swapcacheFreeEntries(got, n);
    }
    expect(types).toEqual([0, 1, 0, 1]); // each area is requeued behind its sibling of equal priority
    expectValid(u.swap);
  });

  it("a rotational area scans for a free run of SWAPFILE_CLUSTER from lowest_bit; a full area leaves the available list", () => {
    const t = testSwap();
    const disk = { path: "/swapfile", major: 254, minor: 0, isBlk: false, nonrot: false, rwPage: false, header: null, claimed: false, sizeBytes: () => 4 * 1024 * 1024, readPage: () => 0, writePage: () => 0 };
    t.swap.registerDevice(disk);
    expect(t.swap.mkswap("/swapfile")).toBe(0);
    expect(t.swap.swapon("/swapfile", 0)).toBe(0);
    const all = new Int32Array(1024);
    let n = t.swap.getSwapPages(64, all, 0);
    expect(n).toBe(64);
    expect([...all.slice(0, 3)].map(swpOffset)).toEqual([1, 2, 3]);
    for (let k; (k = t.swap.getSwapPages(64, all, n)) > 0; ) n += k;
    expect(n).toBe(1023);
    expect(t.swap.swapInfo[0]!.inusePages).toBe(1023);
    expect(t.swap.avail.length).toBe(0); // full: off the available list
    expect(procSwapsShow(t.swap)).toContain("/swapfile                               file\t\t4092\t\t4092\t\t-2\n");
    t.swap.swapcacheFreeEntries(all, n);
    expect(t.swap.avail.length).toBe(1);
    expectValid(t.swap);
  });
});

describe("the swap cache and zram", () => {
  it("add_to_swap, swap_writepage to zram, delete_from_swap_cache with a shadow, then swap-in restores the content and counts pswpin", () => {
    const t = testSwap();
    zramSwapon(t.swap, t.zram0, "16M");
    const page = anonPage(t, text(7, 0.3));
    expect(t.swap.addToSwap(page)).toBe(true);
    const entry = t.mem.private[page]!;
    expect(t.vmstat.nodeStat(0)[NR_SWAPCACHE]).toBe(1);
    expect(t.vmstat.nodeStat(0)[NR_FILE_PAGES]).toBe(1);
    expect(t.mem.flags[page]! & (1 << PG_dirty)).not.toBe(0);
    expect(t.mem.refcount[page]).toBe(2);
    // a PTE now refers to the slot (try_to_unmap's swap_duplicate)
    expect(t.swap.swapDuplicate(entry)).toBe(0);
    expect(t.swap.swapWritepage(page)).toBe(2); // PAGE_SUCCESS
    expect(t.vmstat.vmEvents[PSWPOUT]).toBe(1);
    expect(t.clock.now()).toBe(8000); // zramCompress
    expect(t.zram0.storedContent(swpOffset(entry))).toBe(text(7, 0.3));
    // reclaim frees it: out of the cache with a shadow, the cache's page reference dropped
    t.swap.deleteFromSwapCache(page, 12345);
    t.vfs.contents.clear(t.mem.pageToPfn(page));
    t.mem.refcount[page] = 1; // (reclaim's isolation reference and the caller's, as __remove_mapping leaves them)
    t.pages.freePages(t.mem.pageToPfn(page), 0);
    expect(totalSwapcachePages(t.swap)).toBe(0);
    expect(swapCacheEntry(t.swap, entry)).toBe(-12345 - 1);
    expect(t.swap.swapCountOf(entry)).toBe(1);
    // do_swap_page's readahead: the page comes back with its content
    const back = t.swap.swapinReadahead(entry, 0);
    expect(back).toBeGreaterThanOrEqual(0);
    expect(t.vfs.contents.get(t.mem.pageToPfn(back))).toBe(text(7, 0.3));
    expect(t.vmstat.vmEvents[PSWPIN]).toBe(1);
    expect(t.mem.private[back]).toBe(entry);
    expect(t.mem.refcount[back]).toBe(2); // the cache's and the caller's
    expect(t.mem.flags[back]! & (1 << PG_locked)).toBe(0);
    expectValid(t.swap);
    // the PTE's user goes (zap): only the cache is left and the page is unmapped: freed
    t.swap.freeSwapAndCache(entry);
    expect(t.mem.refcount[back]).toBe(1);
    expect(totalSwapcachePages(t.swap)).toBe(0);
    expectValid(t.swap);
  });

  it("a write zram refuses (mem_limit) leaves the page dirty and logs 6.1's alert with major:minor:sector, rate-limited to 10 per 5 s", () => {
    const t = testSwap();
    zramSwapon(t.swap, t.zram0, "16M");
    expect(t.zram0.writeAttr("mem_limit", "4096")).toBe(0); // one page: the first zspage fills it
    const offsets: number[] = [];
    for (let i = 0; i < 14; i++) {
      const p = anonPage(t, t.vfs.contents.contentRandom()); // incompressible: a whole page each
      expect(t.swap.addToSwap(p)).toBe(true);
      offsets.push(swpOffset(t.mem.private[p]!));
      t.swap.swapDuplicate(t.mem.private[p]!); // the swap PTE try_to_unmap leaves
      t.swap.swapWritepage(p);
    }
    const alerts = t.log.all().filter((r) => r.text.includes("-error on swap-device"));
    // the first write fits the limit; the 13 after fail, 10 of them logged (pr_alert_ratelimited)
    expect(alerts).toHaveLength(10);
    expect(alerts[0]!.level).toBe(1); // KERN_ALERT
    expect(alerts[0]!.text).toBe(`Write-error on swap-device (253:0:${offsets[1]! * 8})`);
    // after the interval, the next alert is preceded by the count of the suppressed ones
    t.clock.advance(5_000_000_001);
    const p = anonPage(t, t.vfs.contents.contentRandom());
    t.swap.addToSwap(p);
    t.swap.swapDuplicate(t.mem.private[p]!);
    t.swap.swapWritepage(p);
    const tail = t.log.all().slice(-2).map((r) => r.text);
    expect(tail).toEqual(["end_swap_bio_write: 3 callbacks suppressed", `Write-error on swap-device (253:0:${swpOffset(t.mem.private[p]!) * 8})`]);
    expect((t.mem.flags[p]! & (1 << PG_dirty)) !== 0).toBe(true); // set_page_dirty: reclaim keeps it
  });

  it("cluster readahead reads the aligned window around the fault (page-cluster 3), counts swap_ra, and a hit widens the next window", () => {
    const t = testSwap();
    zramSwapon(t.swap, t.zram0, "16M");
    const entries: number[] = [];
    for (let i = 0; i < 16; i++) {
      const p = anonPage(t, text(100 + i, 0.5));
      t.swap.addToSwap(p);
      const e = t.mem.private[p]!;
      entries.push(e);
      t.swap.swapDuplicate(e);
      t.swap.swapWritepage(p);
      t.swap.deleteFromSwapCache(p, 0);
      t.vfs.contents.clear(t.mem.pageToPfn(p));
      t.pages.freePages(t.mem.pageToPfn(p), 0);
    }
    expect(__swapinNrPages(0, 5, 0, 8, 0)).toBe(1); // not adjacent, no hits: no readahead
    expect(__swapinNrPages(0, 5, 3, 8, 0)).toBe(8); // hits + 2 = 5 → 8
    // swapin_readahead_hits starts at 4: the first fault reads 8
    const first = t.swap.swapinReadahead(entries[1]!, 0);
    expect(first).toBeGreaterThanOrEqual(0);
    expect(t.vmstat.vmEvents[SWAP_RA]).toBe(7);
    expect(totalSwapcachePages(t.swap)).toBe(8);
    const hit = t.swap.lookupSwapCache(entries[2]!);
    expect(hit).toBeGreaterThanOrEqual(0);
    expect(t.vmstat.vmEvents[SWAP_RA_HIT]).toBe(1);
    expect(t.vfs.contents.get(t.mem.pageToPfn(hit))).toBe(text(102, 0.5));
    expectValid(t.swap);
  });

  it("zram stores same-filled pages free, compressed pages in size classes, incompressible pages whole (huge), as mm_stat shows", () => {
    const t = testSwap();
    zramSwapon(t.swap, t.zram0, "16M");
    const z = t.zram0;
    const pool = z.pool!;
    expect(pool.classes.hugeClassSize).toBe(3264 - 7); // the first class with pages_per_zspage 1 and one object, less ZS_HANDLE_SIZE − 1
    expect(getPagesPerZspage(3264)).toBe(4); // 5 objects in 4 pages waste 64 bytes: 99%
    expect(getPagesPerZspage(4096)).toBe(1);
    const random = (1 * 512 + 256) * 8 + CONTENT_RANDOM;
    const ids = [0, fill(0x2a), text(1, 0.25), text(2, 0.25), random];
    for (const id of ids) {
      const p = anonPage(t, id);
      t.swap.addToSwap(p);
      t.swap.swapDuplicate(t.mem.private[p]!);
      t.swap.swapWritepage(p);
    }
    const s = z.stats;
    expect(s.pagesStored).toBe(5);
    expect(s.samePages).toBe(2);
    expect(s.hugePages).toBe(1);
    expect(s.comprDataSize).toBe(1024 + 1024 + 4096);
    // 1024 + 8 bytes → class 1040 (64-object zspages of 4 pages? no: get_pages_per_zspage(1040) pages); one zspage; the huge page one page
    const c1040 = pool.classFor(1024);
    const cls = zsCreateClasses();
    const pages = cls.pagesPerZspage[c1040]! + 1;
    expect(z.memUsedPages()).toBe(pages);
    expect(t.vmstat.zoneStat(0)[NR_ZSPAGES]! + t.vmstat.zoneStat(1)[NR_ZSPAGES]! + t.vmstat.zoneStat(2)[NR_ZSPAGES]! + t.vmstat.zoneStat(3)[NR_ZSPAGES]!).toBe(pages);
    const pad = (v: number): string => String(v).padStart(8);
    expect(z.readAttr("mm_stat")).toBe(`${pad(5 * 4096)} ${pad(6144)} ${pad(pages * 4096)} ${pad(0)} ${pad(pages * 4096)} ${pad(2)} ${pad(0)} ${pad(1)} ${pad(1)}\n`);
    expect(z.readAttr("io_stat")).toBe(`${pad(0)} ${pad(0)} ${pad(0)} ${pad(0)}\n`);
    expect(z.readAttr("debug_stat")).toBe(`version: 1\n${pad(0)} ${pad(0)}\n`);
    expect(z.readAttr("disksize")).toBe(`${16 * 1024 * 1024}\n`);
    expect(z.writeAttr("disksize", "32M")).toBe(-EBUSY);
    expect(z.writeAttr("comp_algorithm", "zstd")).toBe(-EBUSY);
    expect(z.writeAttr("reset", "1")).toBe(-EBUSY); // swapon holds it
    expectValid(t.swap);
  });
});

describe("swapon and swapoff", () => {
  it("fail as the man pages say: ENOENT, EINVAL without a signature, EBUSY twice, EINVAL for swapoff of no area", () => {
    const t = testSwap();
    expect(t.swap.swapon("/dev/zram9", 0)).toBe(-ENOENT);
    expect(t.swap.swapon("/dev/zram0", 0x100000)).toBe(-EINVAL);
    expect(t.swap.mkswap("/dev/zram0")).toContain("set its disksize first");
    t.zram0.setDisksize("8M");
    expect(t.swap.swapon("/dev/zram0", 0)).toBe(-EINVAL);
    expect(t.log.dmesg()).toContain("Unable to find swap-space signature");
    expect(t.swap.mkswap("/dev/zram0")).toBe(0);
    expect(t.swap.swapon("/dev/zram0", 0)).toBe(0);
    expect(t.swap.swapon("/dev/zram0", 0)).toBe(-EBUSY);
    expect(t.swap.mkswap("/dev/zram0")).toContain("will not make swapspace");
    expect(t.swap.swapoff("/dev/zram1")).toBe(-EINVAL);
    expect(t.log.dmesg()).toContain("Adding 8188k swap on /dev/zram0.  Priority:-2 extents:1 across:8188k SS");
    expect(t.swap.swapoff("/dev/zram0")).toBe(0);
    expect(t.swap.totalSwapPages()).toBe(0);
    expect(t.zram0.claimed).toBe(false);
  });

  it("swapoff with anonymous entries no walker reaches gives up with EINTR and keeps the area", () => {
    const t = testSwap();
    zramSwapon(t.swap, t.zram0, "8M");
    const p = anonPage(t, text(3, 0.5));
    t.swap.addToSwap(p);
    const e = t.mem.private[p]!;
    t.swap.swapDuplicate(e);
    t.swap.swapWritepage(p);
    expect(t.swap.swapoff("/dev/zram0")).toBe(-EINTR);
    expect(t.swap.totalSwapPages()).toBe(2047);
    expect(t.zram0.storedContent(swpOffset(e))).toBe(text(3, 0.5));
    expectValid(t.swap);
  });
});

describe("shmem on swap", () => {
  function tmpfsFile(t: ReturnType<typeof testSwap>, pages: number) {
    const fd = doSysOpen(t.vfs, t.files, "/tmp/f", O_CREAT | O_RDWR, 0o644);
    for (let i = 0; i < pages; i++) expect(ksysPwrite64(t.vfs, t.files, fd, new Buf(text(500 + i, 0.4)), PAGE_SIZE, i * PAGE_SIZE)).toBe(PAGE_SIZE);
    return { fd, inode: fget(t.files, fd)!.fInode };
  }

  /** What reclaim's pageout does with a dirty shmem page: clear the dirty bit, lock, writepage. */
  function pageout(t: ReturnType<typeof testSwap>, page: number): number {
    const mapping = t.vfs.mappings.get(t.mem.mapping[page]!) as unknown as { aOps: { writepage?(p: number, r: boolean): number } };
    t.mem.flags[page] = (t.mem.flags[page]! & ~(1 << PG_dirty)) | (1 << PG_locked);
    return mapping.aOps.writepage!(page, true);
  }

  it("writepage moves a page to swap (a swap entry in i_pages, info->swapped, SWAP_MAP_SHMEM), a read brings it back with the same content and frees the slot", () => {
    const t = testSwap();
    zramSwapon(t.swap, t.zram0, "16M");
    const { fd, inode } = tmpfsFile(t, 4);
    const page = inode.iMapping.iPages.load(1) - 1;
    expect(pageout(t, page)).toBe(0);
    const ent = inode.iMapping.iPages.load(1);
    expect(ent).toBeLessThan(0); // a value entry: the swap entry
    const entry = -ent - 1;
    expect(t.swap.swapMapOf(entry)).toBe(SWAP_MAP_SHMEM | SWAP_HAS_CACHE);
    expect(inode.shmem!.swapped).toBe(1);
    expect(inode.iMapping.nrpages).toBe(3);
    expect(t.vmstat.nodeStat(0)[NR_SHMEM]).toBe(3);
    expect(t.vmstat.nodeStat(0)[NR_SWAPCACHE]).toBe(1);
    expect(t.vmstat.vmEvents[PSWPOUT]).toBe(1);
    expectValid(t.swap);
    // reclaim frees the swap-cache page (__remove_mapping)
    t.swap.deleteFromSwapCache(page, 0);
    t.mem.flags[page] = t.mem.flags[page]! & ~(1 << PG_locked);
    t.vfs.contents.clear(t.mem.pageToPfn(page));
    t.pages.freePages(t.mem.pageToPfn(page), 0);
    expect(t.swap.swapMapOf(entry)).toBe(SWAP_MAP_SHMEM);
    // read(2) of page 1: shmem_swapin_folio
    const out = new Buf();
    expect(ksysPread64(t.vfs, t.files, fd, out, PAGE_SIZE, PAGE_SIZE)).toBe(PAGE_SIZE);
    expect(out.got).toEqual([text(501, 0.4)]);
    expect(t.vmstat.vmEvents[PSWPIN]).toBeGreaterThanOrEqual(1);
    expect(inode.shmem!.swapped).toBe(0);
    expect(inode.iMapping.nrpages).toBe(4);
    expect(t.vmstat.nodeStat(0)[NR_SHMEM]).toBe(4);
    expect(inode.iMapping.iPages.load(1)).toBeGreaterThan(0);
    expect(t.swap.swapCountOf(entry)).toBe(0);
    t.swap.drainSwapSlotsCache(true, true);
    expect(t.swap.nrSwapPages()).toBe(t.swap.totalSwapPages() - totalSwapcachePages(t.swap));
    expect(inode.iBlocks).toBe(4 * 8);
    expectValid(t.swap);
  });

  it("truncate frees the slots of swapped pages; swapoff reads the rest back (shmem_unuse); swapoff without memory fails with ENOMEM and loses nothing", () => {
    const t = testSwap();
    zramSwapon(t.swap, t.zram0, "16M");
    const { fd, inode } = tmpfsFile(t, 8);
    for (let i = 0; i < 8; i++) {
      const page = inode.iMapping.iPages.load(i) - 1;
      expect(pageout(t, page)).toBe(0);
      t.swap.deleteFromSwapCache(page, 0);
      t.mem.flags[page] = t.mem.flags[page]! & ~(1 << PG_locked);
      t.vfs.contents.clear(t.mem.pageToPfn(page));
      t.pages.freePages(t.mem.pageToPfn(page), 0);
    }
    expect(inode.shmem!.swapped).toBe(8);
    expect(t.zram0.stats.pagesStored).toBe(8);
    // truncate to 6 pages: 2 slots freed (free_swap_and_cache), zram notified when they leave the slot cache
    expect(doSysTruncate(t.vfs, "/tmp/f", 6 * PAGE_SIZE)).toBe(0);
    expect(inode.shmem!.swapped).toBe(6);
    t.swap.drainSwapSlotsCache(false, true); // the return cache only: the 2 freed slots
    expect(t.zram0.stats.pagesStored).toBe(6);
    expect(t.zram0.stats.notifyFree).toBe(2);
    expectValid(t.swap);
    // no memory: swapoff fails, everything stays on swap
    t.pages.failAfter = 0;
    expect(t.swap.swapoff("/dev/zram0")).toBe(-ENOMEM);
    expect(inode.shmem!.swapped).toBe(6);
    expect(t.swap.totalSwapPages()).toBe(4095);
    expect(t.zram0.stats.pagesStored).toBe(6);
    expectValid(t.swap);
    t.pages.failAfter = Number.POSITIVE_INFINITY;
    expect(t.swap.swapoff("/dev/zram0")).toBe(0);
    expect(inode.shmem!.swapped).toBe(0);
    expect(inode.iMapping.nrpages).toBe(6);
    expect(t.zram0.stats.pagesStored).toBe(0);
    const out = new Buf();
    for (let i = 0; i < 6; i++) ksysPread64(t.vfs, t.files, fd, out, PAGE_SIZE, i * PAGE_SIZE);
    expect(out.got).toEqual([0, 1, 2, 3, 4, 5].map((i) => text(500 + i, 0.4)));
    expectValid(t.swap);
  });

  it("writepage without swap keeps the page (AOP_WRITEPAGE_ACTIVATE, dirty again)", () => {
    const t = testSwap();
    const { inode } = tmpfsFile(t, 1);
    const page = inode.iMapping.iPages.load(0) - 1;
    expect(pageout(t, page)).toBe(AOP_WRITEPAGE_ACTIVATE);
    expect(t.mem.flags[page]! & (1 << PG_dirty)).not.toBe(0);
    expect(inode.iMapping.iPages.load(0)).toBe(page + 1);
  });
});

describe("the arm64 swap PTE", () => {
  it("packs type in bits 3-7, offset from bit 8, exclusive in bit 2 (6.1)", () => {
    const out = { lo: 0, hi: 0 };
    const e = swpEntry(3, 0x1234567);
    armSwpEntryToPte(e, true, out);
    expect(out.lo & 3).toBe(0);
    expect((out.lo >>> 2) & 1).toBe(1);
    expect((out.lo >>> 3) & 31).toBe(3);
    expect(out.hi * 2 ** 24 + (out.lo >>> 8)).toBe(0x1234567);
    expect(armPteToSwpEntry(out.lo, out.hi)).toBe(e);
  });
});
