// mmsim: the page cache's hot path — a buffered read(2) of a page already cached (pread of 4 KiB: fd lookup, the checks, shmem_file_read_iter or filemap_read, the xarray lookup, folio_mark_accessed, the copy's content identity), and a tmpfs write of a new page (issue 15's target in the name)
import { VmStat } from "@mmsim/core";
import { FakePageAllocator } from "@mmsim/core/testing";
import { FilesStruct, O_CREAT, O_RDWR, XArray, doMount, doSysOpen, ksysPread64, ksysPwrite64, vfsInit } from "@mmsim/filemap";
import { afterAll, bench, describe } from "vitest";

const PAGES = 4096; // 16 MiB cached
const BATCH = 100;

function setup(path: string, fs: "tmpfs" | "ramfs") {
  const pages = new FakePageAllocator(0x40000, 1 << 20);
  const vfs = vfsInit({ mem: pages.mem, pages, vmstat: new VmStat(1), totalramPages: () => 1 << 20 });
  if (fs === "ramfs") doMount(vfs, "ramfs", "/root", "ramfs", 0, "");
  const files = new FilesStruct();
  const fd = doSysOpen(vfs, files, path, O_CREAT | O_RDWR, 0o600);
  const src = { readContent: () => 7, writeContent: () => true };
  if (ksysPwrite64(vfs, files, fd, src, PAGES * 4096, 0) !== PAGES * 4096) throw new Error("setup write failed");
  return { vfs, files, fd, pages };
}

const dst = { readContent: () => 0, writeContent: () => true };
const T = setup("/tmp/f", "tmpfs");
const R = setup("/root/f", "ramfs");
let reads = 0;
let i = 0;
function readBatch(s: typeof T): void {
  for (let k = 0; k < BATCH; k++) {
    ksysPread64(s.vfs, s.files, s.fd, dst, 4096, (i & (PAGES - 1)) * 4096);
    i = (i * 1103515245 + 12345) >>> 0; // an LCG: the pages in no sequential order
  }
  reads += BATCH;
}

const xa = new XArray();
for (let p = 0; p < PAGES; p++) xa.store(p, p + 1);
let x = 0;
function loadBatch(): void {
  for (let k = 0; k < BATCH; k++) {
    x += xa.load(i & (PAGES - 1));
    i = (i * 1103515245 + 12345) >>> 0;
  }
}

const W = setup("/tmp/w", "tmpfs");
let wpos = PAGES * 4096;
function writeBatch(): void {
  for (let k = 0; k < BATCH; k++) {
    ksysPwrite64(W.vfs, W.files, W.fd, dst, 4096, wpos);
    wpos += 4096;
  }
  if (wpos > 200_000 * 4096) wpos = PAGES * 4096; // rewrites from here on: no new pages
}

describe("filemap", () => {
  bench(`${BATCH} buffered reads of a cached page, tmpfs (pread 4 KiB; target ≥ 5 M pages/s: ≥ ${5e6 / BATCH} hz)`, () => readBatch(T), { time: 2000 });
  bench(`${BATCH} buffered reads of a cached page, ramfs (filemap_read; target ≥ 5 M pages/s: ≥ ${5e6 / BATCH} hz)`, () => readBatch(R), { time: 2000 });
  bench(`${BATCH} xarray lookups in a 4096-page file (xa_load)`, loadBatch, { time: 1000 });
  bench(`${BATCH} tmpfs writes of a page (pwrite 4 KiB: a new page each, until 800 MiB, then rewrites)`, writeBatch, { time: 1000 });
});

afterAll(() => {
  console.log(`reads ${reads}, checksum ${x}, pages in use ${T.pages.pagesInUse}`);
});
