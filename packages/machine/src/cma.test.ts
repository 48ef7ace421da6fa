// mmsim: CMA on a booted board (issue 18 part 3) — cma_alloc runs alloc_contig_range over the default 64 MiB area: page isolation (MIGRATE_ISOLATE pageblocks), the anonymous pages there migrate away with their contents, the range is taken whole; cma_release gives it back; CmaFree, cma_alloc_success/fail and the failure line as 6.1's
import { MIGRATE_CMA, WORKLOAD_STATE, resolveToken } from "@mmsim/core";
import { getPfnblockMigratetype } from "@mmsim/buddy";
import { CMA, type CmaHandle } from "@mmsim/compaction";
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";

const counters = (text: string) => new Map(text.trim().split("\n").map((l) => /^([\w()]+):?\s+(\d+)/.exec(l)!).map((m) => [m[1]!, Number(m[2])]));

/** A machine that ran `steps`, validated after every step, with `probe(m, done)` called after each. */
function run(machineYaml: string, steps: string, probe?: (m: Machine, done: number) => void) {
  const m = Machine.create(loadScenario(`machine:\n${machineYaml}kernel:\n  config: { cma_mbytes: 32 }\nworkload:\n${steps}`, "cma.yaml"));
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

const meminfo = (m: Machine) => counters(m.readFile("/proc/meminfo")!);
const vmstat = (m: Machine) => counters(m.readFile("/proc/vmstat")!);

describe("cma_alloc / cma_release (mm/cma.c over alloc_contig_range)", () => {
  it("takes 16 MiB of a 32 MiB CMA area that anonymous pages were using: they migrate out with their contents; the range comes back on release", () => {
    const seen: number[] = [];
    let held: CmaHandle | undefined;
    let before: number[] = [];
    let lost = -1;
    // 128 MiB: 32 MiB of CMA; 64 MiB of anonymous pages spill into it (movable allocations use CMA when it is over half the free memory)
    const m = run("  memory: 128M\n  cpus: 1\n", "  - mmap: { as: buf, size: 64M }\n  - access: { as: buf, write: true, content: random }\n  - cma_alloc: { name: dma, count: 4096 }\n  - cma_release: { name: dma }\n", (mm, done) => {
      const area = resolveToken(mm.container, CMA).areas[0]!;
      const mem = mm.buddy.state.mem;
      const contents = mm.processes.memory.contents;
      seen.push(meminfo(mm).get("CmaFree")!);
      if (done === 2) {
        // the contents of the used pages at the area's start, where the first cma_alloc goes
        before = [];
        for (let p = area.basePfn; p < area.basePfn + 4096; p++) if (mem.refcount[mem.pfnToPage(p)]! > 0 && contents.get(p) !== 0) before.push(contents.get(p));
      }
      if (done === 3) {
        held = resolveToken(mm.container, WORKLOAD_STATE).handles.get<CmaHandle>("cma", "dma");
        expect(held).toBeDefined();
        expect(held!.pfn).toBe(area.basePfn);
        for (let p = held!.pfn; p < held!.pfn + 4096; p++) expect(mem.refcount[mem.pfnToPage(p)]).toBe(1);
        // the isolation was undone: every pageblock is CMA again
        for (let p = area.basePfn; p < area.basePfn + area.count; p += 512) expect(getPfnblockMigratetype(mm.buddy.state.pageblock, p)).toBe(MIGRATE_CMA);
        // every content the range held lives on in a page outside it (folio_copy), none is lost
        const now = new Set<number>();
        for (let p = mem.basePfn; p < mem.basePfn + mem.nrPages; p++) if (mem.pfnValid(p) && (p < held!.pfn || p >= held!.pfn + 4096)) now.add(contents.get(p));
        lost = before.filter((c) => !now.has(c)).length;
      }
    });
    expect(before.length).toBeGreaterThan(100); // the range held used pages to move
    expect(lost).toBe(0);
    const area = resolveToken(m.container, CMA).areas[0]!;
    expect(area.name).toBe("reserved");
    expect(area.count).toBe(8192);
    expect(meminfo(m).get("CmaTotal")).toBe(32768);
    const [, written, allocated, released] = seen;
    expect(written!).toBeLessThan(32768); // anonymous pages live in the area
    expect(allocated!).toBeLessThan(written!); // its free pages are taken, the moved pages went elsewhere
    // cma_release frees page by page (__free_page) through the CPU's pcp list: the 4,096 pages come back give or take a pcp batch
    expect(Math.abs(released! - allocated! - 16384)).toBeLessThan(16384 * 0.1);
    const v = vmstat(m);
    expect(v.get("cma_alloc_success")).toBe(1);
    expect(v.get("cma_alloc_fail")).toBe(0);
    expect(v.get("pgmigrate_success")).toBeGreaterThan(0);
  });

  it("a request larger than the area fails: cma_alloc_fail and 6.1's two log lines", () => {
    const m = run("  memory: 128M\n  cpus: 1\n", "  - cma_alloc: { name: big, count: 9000 }\n");
    expect(vmstat(m).get("cma_alloc_fail")).toBe(1);
    expect(vmstat(m).get("cma_alloc_success")).toBe(0);
    const log = m.log.dmesg();
    expect(log).toMatch(/cma: cma_alloc: reserved: alloc failed, req-size: 9000 pages, ret: -12\n/);
    expect(log).toMatch(/cma: number of available pages: 8192@0=> 8192 free of 8192 total pages\n/);
  });
});
