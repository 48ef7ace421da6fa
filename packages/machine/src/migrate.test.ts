// mmsim: page migration on a booted two-node machine (issue 18 part 1) — move_pages(2) and migrate_pages(2) over @mmsim/migrate: anonymous, shared anonymous, file (disk, tmpfs), swap-cache, mlocked pages and THPs (whole) move with their contents, flags and mappings; pinned pages and dirty ramfs pages do not; the counters and tracepoints as 6.1's
import { MIGRATE_ASYNC, MIGRATE_SYNC, MIGRATE_SYNC_LIGHT, MR_COMPACTION, PG_mlocked, PG_unevictable, PG_writeback, TRACE_BUS, WORKLOAD_STATE, pageToNid, resolveToken } from "@mmsim/core";
import { TraceRecorder } from "@mmsim/core/testing";
import { NULL_ENTRY, PTE_VALID, pgdOffsetPgd, pmdOffset, ptePfn, pteOffsetKernel, pudOffset } from "@mmsim/hw-arm64";
import { MIGRATE, NodeMigrationTarget } from "@mmsim/migrate";
import { isMigrationPte } from "@mmsim/rmap";
import type { TaskStruct } from "@mmsim/vma";
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";
import { MMAP_FAMILY, type MmapHandle } from "./process/syscall.ts";

const counters = (text: string) => new Map(text.trim().split("\n").map((l) => /^([\w()]+):?\s+(\d+)/.exec(l)!).map((m) => [m[1]!, Number(m[2])]));

/** A machine that ran `steps` with `probe(m, done)` called after every step. */
function run(machineYaml: string, steps: string, probe?: (m: Machine, done: number) => void) {
  const m = Machine.create(loadScenario(`machine:\n${machineYaml}workload:\n${steps}`, "migrate.yaml"));
  m.boot();
  const problems: string[] = [];
  const r = m.runWorkload({
    onStep: (done) => {
      m.validate({ report: (where, problem) => problems.push(`step ${done}: ${where}: ${problem}`) });
      probe?.(m, done);
    },
  });
  expect(r.failedExpects).toEqual([]);
  expect(problems.filter((p) => !p.includes("pgtable "))).toEqual([]);
  expect(m.log.dmesg()).not.toContain("Bad page state");
  return m;
}

const TWO_NODES = "  memory: 512M\n  cpus: 1\n  nodes: 2\n";

/** The pfn each page of a named mapping of `task` maps (-1: none present), read from its page tables. */
function pfns(m: Machine, task: TaskStruct, as: string): number[] {
  const h = resolveToken(m.container, WORKLOAD_STATE).handles.get<MmapHandle>(MMAP_FAMILY, as)!;
  const store = m.processes.memory.store;
  const out: number[] = [];
  for (let a = h.start; a < h.start + h.len; a += 4096) {
    const pudp = pudOffset(store, pgdOffsetPgd(store, task.mm!.pgtables!.pgd, a), a);
    const pmdp = pudp === NULL_ENTRY ? NULL_ENTRY : pmdOffset(store, pudp, a);
    if (pmdp === NULL_ENTRY || (store.readLo(pmdp) & 3) !== 3) {
      out.push(-1);
      continue;
    }
    const ptep = pteOffsetKernel(store, pmdp, a);
    const lo = store.readLo(ptep);
    const hi = store.readHi(ptep);
    expect(isMigrationPte(lo, hi)).toBe(false);
    out.push((lo & PTE_VALID) !== 0 ? ptePfn(lo, hi) : -1);
  }
  return out;
}

const nid = (m: Machine, pfn: number) => pageToNid(m.buddy.state.mem, m.buddy.state.mem.pfnToPage(pfn));
const vmstat = (m: Machine) => counters(m.readFile("/proc/vmstat")!);

describe("move_pages(2) and migrate_pages(2) on a two-node board", () => {
  it("moves 1,024 written anonymous pages to node 1 with their contents, mappings and counters, and back with migrate_pages", () => {
    const seen: { pfns: number[]; contents: number[]; nodes: number[]; anon: number[] }[] = [];
    const m = run(TWO_NODES, "  - mmap: { as: buf, size: 4M }\n  - access: { as: buf, write: true, content: random }\n  - move_pages: { as: buf, node: 1 }\n  - migrate_pages: { from: 1, to: 0 }\n  - access: { as: buf }\n", (mm, done) => {
      if (done < 2 || done > 4) return;
      const p = pfns(mm, mm.processes.current, "buf");
      const z = mm.readFile("/proc/zoneinfo")!;
      seen.push({
        pfns: p,
        contents: p.map((f) => mm.processes.memory.contents.get(f)),
        nodes: p.map((f) => nid(mm, f)),
        anon: [...z.matchAll(/nr_anon_pages\s+(\d+)/g)].map((x) => Number(x[1])),
      });
    });
    const [written, moved, back] = seen;
    expect(written!.nodes.every((n) => n === 0)).toBe(true);
    expect(moved!.nodes.every((n) => n === 1)).toBe(true);
    expect(back!.nodes.every((n) => n === 0)).toBe(true);
    // the bytes came along (folio_copy): the same content identities, all distinct (random)
    expect(moved!.contents).toEqual(written!.contents);
    expect(back!.contents).toEqual(written!.contents);
    expect(new Set(written!.contents).size).toBe(1024);
    expect(moved!.pfns.some((f, i) => f === written!.pfns[i])).toBe(false);
    // nr_anon_pages (NR_ANON_MAPPED per node) followed the pages
    expect(moved!.anon[1]! - written!.anon[1]!).toBe(1024);
    expect(written!.anon[0]! - moved!.anon[0]!).toBe(1024);
    const v = vmstat(m);
    expect(v.get("pgmigrate_success")).toBe(2048);
    expect(v.get("pgmigrate_fail")).toBe(0);
    // the syscalls' results: 0 pages left behind
    const calls = m.readFile("/sys/kernel/debug/mmsim/syscalls")!;
    expect(calls).toMatch(/move_pages = 0\n/);
  });

  it("fires mm_migrate_pages_start and mm_migrate_pages in 6.1's format", () => {
    let rec: TraceRecorder | null = null;
    run(TWO_NODES, "  - mmap: { as: buf, size: 64K }\n  - access: { as: buf, write: true }\n  - move_pages: { as: buf, node: 1 }\n", (m, done) => {
      if (done === 2) rec = new TraceRecorder(resolveToken(m.container, TRACE_BUS));
    });
    const texts = rec!.events.filter((e) => e.name.startsWith("mm_migrate")).map((e) => e.text);
    expect(texts).toEqual([
      "mm_migrate_pages_start: mode=MIGRATE_SYNC reason=syscall_or_cpuset",
      "mm_migrate_pages: nr_succeeded=16 nr_failed=0 nr_thp_succeeded=0 nr_thp_failed=0 nr_thp_split=0 mode=MIGRATE_SYNC reason=syscall_or_cpuset",
    ]);
  });

  it("pages two processes map move only with MPOL_MF_MOVE_ALL, and then both map the new pages (mapcount 2)", () => {
    const snaps: { parent: number[]; child: number[]; mapcounts: number[] }[] = [];
    const m = run(
      TWO_NODES,
      "  - mmap: { as: buf, size: 64K }\n  - access: { as: buf, write: true, content: random }\n  - fork: { as: c, steps: [ { move_pages: { as: buf, node: 1 } }, { move_pages: { as: buf, node: 1, all: true } }, { sleep: 1 } ] }\n  - wait: { for: c }\n",
      (mm) => {
        const tasks = mm.processes.tasks.list().filter((t) => t.mm !== null);
        const parent = tasks.find((t) => t.pid === 1);
        const child = tasks.find((t) => t.pid !== 1);
        if (parent === undefined || child === undefined) return;
        const p = pfns(mm, parent, "buf");
        const mem = mm.buddy.state.mem;
        snaps.push({ parent: p, child: pfns(mm, child, "buf"), mapcounts: p.map((f) => mem.mapcount[mem.pfnToPage(f)]! + 1) });
      },
    );
    // after the fork both map the same 16 frames on node 0; the first move_pages leaves them (-EACCES: mapcount 2)
    const first = snaps[0]!;
    expect(first.child).toEqual(first.parent);
    const last = snaps[snaps.length - 1]!;
    expect(last.child).toEqual(last.parent);
    expect(last.parent.every((f) => nid(m, f) === 1)).toBe(true);
    expect(last.mapcounts.every((c) => c === 2)).toBe(true);
    expect(vmstat(m).get("pgmigrate_success")).toBe(16);
  });

  it("moves tmpfs pages of a shared mapping and disk-file pages of a private one: the page-cache slot, NR_SHMEM / NR_FILE_PAGES and the dirty count follow", () => {
    const snaps: { shm: number[]; disk: number[]; z: string; shmC: number[] }[] = [];
    const m = run(
      TWO_NODES + "  disk:\n    size: 16M\n    files:\n      - { path: /data/f, size: 64K, contents: random }\n",
      [
        "  - open: { as: t, path: /tmp/t, flags: [rdwr, creat] }",
        "  - ftruncate: { fd: t, size: 64K }",
        "  - mmap: { as: shm, size: 64K, fd: t, flags: [shared] }",
        "  - access: { as: shm, write: true, content: random }",
        "  - mmap: { as: disk, size: 64K, path: /mnt/disk/data/f, flags: [private], prot: r }",
        "  - access: { as: disk }",
        "  - move_pages: { as: shm, node: 1 }",
        "  - move_pages: { as: disk, node: 1 }",
        "",
      ].join("\n"),
      (mm, done) => {
        if (done !== 6 && done !== 8) return;
        const t = mm.processes.current;
        const shm = pfns(mm, t, "shm");
        snaps.push({ shm, disk: pfns(mm, t, "disk"), z: mm.readFile("/proc/zoneinfo")!, shmC: shm.map((f) => mm.processes.memory.contents.get(f)) });
      },
    );
    const [before, after] = snaps;
    expect(before!.shm.every((f) => nid(m, f) === 0) && before!.disk.every((f) => nid(m, f) === 0)).toBe(true);
    expect(after!.shm.every((f) => nid(m, f) === 1) && after!.disk.every((f) => nid(m, f) === 1)).toBe(true);
    expect(after!.shmC).toEqual(before!.shmC);
    const perNode = (z: string, field: string) => [...z.matchAll(new RegExp(`\\s${field}\\s+(\\d+)`, "g"))].map((x) => Number(x[1]));
    expect(perNode(after!.z, "nr_shmem")[1]! - perNode(before!.z, "nr_shmem")[1]!).toBe(16);
    expect(perNode(after!.z, "nr_file_pages")[1]! - perNode(before!.z, "nr_file_pages")[1]!).toBe(32);
    expect(perNode(after!.z, "nr_mapped")[1]! - perNode(before!.z, "nr_mapped")[1]!).toBe(32);
    expect(vmstat(m).get("pgmigrate_success")).toBe(32);
  });

  it("moves swap-cache pages (the swap cache's slot holds the new page; the other process's swap-in finds it there)", () => {
    let swapCached = -1;
    const m = run(
      TWO_NODES,
      [
        "  - zram: { size: 16M }",
        "  - mmap: { as: buf, size: 64K }",
        "  - access: { as: buf, write: true, content: random }",
        "  - madvise: { as: buf, advice: pageout }",
        "  - fork: { as: c, steps: [ { sleep: 10 }, { access: { as: buf } } ] }",
        "  - access: { as: buf }",
        "  - move_pages: { as: buf, node: 1 }",
        "  - wait: { for: c }",
        "",
      ].join("\n"),
      (mm, done) => {
        if (done === 7) swapCached = counters(mm.readFile("/proc/meminfo")!).get("SwapCached")!;
      },
    );
    expect(swapCached).toBe(64);
    const v = vmstat(m);
    expect(v.get("pgmigrate_success")).toBe(16);
    expect(v.get("pswpin")).toBeLessThanOrEqual(16); // the child found the moved pages in the swap cache: no second read
  });

  it("mlocked pages stay mlocked and unevictable on their new node", () => {
    let mlocked: number[] = [];
    const m = run(TWO_NODES, "  - mmap: { as: buf, size: 64K }\n  - access: { as: buf, write: true }\n  - mlock: { as: buf }\n  - move_pages: { as: buf, node: 1 }\n", (mm, done) => {
      if (done !== 4) return;
      mlocked = [counters(mm.readFile("/proc/meminfo")!).get("Mlocked")!];
      const mem = mm.buddy.state.mem;
      for (const f of pfns(mm, mm.processes.current, "buf")) {
        expect(nid(mm, f)).toBe(1);
        expect((mem.flags[mem.pfnToPage(f)]! >> PG_mlocked) & 1).toBe(1);
        expect((mem.flags[mem.pfnToPage(f)]! >> PG_unevictable) & 1).toBe(1);
      }
    });
    expect(mlocked).toEqual([64]);
    expect(vmstat(m).get("pgmigrate_success")).toBe(16);
  });

  it("a THP migrates whole (PMD migration entries): thp_migration_success and 512 pages in pgmigrate_success; its huge PMD now maps node 1", () => {
    let r = "";
    let before = -1;
    const m = run("  memory: 1G\n  cpus: 1\n  nodes: 2\n", "  - mmap: { as: buf, size: 4M }\n  - access: { as: buf, write: true }\n  - move_pages: { as: buf, node: 1, offset: 2M, size: 4K }\n", (mm, done) => {
      const h = resolveToken(mm.container, WORKLOAD_STATE).handles.get<MmapHandle>(MMAP_FAMILY, "buf")!;
      const store = mm.processes.memory.store;
      const addr = h.start + 2 * 2 ** 20 - ((h.start + 2 * 2 ** 20) % 2 ** 21); // the PMD holding buf + 2M
      const pmdp = pmdOffset(store, pudOffset(store, pgdOffsetPgd(store, mm.processes.current.mm!.pgtables!.pgd, addr), addr), addr);
      const lo = store.readLo(pmdp);
      if (done === 2) {
        expect(lo & 3).toBe(1); // a huge PMD
        before = ptePfn(lo, store.readHi(pmdp));
        expect(nid(mm, before)).toBe(0);
      }
      if (done === 3) {
        r = mm.readFile("/sys/kernel/debug/mmsim/syscalls")!;
        expect(lo & 3).toBe(1);
        const after = ptePfn(lo, store.readHi(pmdp));
        expect(after).not.toBe(before);
        expect(nid(mm, after)).toBe(1);
      }
    });
    const v = vmstat(m);
    expect(counters(m.readFile("/proc/meminfo")!).get("AnonHugePages")).toBeGreaterThanOrEqual(2048);
    expect(v.get("thp_migration_success")).toBe(1);
    expect(v.get("thp_migration_fail")).toBe(0);
    expect(v.get("pgmigrate_success")).toBe(512);
    expect(v.get("pgmigrate_fail")).toBe(0);
    expect(r).toMatch(/move_pages = 0\n/);
  });

  it("a pinned page (an extra reference, as get_user_pages takes) fails after 10 passes; the others move", () => {
    let pinned = -1;
    const m = run(TWO_NODES, "  - mmap: { as: buf, size: 64K }\n  - access: { as: buf, write: true }\n  - move_pages: { as: buf, node: 1 }\n", (mm, done) => {
      const mem = mm.buddy.state.mem;
      if (done === 2) {
        pinned = pfns(mm, mm.processes.current, "buf")[3]!;
        mem.refcount[mem.pfnToPage(pinned)]!++; // the pin
      }
      if (done === 3) {
        const now = pfns(mm, mm.processes.current, "buf");
        expect(now[3]).toBe(pinned); // still mapped where it was, PTE restored from its migration entry
        expect(now.filter((f) => nid(mm, f) === 1)).toHaveLength(15);
        mem.refcount[mem.pfnToPage(pinned)]!--; // unpin
      }
    });
    const v = vmstat(m);
    expect(v.get("pgmigrate_success")).toBe(15);
    expect(v.get("pgmigrate_fail")).toBe(1);
    expect(m.readFile("/sys/kernel/debug/mmsim/syscalls")).toMatch(/move_pages = 1\n/);
  });

  it("modes as 6.1's: a page under writeback is skipped by async isolation and refused (-EBUSY) by SYNC_LIGHT; a dirty ramfs page (no migrate_folio) needs MIGRATE_SYNC and then fails (-EINVAL: no writepage); no target page is -ENOMEM", () => {
    run(
      TWO_NODES,
      "  - mkdir: { path: /tmp/rd }\n  - mount: { path: /tmp/rd, fstype: ramfs }\n  - open: { as: r, path: /tmp/rd/r, flags: [rdwr, creat] }\n  - pwrite: { fd: r, size: 4K, offset: 0 }\n  - mmap: { as: buf, size: 8K }\n  - access: { as: buf, write: true }\n",
      (mm, done) => {
        if (done !== 6) return;
        const { migrator } = resolveToken(mm.container, MIGRATE);
        const mem = mm.buddy.state.mem;
        mm.processes.memory.lru?.lruAddDrainAll();
        const target = new NodeMigrationTarget(mm.buddy);
        target.nid = 1;
        const list = new Int32Array(4);
        const res = { nrFailed: 0, nrSucceeded: 0, nrFailedNoMem: 0 };
        const before = vmstat(mm);
        // writeback
        const [a0, a1] = pfns(mm, mm.processes.current, "buf");
        const p0 = mem.pfnToPage(a0!);
        mem.flags[p0] = mem.flags[p0]! | (1 << PG_writeback);
        expect(migrator.isolateForMigration(a0!, MIGRATE_ASYNC)).toBe(false);
        expect(migrator.isolateForMigration(a0!, MIGRATE_SYNC_LIGHT)).toBe(true);
        list[0] = a0!;
        migrator.migratePages(list, 1, target, MIGRATE_SYNC_LIGHT, MR_COMPACTION, res);
        expect(res).toEqual({ nrFailed: 1, nrSucceeded: 0, nrFailedNoMem: 0 });
        migrator.putbackMovablePages(list, res.nrFailed);
        mem.flags[p0] = mem.flags[p0]! & ~(1 << PG_writeback);
        // ramfs: dirty, no migrate_folio
        const mapping = [...mm.processes.memory.rmap.fileMappings.values()].find((x) => {
          const a = x as unknown as { aOps?: { name: string }; nrpages: number };
          return a.aOps?.name === "ram_aops" && a.nrpages > 0;
        }) as unknown as { iPages: { load(i: number): number } };
        const rpage = mapping.iPages.load(0) - 1;
        const rpfn = mem.pageToPfn(rpage);
        expect(migrator.isolateForMigration(rpfn, MIGRATE_ASYNC)).toBe(false);
        expect(migrator.isolateForMigration(rpfn, MIGRATE_SYNC)).toBe(true);
        list[0] = rpfn;
        migrator.migratePages(list, 1, target, MIGRATE_SYNC, MR_COMPACTION, res);
        expect(res).toEqual({ nrFailed: 1, nrSucceeded: 0, nrFailedNoMem: 0 });
        migrator.putbackMovablePages(list, 1);
        // no memory on the target side
        expect(migrator.isolateForMigration(a1!, MIGRATE_SYNC)).toBe(true);
        list[0] = a1!;
        migrator.migratePages(list, 1, { getNewPage: () => -1, putNewPage: () => {} }, MIGRATE_SYNC, MR_COMPACTION, res);
        expect(res).toEqual({ nrFailed: 1, nrSucceeded: 0, nrFailedNoMem: 1 });
        migrator.putbackMovablePages(list, 1);
        const after = vmstat(mm);
        expect(after.get("pgmigrate_fail")! - before.get("pgmigrate_fail")!).toBe(3);
        expect(after.get("pgmigrate_success")).toBe(before.get("pgmigrate_success"));
        expect([...mm.readFile("/proc/zoneinfo")!.matchAll(/nr_isolated_(anon|file)\s+(\d+)/g)].map((x) => Number(x[2]))).toEqual([0, 0, 0, 0]);
      },
    );
  });
});
