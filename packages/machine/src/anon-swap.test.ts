// mmsim: anonymous memory swapped out to zram and back on a booted machine — MADV_PAGEOUT's reclaim frees every page cleanly (free_pages_prepare resets an anonymous page's mapping: no "Bad page state"), the swap-ins bring the data back through the SWP_SYNCHRONOUS_IO path; and THP as hugepage_init() leaves it (off below 512 MiB of totalram, as the real 6.1 kernel reports)
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";

const counters = (text: string) => new Map(text.trim().split("\n").map((l) => /^([\w()]+):?\s+(\d+)/.exec(l)!).map((m) => [m[1]!, Number(m[2])]));

function boot(yaml: string) {
  const m = Machine.create(loadScenario(yaml, "anon-swap.yaml"));
  m.boot();
  return m;
}

describe("anonymous pages to zram and back", () => {
  it("MADV_PAGEOUT swaps out all 2,048 pages of 8 MiB, frees them without a bad page, and the next reads swap them in", () => {
    const m = boot(
      `machine:\n  memory: 128M\n  cpus: 1\nworkload:\n  - zram: { size: 64M }\n  - mmap: { as: buf, size: 8M }\n  - access: { as: buf, write: true }\n  - label: out\n  - madvise: { as: buf, advice: pageout }\n  - label: in\n  - access: { as: buf }\n`,
    );
    const rows: Map<string, number>[] = [];
    const problems: string[] = [];
    const r = m.runWorkload({
      onStep: () => {
        rows.push(new Map([...counters(m.readFile("/proc/meminfo")!), ...counters(m.readFile("/proc/vmstat")!)]));
      },
    });
    m.validate({ report: (where, problem) => problems.push(`${where}: ${problem}`) });
    expect(r.failedExpects).toEqual([]);
    expect(problems.filter((p) => !p.startsWith("pgtable "))).toEqual([]);
    const [, , written, , out, , back] = rows;
    expect(m.log.dmesg()).not.toContain("Bad page state");
    expect(out!.get("pswpout")! - written!.get("pswpout")!).toBe(2048);
    expect(out!.get("AnonPages")!).toBeLessThan(written!.get("AnonPages")! - 8 * 1024 + 64); // the 8 MiB left RAM
    expect(out!.get("MemFree")!).toBeGreaterThan(written!.get("MemFree")! + 7 * 1024); // and went back to the buddy allocator
    expect(written!.get("SwapFree")! - out!.get("SwapFree")!).toBe(8 * 1024);
    // Swap count 1 on a SWP_SYNCHRONOUS_IO device (zram): each fault reads its page without the
    // swap cache or readahead — what the real 6.1 kernel did in fixtures/reclaim swap-zram's
    // swapin-* stages (pswpin = pgmajfault = workingset_refault_anon = pages, SwapCached 0).
    const d = (k: string) => back!.get(k)! - out!.get(k)!;
    expect(d("pswpin")).toBe(2048);
    expect(d("pgmajfault")).toBe(2048);
    expect(d("workingset_refault_anon")).toBe(2048);
    expect(d("swap_ra")).toBe(0);
    expect(back!.get("SwapCached")).toBe(0);
    expect(back!.get("AnonPages")!).toBeGreaterThanOrEqual(written!.get("AnonPages")! - 64);
  });

  it("THP is off below 512 MiB of totalram (hugepage_init: `always madvise [never]`, no huge page faulted) and on above", () => {
    const work = `workload:\n  - mmap: { as: buf, size: 8M }\n  - access: { as: buf, write: true }\n`;
    const small = boot(`machine:\n  memory: 256M\n  cpus: 1\n${work}`);
    small.runWorkload();
    expect(small.readFile("/sys/kernel/mm/transparent_hugepage/enabled")).toBe("always madvise [never]\n");
    expect(counters(small.readFile("/proc/meminfo")!).get("AnonHugePages")).toBe(0);
    const big = boot(`machine:\n  memory: 1G\n  cpus: 1\n${work}`);
    big.runWorkload();
    expect(big.readFile("/sys/kernel/mm/transparent_hugepage/enabled")).toBe("[always] madvise never\n");
    expect(counters(big.readFile("/proc/meminfo")!).get("AnonHugePages")).toBeGreaterThanOrEqual(2048);
  });

  it("swapoff finds the swap PTEs of an exec'd task reclaim swapped out (try_to_unmap_one puts its mm on the mmlist) and brings every page back", { timeout: 60_000 }, () => {
    // 80 MiB written, 60 MiB more push part of it to zram, the 60 MiB go: swapoff has room to read
    // every slot back. (Before the fix, an mm made by exec or fork was on no mmlist: swapoff's
    // unuse_mm walked nothing and gave up with -EINTR.)
    const m = boot(
      `machine:\n  memory: 128M\n  cpus: 1\nworkload:\n  - zram: { size: 256M }\n  - mmap: { as: b, size: 80M }\n  - access: { as: b, write: true, content: random }\n  - mmap: { as: a, size: 60M }\n  - access: { as: a, write: true, content: random }\n  - munmap: { as: a }\n  - label: swapped\n  - swapoff: { path: /dev/zram0, expect: 0 }\n  - label: off\n  - access: { as: b }\n`,
    );
    const rows: Map<string, number>[] = [];
    const problems: string[] = [];
    let swaps = "";
    const r = m.runWorkload({
      onStep: () => {
        rows.push(new Map([...counters(m.readFile("/proc/meminfo")!), ...counters(m.readFile("/proc/vmstat")!)]));
        swaps = m.readFile("/proc/swaps")!;
      },
    });
    m.validate({ report: (where, problem) => problems.push(`${where}: ${problem}`) });
    expect(r.failedExpects).toEqual([]);
    expect(problems.filter((p) => !p.startsWith("pgtable "))).toEqual([]);
    const swapped = rows[5]!;
    const off = rows[7]!;
    const end = rows[9]!;
    expect(swapped.get("SwapTotal")! - swapped.get("SwapFree")!).toBeGreaterThan(10 * 1024); // some of b was in zram
    expect(off.get("SwapTotal")).toBe(0);
    expect(swaps.trim().split("\n")).toHaveLength(1); // the header only
    expect(end.get("pswpin")).toBe(off.get("pswpin")); // every page of b was already back in RAM
    expect(m.log.dmesg()).not.toMatch(/BUG: |Bad page state|Out of memory/);
  });

  it("a swap step's expect takes 0 as a number or a string and names what it wants otherwise", () => {
    const step = (expect: string) => `workload:\n  - swapoff: { path: /dev/zram0, expect: ${expect} }\n`;
    expect(loadScenario(step("0"), "s.yaml").workload).toEqual(loadScenario(step("'0'"), "s.yaml").workload);
    expect(() => loadScenario(step("1"), "s.yaml")).toThrow(/s\.yaml:2: .*expect: expected an errno name like EBUSY or ENOMEM, or 0 for success, got 1/);
    expect(() => loadScenario(step("ebusy"), "s.yaml")).toThrow(/got "ebusy"/);
  });
});
