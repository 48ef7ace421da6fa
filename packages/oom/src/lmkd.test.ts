// mmsim: @mmsim/oom's lmkd by hand — which app mp_event_psi/find_and_kill_process pick, the kill reasons, lmkd's log line, the properties, calc_zone_watermarks
import { KernelLog, PSI_MEM_SOME, PsiGroup, SimClock } from "@mmsim/core";
import { SmallOomHost } from "@mmsim/core/contracts";
import { describe, expect, it } from "vitest";
import { Lmkd, zoneWatermarks } from "./lmkd.ts";

const ZONEINFO = `Node 0, zone      DMA\n  pages free     300\n        min      100\n        low      200\n        high     300\n        present  65536\n        protection: (0, 0, 40, 40)\nNode 0, zone   Normal\n        min      0\n        low      0\n        high     0\n        present  0\n        protection: (0, 0, 0, 0)\n`;

/** A phone of four apps and the files lmkd reads, which a test sets. */
function phone() {
  const clock = new SimClock();
  const log = new KernelLog(clock);
  const host = new SmallOomHost();
  host.add({ pid: 1, comm: "init" });
  host.add({ pid: 10, comm: "fg", anon: 900, oomScoreAdj: 0 });
  host.add({ pid: 11, comm: "camera", anon: 700, oomScoreAdj: 200 });
  host.add({ pid: 12, comm: "mail", anon: 300, swapents: 50, oomScoreAdj: 905 });
  host.add({ pid: 13, comm: "maps", anon: 800, oomScoreAdj: 905 });
  host.add({ pid: 14, comm: "music", anon: 500, oomScoreAdj: 800 });
  const psi = new PsiGroup(1, () => clock.now(), 0);
  const files = {
    vmstat: { nr_free_pages: 1000, nr_inactive_file: 0, nr_active_file: 0, workingset_refault_file: 0, pgscan_kswapd: 0, pgscan_direct: 0 } as Record<string, number>,
    swapTotalKb: 40000,
    swapFreeKb: 40000,
    pressure: "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
  };
  const readFile = (path: string): string | undefined => {
    if (path === "/proc/vmstat") return Object.entries(files.vmstat).map(([k, v]) => `${k} ${v}\n`).join("");
    if (path === "/proc/meminfo") return `MemFree:        ${files.vmstat.nr_free_pages! * 4} kB\nSwapTotal:      ${files.swapTotalKb} kB\nSwapFree:       ${files.swapFreeKb} kB\nCmaFree:               0 kB\n`;
    if (path === "/proc/zoneinfo") return ZONEINFO;
    if (path === "/proc/pressure/memory") return files.pressure;
    return undefined;
  };
  const lmkd = new Lmkd({ host: () => host, psi: () => psi, readFile, log, clock });
  /** A PSI event of `level` now: the trigger's POLLPRI, as epoll_wait returns it. */
  const fire = (level: number) => {
    lmkd.start();
    const t = psi.triggers[level - 1]!; // the medium and critical monitors (the low one is off in the new strategy)
    t.event = true;
    lmkd.tick();
  };
  return { clock, log, host, psi, files, lmkd, fire };
}

describe("lmkd (Android 13 lmkd.cpp, new strategy)", () => {
  it("creates the medium (some 70 ms) and critical (full 700 ms) PSI monitors over a 1 s window", () => {
    const { psi, lmkd } = phone();
    lmkd.start();
    expect(psi.triggers.map((t) => [t.state, t.text])).toEqual([[PSI_MEM_SOME, "some 70000 1000000"], [PSI_MEM_SOME + 1, "full 700000 1000000"]]);
  });
  it("does nothing while nothing reclaims or refaults (mp_event_psi bails out early)", () => {
    const { host, lmkd, fire, files } = phone();
    files.swapFreeKb = 0;
    fire(1);
    expect(host.list.some((t) => t.killed)).toBe(false);
    expect(lmkd.kills).toEqual([]);
  });
  it("low memory and low swap: the oldest app of the highest oom_score_adj goes first, with lmkd's log line", () => {
    const { host, log, lmkd, fire, files } = phone();
    files.swapFreeKb = 3000; // < 10 % of 40000 kB
    files.vmstat.pgscan_kswapd = 100; // kswapd reclaims
    files.vmstat.nr_free_pages = 200; // below low (200 + 40 protection = 240), above min (140): "low watermark"
    fire(1);
    expect(lmkd.kills.map((k) => k.pid)).toEqual([12]); // 905: mail (older than maps), not the heavier maps
    expect(log.all().map((r) => r.text)).toEqual([
      "lowmemorykiller: Kill 'mail' (12), uid 0, oom_score_adj 905 to free 1200kB rss, 200kB swap; reason: low watermark is breached and swap is low (3000kB < 4000kB)",
    ]);
    expect(host.list.find((t) => t.pid === 12)!.killed).toBe(true);
  });
  it("ro.lmk.kill_heaviest_task picks the heaviest app of the oom_score_adj instead", () => {
    const { lmkd, fire, files } = phone();
    lmkd.setProperty("ro.lmk.kill_heaviest_task", "true");
    files.swapFreeKb = 0;
    files.vmstat.pgscan_direct = 5;
    files.vmstat.nr_free_pages = 50; // below min (100 + 40)
    fire(1);
    expect(lmkd.kills.map((k) => [k.comm, k.reason])).toEqual([["maps", "low_mem_and_swap"]]);
    expect(lmkd.kills[0]!.desc).toBe("min watermark is breached and swap is low (0kB < 4000kB)");
  });
  it("a critical (full stall) event kills even with free memory: 'device is not responding'", () => {
    const { lmkd, fire, files } = phone();
    files.vmstat.pgscan_direct = 1;
    fire(2);
    expect(lmkd.kills.map((k) => [k.comm, k.desc])).toEqual([["mail", "device is not responding"]]);
  });
  it("thrashing page cache is pressure; perceptible apps (≤ 200) are spared above the min watermark until thrashing reaches thrashing_limit_critical", () => {
    const { host, lmkd, fire, files, clock } = phone();
    for (const t of host.list) {
      if (t.oomScoreAdj <= 200) continue;
      host.sigkill(t.pid);
      host.reap(t.pid);
    }
    // page cache of 1000 pages, then 1500 refaults of it within the second: thrashing 1500 × 100 / 1001 = 149 %
    files.vmstat.nr_inactive_file = 600;
    files.vmstat.nr_active_file = 400;
    lmkd.start();
    clock.advance(1_100_000_000); // past THRASHING_RESET_INTERVAL_MS: the base is recorded
    files.vmstat.pgscan_kswapd = 1;
    fire(1);
    files.vmstat.workingset_refault_file = 1500;
    files.vmstat.nr_free_pages = 200; // below low (240)
    clock.advance(100_000_000);
    fire(1);
    // thrashing above the limit (100) but below critical (200): min_score_adj 201 → nobody below 201 left to kill
    expect(lmkd.kills).toEqual([]);
    files.vmstat.workingset_refault_file = 2500; // 249 %: critical thrashing, perceptible apps may go
    clock.advance(100_000_000);
    fire(1);
    expect(lmkd.kills.map((k) => [k.comm, k.reason])).toEqual([["camera", "low_mem_and_thrashing"]]);
    expect(lmkd.kills[0]!.desc).toBe("low watermark is breached and thrashing (249%)");
  });
  it("calc_zone_watermarks sums the populated zones' marks plus their largest protection", () => {
    expect(zoneWatermarks(ZONEINFO)).toEqual({ min: 140, low: 240, high: 340 });
  });
  it("refuses unknown properties and bad values, naming what it takes", () => {
    const { lmkd } = phone();
    expect(() => lmkd.setProperty("ro.lmk.bogus", "1")).toThrow(/unknown property "ro.lmk.bogus": lmkd reads ro.lmk.psi_partial_stall_ms/);
    expect(() => lmkd.setProperty("ro.lmk.kill_heaviest_task", "1")).toThrow(/is a bool: write "true" or "false"/);
    expect(() => lmkd.setProperty("ro.lmk.thrashing_limit", "-3")).toThrow(/non-negative integer/);
  });
});
