// mmsim: mlock of pages already mapped (mlock_vma_pages_range), pages faulted into a VM_LOCKED VMA (mlock_vma_page) and munlock/munmap/exit (munlock_vma_page) on a booted machine — Mlocked and Unevictable in /proc/meminfo, unevictable_pgs_* in /proc/vmstat
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";

const counters = (text: string) => new Map(text.trim().split("\n").map((l) => /^([\w()]+):?\s+(\d+)/.exec(l)!).map((m) => [m[1]!, Number(m[2])]));

/** Runs `workload` and returns meminfo's Mlocked/Unevictable (kB) after each step, and the vmstat at the end. */
function run(workload: string) {
  const m = Machine.create(loadScenario(`machine:\n  memory: 64M\n  cpus: 1\n  disk:\n    size: 16M\n    files:\n      - { path: /data/f, size: 512K, contents: random }\nworkload:\n${workload}`, "mlock.yaml"));
  m.boot();
  const rows: [number, number][] = [];
  const problems: string[] = [];
  const r = m.runWorkload({
    onStep: () => {
      const mi = counters(m.readFile("/proc/meminfo")!);
      rows.push([mi.get("Mlocked")!, mi.get("Unevictable")!]);
      m.validate({ report: (where, problem) => problems.push(`${where}: ${problem}`) });
    },
  });
  expect(r.failedExpects).toEqual([]);
  expect(problems.filter((p) => !p.startsWith("pgtable "))).toEqual([]);
  return { rows, vmstat: counters(m.readFile("/proc/vmstat")!) };
}

describe("mlock and the unevictable LRU", () => {
  it("mlock of anonymous pages already mapped makes them Mlocked and unevictable; munlock gives them back", () => {
    const { rows, vmstat } = run(`  - mmap: { as: buf, size: 1M }\n  - access: { as: buf, write: true }\n  - mlock: { as: buf }\n  - munlock: { as: buf }\n`);
    expect(rows[1]).toEqual([0, 0]); // faulted in, on the anon LRU (in the CPU's batch or on a list)
    expect(rows[2]).toEqual([1024, 1024]); // mlock_pte_range → mlock_folio: 256 pages
    expect(rows[3]).toEqual([0, 0]); // munlock_folio: evictable again
    expect(vmstat.get("unevictable_pgs_mlocked")).toBe(256);
    expect(vmstat.get("unevictable_pgs_munlocked")).toBe(256);
  });

  it("a file mapping's page-cache pages are mlocked where they are mapped, and munlocked when the locked VMA is unmapped", () => {
    const { rows } = run(
      `  - open: { as: f, path: /mnt/disk/data/f, flags: [rdonly] }\n  - mmap: { as: fm, fd: f, size: 512K, prot: r, flags: [shared] }\n  - access: { as: fm }\n  - mlock: { as: fm }\n  - munmap: { as: fm }\n`,
    );
    expect(rows[2]).toEqual([0, 0]);
    expect(rows[3]).toEqual([512, 512]); // 128 page-cache pages
    expect(rows[4]).toEqual([0, 0]); // munmap of a locked VMA: munlock_vma_pages_all, the pages stay cached and evictable
  });

  it("pages faulted into a VM_LOCKED VMA later are mlocked where they are mapped (mlock_vma_page, mlock_new_folio); exit munlocks them", () => {
    const { rows } = run(
      `  - spawn:\n      as: p\n      steps:\n        - open: { as: f, path: /mnt/disk/data/f, flags: [rdonly] }\n        - mmap: { as: fm, fd: f, size: 512K, prot: r, flags: [shared] }\n` +
        `        - mlock: { as: fm, onfault: true }\n        - access: { as: fm, size: 256K }\n        - mmap: { as: a, size: 256K, flags: [private, locked] }\n  - wait: { for: p }\n`,
    );
    const [touched, populated, exited] = rows.slice(-3);
    expect(touched).toEqual([256, 256]); // MLOCK_ONFAULT faulted nothing in; the 64 pages touched are mlocked by the fault
    // MAP_LOCKED populates 64 anonymous pages, mlocked as they are added (folio_add_lru_vma →
    // mlock_new_folio): NR_MLOCK counts them at once, the unevictable list only once the CPU's
    // batch (15 pages) is moved, as in 6.1
    expect(populated![0]).toBe(512);
    expect(populated![1]).toBeGreaterThanOrEqual(512 - 15 * 4);
    expect(populated![1]).toBeLessThan(512);
    expect(exited).toEqual([0, 0]); // exit_mmap's zap: munlock_vma_page for the file pages, the anonymous ones freed
  });
});
