// mmsim: the slab shrinkers end to end (issue 16, second landing, part D) — the dentries and inodes of a disk's files as objects of `dentry` and `ext4_inode_cache`, freed by vm.drop_caches=2 and by reclaim, kept by vfs_cache_pressure=0; the real kernel's capture of the same steps (tests/conformance/fixtures/shrink/linux-6.1-arm64/dcache-shrink) gives the figures compared
import { DEF_PRIORITY, GFP_KERNEL, SLABS_SCANNED, ScanControl, VM_STAT, resolveToken } from "@mmsim/core";
import { CollectingSink } from "@mmsim/core/testing";
import { VFS } from "@mmsim/filemap";
import { VMSCAN } from "@mmsim/reclaim";
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";

/** Files created in /mnt/disk/d, one page each (the capture's `echo x > f$i`). */
const NFILES = 400;

function createFiles(n: number): string {
  let y = "  - mkdir: { path: /mnt/disk/d }\n";
  for (let i = 0; i < n; i++) {
    y += `  - open: { as: f${i}, path: /mnt/disk/d/f${i}, flags: [wronly, creat] }\n`;
    y += `  - write: { fd: f${i}, size: 2, content: text, value: 1, returns: 2 }\n`;
    y += `  - close: { fd: f${i} }\n`;
  }
  return y;
}

function readFiles(n: number): string {
  let y = "";
  for (let i = 0; i < n; i++) {
    y += `  - open: { as: r${i}, path: /mnt/disk/d/f${i}, flags: [rdonly] }\n`;
    y += `  - read: { fd: r${i}, size: 2, returns: 2 }\n`;
    y += `  - close: { fd: r${i} }\n`;
  }
  return y;
}

const SNAP = "  - show: /proc/slabinfo\n  - show: /proc/vmstat\n  - show: /proc/meminfo\n";

interface Snap {
  /** Dentries and inodes alive (the Vfs's nr_dentry and nr_inodes, exact: slabinfo's active_objs counts SLUB's CPU-slab free objects too). */
  readonly nrDentry: number;
  readonly nrInodes: number;
  readonly dentry: number;
  readonly inodes: number;
  readonly slabsScanned: number;
  readonly sreclaimable: number;
  readonly dropSlab: number;
}

/** Runs `workload` on a 256 MiB machine with a disk (validated at every show); returns the snapshots, three shows each. */
function run(workload: string, sysctl = ""): Snap[] {
  const m = Machine.create(loadScenario(`machine:\n  memory: 256M\n  disk: { size: 64M, files: [] }\nkernel: { sysctl: { randomize_va_space: 0${sysctl} } }\nworkload:\n${workload}`, "dcache.yaml"));
  const shows: string[] = [];
  const live: [number, number][] = [];
  const problems: string[] = [];
  const check = () => {
    const sink = new CollectingSink();
    m.validate(sink);
    if (!sink.ok) problems.push(sink.toString());
  };
  const r = m.runWorkload({
    onShow: (_path, text) => {
      shows.push(text);
      if (shows.length % 3 === 0) {
        const vfs = resolveToken(m.container, VFS);
        live.push([vfs.nrDentry, vfs.nrInodes]);
        check();
      }
    },
  });
  check();
  expect(problems).toEqual([]);
  expect(r.failedExpects).toEqual([]);
  const snaps: Snap[] = [];
  for (let i = 0; i + 2 < shows.length; i += 3) {
    const [slab, vmstat, meminfo] = [shows[i]!, shows[i + 1]!, shows[i + 2]!];
    const active = (name: string): number => Number(new RegExp(`^${name} +(\\d+)`, "m").exec(slab)?.[1] ?? 0);
    const vm = (f: string): number => Number(new RegExp(`^${f} (\\d+)$`, "m").exec(vmstat)![1]);
    snaps.push({
      nrDentry: live[i / 3]![0],
      nrInodes: live[i / 3]![1],
      dentry: active("dentry"),
      inodes: active("ext4_inode_cache"),
      slabsScanned: vm("slabs_scanned"),
      dropSlab: vm("drop_slab"),
      sreclaimable: Number(/^SReclaimable:\s+(\d+) kB/m.exec(meminfo)![1]),
    });
  }
  return snaps;
}

describe("the dentry and inode caches of a disk under the shrinkers", () => {
  it("drop_caches=2 frees the unused dentries, not the inodes with page cache; 3 frees those too (the capture's order)", { timeout: 120_000 }, () => {
    // the sleep lets the flusher write the files back (the capture's `sync`): clean pages drop_caches=1 can drop
    const [created, drop2, reread, drop3] = run(`${createFiles(NFILES)}  - sleep: 40000\n${SNAP}  - sysctl: { name: drop_caches, value: 2 }\n${SNAP}${readFiles(NFILES)}${SNAP}  - sysctl: { name: drop_caches, value: 3 }\n${SNAP}`);
    // every file made a dentry and an inode of the ext4 driver's cache (the mkdir one more each);
    // SLUB's active_objs counts the free objects of the CPU slabs too, hence ≥
    expect(created!.dentry).toBeGreaterThanOrEqual(NFILES + 1);
    expect(created!.inodes).toBeGreaterThanOrEqual(NFILES + 1);
    expect(created!.slabsScanned).toBe(0);
    // drop_slab: the dentries go (their directory's too, once its children are gone), their
    // slabs with them; the inodes stay, each still holding its page (mapping_shrinkable: the
    // capture's ext4_inode_cache 2015 → 2015)
    // (lost+found's, cached since the mount, goes too)
    expect(drop2!.nrDentry).toBeLessThanOrEqual(created!.nrDentry - (NFILES + 1));
    expect(drop2!.dentry).toBeLessThan(created!.dentry);
    expect(drop2!.nrInodes).toBe(created!.nrInodes - 2); // lost+found's and d's inodes have no page cache: they go
    expect(drop2!.inodes).toBe(created!.inodes);
    expect(drop2!.slabsScanned).toBeGreaterThanOrEqual(NFILES + 1);
    expect(drop2!.dropSlab).toBe(1);
    expect(drop2!.sreclaimable).toBeLessThan(created!.sreclaimable);
    // reading them again looks each name up on the disk: new dentries, the cached inodes found (iget)
    expect(reread!.nrDentry).toBe(drop2!.nrDentry + NFILES + 1);
    expect(reread!.nrInodes).toBe(drop2!.nrInodes + 1); // d's, read again
    expect(reread!.inodes).toBe(created!.inodes);
    // 3: the page cache first, so the inodes join the LRU and go with the dentries
    expect(drop3!.nrDentry).toBe(drop2!.nrDentry);
    expect(drop3!.nrInodes).toBe(drop2!.nrInodes - NFILES);
    expect(drop3!.inodes).toBeLessThan(created!.inodes / 2);
    expect(drop3!.sreclaimable).toBeLessThan(reread!.sreclaimable);
  });

  it("vfs_cache_pressure=0 keeps them: super_cache_count reports nothing, so nothing is scanned (the capture's drop2_pressure0)", { timeout: 120_000 }, () => {
    const [created, drop2] = run(`${createFiles(NFILES)}${SNAP}  - sysctl: { name: drop_caches, value: 2 }\n${SNAP}`, ", vfs_cache_pressure: 0");
    expect(drop2!.nrDentry).toBe(created!.nrDentry);
    expect(drop2!.nrInodes).toBe(created!.nrInodes);
    expect(drop2!.dentry).toBe(created!.dentry);
    expect(drop2!.inodes).toBe(created!.inodes);
    expect(drop2!.slabsScanned).toBe(0);
    expect(drop2!.dropSlab).toBe(1);
  });

  it("reclaim shrinks them: at DEF_PRIORITY a small cache is left alone; at priority 0 shrink_node takes the files' pages, then shrink_slab their dentries and inodes", { timeout: 120_000 }, () => {
    const m = Machine.create(loadScenario(`machine:\n  memory: 256M\n  disk: { size: 64M, files: [] }\nworkload:\n${createFiles(NFILES)}  - sleep: 40000\n`, "dcache.yaml"));
    const r = m.runWorkload(); // the sleep lets the flusher write the files back: their pages are clean
    expect(r.failedExpects).toEqual([]);
    const vfs = resolveToken(m.container, VFS);
    const vmscan = resolveToken(m.container, VMSCAN);
    const counters = resolveToken(m.container, VM_STAT);
    const sb = vfs.superBlocks.find((s) => s.sType.name === "ext2")!;
    const shrinker = sb.sShrink!;
    expect(vmscan.shrinkers.shrinkers).toContain(shrinker);
    const dentries = vfs.nrDentry;
    const inodes = vfs.nrInodes;
    const sc = new ScanControl();
    sc.gfpMask = GFP_KERNEL;
    sc.nrToReclaim = 1 << 20;
    sc.priority = DEF_PRIORITY;
    vmscan.shrinkNode(0, sc);
    // (≈402 unused dentries >> 12) × 4 / 2 = 0: nothing scanned, nothing deferred
    expect(counters.vmEvents[SLABS_SCANNED]).toBe(0);
    expect(vfs.nrDentry).toBe(dentries);
    sc.priority = 0;
    for (let i = 0; i < 4; i++) vmscan.shrinkNode(0, sc);
    expect(counters.vmEvents[SLABS_SCANNED]).toBeGreaterThan(0);
    // every dentry of the disk goes (the directory's with its last child); tmpfs' stay pinned
    expect(vfs.nrDentry).toBeLessThanOrEqual(dentries - (NFILES + 2));
    expect(sb.sDentryLru.size).toBe(0);
    // the inodes whose page went in shrink_lruvec (__remove_mapping put each emptied inode on the
    // LRU) go too; the last files' pages still sit in the CPU's LRU batch (up to PAGEVEC_SIZE = 15,
    // not on a list yet), so their inodes keep their page and stay, off the LRU
    expect(vfs.nrInodes).toBeLessThanOrEqual(inodes - (NFILES + 1) + 15);
    for (const inode of sb.sInodes) if (inode.iIno !== 2) expect(inode.iMapping.nrpages).toBe(1);
    expect(sc.nrReclaimed).toBeGreaterThan(NFILES);
    const sink = new CollectingSink();
    m.validate(sink);
    expect(sink.ok ? "" : sink.toString()).toBe("");
  });
});
