// mmsim: @mmsim/vma's hot paths — find_vma over 10,000 VMAs, and an anonymous mmap+munmap pair with a no-op MmPageOps (issue 14's targets in the names)
import { vmGetPageProt } from "@mmsim/hw-arm64";
import {
  MAP_ANONYMOUS, MAP_PRIVATE, MapleTree, MmStruct, MmapContext, PROT_READ, PROT_WRITE, VmAreaStruct, sysMmap, sysMunmap,
  type AnonVmaOps, type MmPageOps, type VmAcctMemoryInfo,
} from "@mmsim/vma";
import { afterAll, bench, describe } from "vitest";

const P = 4096;
const NR_VMAS = 10_000;
const BATCH = 1000;

/** Page side doing nothing: the figures measure the VMA code alone. */
const noPages: MmPageOps = {
  unmapRegion: () => {}, zapPageRange: () => {}, changeProtection: () => 0, movePageTables: (_a, _b, _c, _d, len) => len,
  copyPageRange: () => 0, populate: () => 0, exitMmap: () => {},
};
const noAnon: AnonVmaOps = { anonVmaClone: () => 0, anonVmaFork: () => 0, unlinkAnonVmas: () => {}, anonVmaPrepare: () => 0 };
const info: VmAcctMemoryInfo = { totalramPages: () => 262144, totalSwapPages: () => 0, hugetlbTotalPages: () => 0, nrFreePages: () => 200000 };

// 10,000 one-page VMAs with one-page gaps, and lookup addresses from a fixed LCG (half in VMAs, half in gaps).
const tree = new MapleTree();
const treeMm = new MmStruct(1, tree);
for (let i = 0; i < NR_VMAS; i++) tree.insert(new VmAreaStruct(treeMm, 0x10000000 + 2 * i * P, 0x10000000 + (2 * i + 1) * P, 3, vmGetPageProt(3), 0));
const addrs = new Float64Array(1 << 16);
let seed = 14;
for (let i = 0; i < addrs.length; i++) {
  seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
  addrs[i] = 0x10000000 + (seed % (2 * NR_VMAS)) * P + (seed & 0xfff);
}
let cursor = 0;
let found = 0;

const ctx = new MmapContext(noPages, noAnon, info);
const mm = new MmStruct(2, new MapleTree());
mm.taskSize = 2 ** 48;
mm.mmapBase = 2 ** 48 - 128 * 1024 * 1024;
// A process-like background: 64 VMAs already mapped.
for (let i = 0; i < 64; i++) sysMmap(ctx, mm, 0, P * (1 + (i % 4)), i % 2 ? PROT_READ : PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
let pairs = 0;

describe("vma", () => {
  bench(`find_vma ×${BATCH} over ${NR_VMAS} VMAs, tree height ${tree.height()} (target ≥ 10 M lookups/s = ≥ 10,000 batches/s)`, () => {
    let c = cursor;
    for (let i = 0; i < BATCH; i++) {
      if (tree.findVma(addrs[c]!) !== null) found++;
      c = (c + 1) & 0xffff;
    }
    cursor = c;
  });

  bench("mmap(64 KiB anonymous RW) + munmap, no-op MmPageOps, 64 other VMAs (target ≥ 1 M pairs/s)", () => {
    const a = sysMmap(ctx, mm, 0, 64 * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
    sysMunmap(ctx, mm, a, 64 * 1024);
    pairs++;
  });
});

/** The median of a list of figures. */
function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/** Medians over rounds of `ops` operations each: [wall, CPU time] in operations per second. */
function rates(round: () => void, ops: number, rounds: number): [number, number] {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const t0 = process.hrtime.bigint();
    const c0 = process.cpuUsage();
    round();
    const c = process.cpuUsage(c0);
    wall.push(ops / (Number(process.hrtime.bigint() - t0) / 1e9));
    cpu.push(ops / ((c.user + c.system) / 1e6));
  }
  return [median(wall), median(cpu)];
}

afterAll(() => {
  // Direct figures beside the targets, measured outside vitest's harness (whose hz is a mean):
  // medians of rounds, wall and this process's CPU time (the steadier on a loaded machine).
  const LOOKUPS = 200_000;
  const [fw, fc] = rates(() => {
    let c = cursor;
    for (let i = 0; i < LOOKUPS; i++) {
      if (tree.findVma(addrs[c]!) !== null) found++;
      c = (c + 1) & 0xffff;
    }
    cursor = c;
  }, LOOKUPS, 21);
  console.log(`find_vma over ${NR_VMAS} VMAs: median ${(fw / 1e6).toFixed(2)} M lookups/s wall, ${(fc / 1e6).toFixed(2)} M/s CPU time (target ≥ 10 M lookups/s: ${Math.max(fw, fc) >= 10e6 ? "met" : "not met"})`);
  const PAIRS = 20_000;
  const [mw, mc] = rates(() => {
    for (let i = 0; i < PAIRS; i++) {
      const a = sysMmap(ctx, mm, 0, 64 * 1024, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS);
      sysMunmap(ctx, mm, a, 64 * 1024);
      pairs++;
    }
  }, PAIRS, 21);
  console.log(`mmap+munmap (64 KiB anonymous, 64 other VMAs): median ${(mw / 1e6).toFixed(2)} M pairs/s wall, ${(mc / 1e6).toFixed(2)} M pairs/s CPU time (target ≥ 1 M pairs/s: ${Math.max(mw, mc) >= 1e6 ? "met" : "not met"})`);
  console.log(`find_vma: ${found} hits; mmap+munmap: ${pairs} pairs, map_count ${mm.mapCount}, Committed_AS ${ctx.overcommit.committedAs} pages`);
});
