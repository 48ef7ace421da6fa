// mmsim: issue 16's quality bar — the real kernel's tmpfs + zram workload (fixtures/reclaim/tmpfs-reread-*) replayed on mmsim with examples/scenarios/reclaim-tmpfs-zram.yaml, figure by figure, within stated tolerances
import { fileURLToPath } from "node:url";
import { Machine, loadScenarioFile } from "@mmsim/machine";
import { describe, expect, it } from "vitest";
import { qualityBarRuns, spread, vmstatBetween } from "./reclaim-capture.ts";

const SCENARIO = fileURLToPath(new URL("../../../examples/scenarios/reclaim-tmpfs-zram.yaml", import.meta.url));

/** /proc/vmstat after the scenario's workload under `policy`. */
function mmsimVmstat(policy: string): Map<string, number> {
  const m = Machine.create(loadScenarioFile(SCENARIO, { set: [`kernel.policies.reclaim=${policy}`] }));
  m.boot();
  const before = new Map(m.readFile("/proc/vmstat")!.trim().split("\n").map((l) => l.split(" ")).map(([k, v]) => [k!, Number(v)]));
  const r = m.runWorkload();
  expect(r.failedExpects).toEqual([]);
  const after = m.readFile("/proc/vmstat")!.trim().split("\n").map((l) => l.split(" "));
  return new Map(after.map(([k, v]) => [k!, Number(v) - (before.get(k!) ?? 0)]));
}

/** The real kernel's mean over its runs of one vmstat item across the workload. */
function real(policy: "lru" | "mglru", item: string): number {
  return spread(qualityBarRuns(policy).map((c) => vmstatBetween(c.stage("tmpfs-reread:main:boot"), c.stage("tmpfs-reread:main:reread-newest"), item))).mean;
}

const within = (got: number, want: number, tolerance: number) => Math.abs(got - want) <= tolerance * want;

describe("issue 16's quality bar: 576 MiB of tmpfs files on a 512 MiB board with zram, re-read", () => {
  // About 10 s of host time per run (the bench bar); a loaded 2-core CI host may take
  // several times that, hence the generous limit.
  it("the classic LRU: swap-ins, refaults, activations and readahead as the real kernel's", { timeout: 180_000 }, () => {
    const v = mmsimVmstat("lru");
    const report = (item: string) => `${item}: mmsim ${v.get(item)}, kernel ${Math.round(real("lru", item))}`;
    // Swap-ins: the 4 oldest files' second read finds them active (no swap-in), the 8 newest
    // thrash through the whole swap; the real kernel varies by ±0.2 % over its three runs.
    expect(within(v.get("pswpin")!, real("lru", "pswpin"), 0.03), report("pswpin")).toBe(true);
    expect(v.get("workingset_refault_anon"), "every swap-in is a refault of a shadow").toBe(v.get("pswpin"));
    expect(within(v.get("pgactivate")!, real("lru", "pgactivate"), 0.05), report("pgactivate")).toBe(true);
    expect(within(v.get("swap_ra")!, real("lru", "swap_ra"), 0.05), report("swap_ra")).toBe(true);
    // Swap-outs: 424,074 against 424,615. (Before the scenario held the ~26.5 MiB the real boot
    // had in use, mmsim swapped 22 % fewer pages out while writing: 63,926 against 82,192.)
    expect(within(v.get("pswpout")!, real("lru", "pswpout"), 0.03), report("pswpout")).toBe(true);
    // Known difference: who reclaims. The real kernel's kswapd does ~74 % of the scanning, mmsim's
    // ~23 %. While writing they agree (kernel: kswapd 46,883 and direct 36,504 pages scanned;
    // mmsim 30,748 and 49,129); the rereads make the difference (kernel: kswapd ~13,000 of every
    // file's ~13,400 reclaimed pages; mmsim ~2,200 of ~12,000). The capture runs under QEMU's TCG
    // (an x86 host emulating the Cortex-A57), where the reread's swap-in costs the task ~400 µs a
    // page (5.0 s for a file's 12,296 swap-ins), as much as kswapd spends reclaiming one, so
    // kswapd keeps up. mmsim's cost model is a real Cortex-A57's, where lzo-rle decompresses ~3×
    // faster than it compresses (zramDecompress 2.5 µs, zramCompress 8 µs): the reader outruns
    // kswapd and direct reclaim does the rest. With zramDecompress set to zramCompress, mmsim's
    // kswapd does 51 % of the rereads' reclaim (measured). The total scanned is within 5 %.
    const scanned = v.get("pgscan_kswapd")! + v.get("pgscan_direct")!;
    expect(within(scanned, real("lru", "pgscan_kswapd") + real("lru", "pgscan_direct"), 0.05), `pgscan: mmsim ${scanned}`).toBe(true);
  });

  it("MGLRU: fewer swap-ins than the classic LRU, activations near none, every swap-in a refault", { timeout: 180_000 }, () => {
    const v = mmsimVmstat("mglru");
    const report = (item: string) => `${item}: mmsim ${v.get(item)}, kernel ${Math.round(real("mglru", item))}`;
    expect(v.get("workingset_refault_anon"), "every swap-in is a refault of a shadow").toBe(v.get("pswpin"));
    // mmsim's MGLRU swaps in 292,824 pages, the real kernel 290,149 (±0.3 % over its three runs),
    // stage by stage: the 4 oldest files swapped in on both reads (98,304 against 98,133: the pages
    // a read brings back go to the oldest generations and are evicted before the second read), the
    // newest 8 files 194,520 against 192,016. (It was 262,872, 9 % fewer, while the scenario left out
    // the memory the real boot had in use: with 17,000 more tmpfs pages resident, the oldest files
    // survived to their second read.) This board has no page-table walks in either kernel (no
    // hardware access flag).
    expect(within(v.get("pswpin")!, real("mglru", "pswpin"), 0.03), report("pswpin")).toBe(true);
    // read(2) never activates under lru_gen: the real kernel counts 0–18 (kswapd's look-around).
    expect(v.get("pgactivate"), report("pgactivate")).toBeLessThan(100);
    expect(within(v.get("pswpout")!, real("mglru", "pswpout"), 0.03), report("pswpout")).toBe(true);
    // The comparison the issue asks for: MGLRU swaps in less than the classic LRU on this
    // workload (kernel 0.84×, mmsim 0.85×).
    expect(v.get("pswpin")! / real("lru", "pswpin")).toBeLessThan(0.88);
    expect(v.get("pswpin")! / real("lru", "pswpin")).toBeGreaterThan(0.8);
  });
});
