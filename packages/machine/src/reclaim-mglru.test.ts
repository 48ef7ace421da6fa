// mmsim: MGLRU on a booted machine — kernel.policies.reclaim: mglru reading a file larger than RAM beside kswapd, /sys/kernel/debug/lru_gen's generations, and /sys/kernel/mm/lru_gen/enabled switching policies at run time with every page kept on a list
import { NR_ACTIVE_ANON, NR_ACTIVE_FILE, NR_INACTIVE_ANON, NR_INACTIVE_FILE, NR_UNEVICTABLE, VM_STAT, resolveToken } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";

function boot(yaml: string) {
  const m = Machine.create(loadScenario(yaml, "reclaim-mglru.yaml"));
  m.boot();
  const problems: string[] = [];
  const sink = { report: (where: string, problem: string) => problems.push(`${where}: ${problem}`) };
  return { m, problems, sink };
}

const vmstatOf = (m: Machine) => new Map(m.readFile("/proc/vmstat")!.trim().split("\n").map((l) => l.split(" ") as [string, string]).map(([k, v]) => [k, Number(v)]));

/** Node 0's LRU counters: [inactive anon, active anon, inactive file, active file, unevictable]. */
function lruSizes(m: Machine): number[] {
  const node = resolveToken(m.container, VM_STAT).nodeVmStat;
  return [NR_INACTIVE_ANON, NR_ACTIVE_ANON, NR_INACTIVE_FILE, NR_ACTIVE_FILE, NR_UNEVICTABLE].map((i) => node[i]!);
}

/** The generations of node 0 in /sys/kernel/debug/lru_gen: [gen, age_ms, anon, file] rows. */
function generations(text: string): number[][] {
  return text.split("\n").filter((l) => /^\s+\d+\s+\d+\s+\d+\s+\d+\s*$/.test(l)).map((l) => l.trim().split(/\s+/).map(Number));
}

const BIG_READ = `machine:\n  memory: 64M\n  cpus: 2\n  disk:\n    size: 128M\n    files:\n      - { path: /data/big, size: 80M, contents: random }\nkernel:\n  policies:\n    reclaim: mglru\nworkload:\n  - open: { as: f, path: /mnt/disk/data/big, flags: [rdonly] }\n  - read: { fd: f, size: 80M, returns: 80M }\n  - sleep: 1000\n`;

const MIXED = (policy: string) =>
  `machine:\n  memory: 96M\n  cpus: 2\n  disk:\n    size: 64M\n    files:\n      - { path: /data/c, size: 24M, contents: random }\nkernel:\n  policies:\n    reclaim: ${policy}\n` +
  `workload:\n  - open: { as: f, path: /mnt/disk/data/c, flags: [rdonly] }\n  - read: { fd: f, size: 24M, returns: 24M }\n  - mmap: { as: buf, size: 16M }\n  - access: { as: buf, write: true }\n  - mmap: { as: locked, size: 1M }\n  - mlock: { as: locked }\n`;

describe("MGLRU on the machine", () => {
  // A few seconds on a loaded 2-core host: 20,480 pages read through readahead and reclaimed.
  it("a file larger than RAM under kernel.policies.reclaim: mglru: kswapd evicts the oldest generation, lru_gen shows the generations, validate() is clean", { timeout: 120_000 }, () => {
    const { m, problems, sink } = boot(BIG_READ);
    expect(m.readFile("/sys/kernel/mm/lru_gen/enabled")).toBe("0x0001\n");
    const r = m.runWorkload({ onStep: () => m.validate(sink) });
    expect(r.failedExpects).toEqual([]);
    expect(problems.filter((p) => !p.startsWith("pgtable "))).toEqual([]);
    const v = vmstatOf(m);
    expect(v.get("pageoutrun")).toBeGreaterThan(0);
    expect(v.get("pgsteal_kswapd")).toBeGreaterThan(8_000);
    expect(v.get("pgsteal_kswapd")!).toBeGreaterThan(10 * v.get("pgsteal_direct")!);
    expect(v.get("pgsteal_anon")).toBe(0); // no swap: get_swappiness() is 0
    const text = m.readFile("/sys/kernel/debug/lru_gen")!;
    expect(text).toMatch(/^memcg {5}1 \/\n node {5}0\n/); // "memcg %5hu %s\n", " node %5d\n"
    const gens = generations(text);
    expect(gens.length).toBeGreaterThanOrEqual(2); // MIN_NR_GENS at least
    expect(gens.length).toBeLessThanOrEqual(4); // MAX_NR_GENS at most
    const filePages = gens.reduce((s, g) => s + g[3]!, 0);
    const sizes = lruSizes(m);
    expect(filePages).toBe(sizes[2]! + sizes[3]!); // the generations hold every file page on the LRU
    expect(filePages).toBeGreaterThan(1000);
    expect(m.readFile("/sys/kernel/debug/lru_gen_full")).toContain(" node     0\n");
  });

  it("the lru_gen files exist under the classic LRU too: enabled reads 0x0000, the generations are empty", () => {
    const { m } = boot(MIXED("lru"));
    expect(m.readFile("/sys/kernel/mm/lru_gen/enabled")).toBe("0x0000\n");
    expect(m.readFile("/sys/kernel/mm/lru_gen/min_ttl_ms")).toBe("0\n");
    m.writeFile("/sys/kernel/mm/lru_gen/min_ttl_ms", "1000");
    expect(m.readFile("/sys/kernel/mm/lru_gen/min_ttl_ms")).toBe("1000\n");
    expect(generations(m.readFile("/sys/kernel/debug/lru_gen")!).every((g) => g[2] === 0 && g[3] === 0)).toBe(true);
  });

  for (const [boots, first, second] of [["lru", "y", "n"], ["mglru", "n", "y"]] as const) {
    it(`switching at run time (booted with ${boots}: ${first} then ${second} to /sys/kernel/mm/lru_gen/enabled) keeps every page on a list`, { timeout: 60_000 }, () => {
      const { m, problems, sink } = boot(MIXED(boots));
      const r = m.runWorkload({ onStep: () => m.validate(sink) });
      expect(r.failedExpects).toEqual([]);
      const before = lruSizes(m);
      const total = (s: number[]) => s[0]! + s[1]! + s[2]! + s[3]!;
      expect(total(before)).toBeGreaterThan(8_000); // 24 MiB of cache + 16 MiB of anon
      // the mlocked MiB, but for the pages still waiting in a CPU's lru_add batch (≤ 15 per CPU)
      expect(before[4]).toBeLessThanOrEqual(256);
      expect(before[4]).toBeGreaterThan(256 - 2 * 15);
      // The switch drains the per-CPU batches first (LruCore.switchPolicy), so the pages that waited
      // there join the lists at the first switch; from then on every count stays as it is.
      let prev = before;
      const all = (s: number[]) => total(s) + s[4]!;
      for (const w of [first, second]) {
        m.writeFile("/sys/kernel/mm/lru_gen/enabled", `${w}\n`);
        expect(m.readFile("/sys/kernel/mm/lru_gen/enabled")).toBe(w === "y" ? "0x0001\n" : "0x0000\n");
        m.validate(sink);
        expect(problems.filter((p) => !p.startsWith("pgtable "))).toEqual([]);
        const after = lruSizes(m);
        if (prev === before) {
          expect(all(after) - all(before)).toBeGreaterThanOrEqual(0);
          expect(all(after) - all(before)).toBeLessThanOrEqual(2 * 15);
        } else {
          expect(total(after)).toBe(total(prev)); // Active + Inactive unchanged
          expect(after[0]! + after[1]!).toBe(prev[0]! + prev[1]!);
        }
        expect(after[4]).toBe(256); // every mlocked page on the unevictable list
        prev = after;
        const gens = generations(m.readFile("/sys/kernel/debug/lru_gen")!);
        const inGens = gens.reduce((s, g) => s + g[2]! + g[3]!, 0);
        expect(inGens).toBe(w === "y" ? total(after) : 0);
      }
    });
  }

  it("pages faulted in join the youngest generation (folio_add_lru in a fault: PG_active); read(2) pages the oldest", () => {
    const { m } = boot(MIXED("mglru"));
    m.runWorkload({});
    const [inactiveAnon, activeAnon, , activeFile] = lruSizes(m);
    expect(activeAnon).toBeGreaterThanOrEqual(4096); // the 16 MiB written through faults
    expect(inactiveAnon).toBeLessThan(16);
    expect(activeFile).toBeLessThan(64); // the 24 MiB read(2) went to min_seq
    const { m: classic } = boot(MIXED("lru"));
    classic.runWorkload({});
    expect(lruSizes(classic)[1]).toBeLessThan(16); // the classic LRU adds new anonymous pages inactive
  });

  it("look-around: evicting the generation of a mapped, accessed file promotes it through lru_gen_look_around and keeps it; read(2) pages go", () => {
    const { m } = boot(
      `machine:\n  memory: 64M\n  cpus: 1\n  disk:\n    size: 64M\n    files:\n      - { path: /data/hot, size: 8M, contents: random }\n      - { path: /data/cold, size: 8M, contents: random }\n` +
        `kernel:\n  policies:\n    reclaim: mglru\nworkload:\n  - open: { as: h, path: /mnt/disk/data/hot, flags: [rdonly] }\n  - mmap: { as: hm, fd: h, size: 8M, prot: r }\n  - access: { as: hm }\n` +
        `  - open: { as: c, path: /mnt/disk/data/cold, flags: [rdonly] }\n  - read: { fd: c, size: 8M, returns: 8M }\n`,
    );
    m.runWorkload({});
    // The hot file's pages were faulted in (max_seq 3), the cold file read to min_seq 0. Two agings make
    // max_seq 5; evicting generation 2 drops the cold pages (no PTE), then generation 3 holds the hot ones.
    for (const cmd of ["+ 1 0 3", "+ 1 0 4", "- 1 0 2", "- 1 0 3"]) m.writeFile("/sys/kernel/debug/lru_gen", cmd);
    const gens = generations(m.readFile("/sys/kernel/debug/lru_gen")!);
    const youngest = gens[gens.length - 1]!;
    expect(youngest[0]).toBe(5);
    expect(youngest[3]).toBeGreaterThanOrEqual(2048); // all of the hot file, promoted to max_seq
    expect(m.readFile("/proc/meminfo")).toMatch(/\nMapped: +8192 kB\n/);
    const v = vmstatOf(m);
    expect(v.get("pgsteal_file")).toBeGreaterThan(2048 - 15); // the cold file, but for the pages still in the CPU's lru_add batch
    expect(v.get("pgsteal_file")).toBeLessThan(2048 + 16);
    // Each batch's first page is activated (look-around set PG_referenced on it too: folio_check_references
    // activates); the rest are kept without an rmap walk or promoted on the list (sort_folio: pgrefill).
    expect(v.get("pgactivate")).toBeGreaterThan(0);
    expect(v.get("pgactivate")).toBeLessThan(200);
    expect(v.get("pgrefill")).toBeGreaterThan(0);
  });

  it("a bad write to enabled is -EINVAL", () => {
    const { m } = boot(MIXED("mglru"));
    expect(() => m.writeFile("/sys/kernel/mm/lru_gen/enabled", "maybe")).toThrow(/refused "maybe" \(write: -22\)/);
  });
});
