// mmsim: PSI's arithmetic is the kernel's — known stall intervals on a simulated CPU, and avg10/60/300 and total computed by hand from kernel/sched/psi.c and loadavg.h's formulas
import { describe, expect, it } from "vitest";
import { EXP_10s, FIXED_1, PSI_CPU, PSI_MEM, PSI_PERIOD_NS, PsiGroup, PsiTrigger, calcLoad, calcLoadN, fixedPowerInt, formatLoad } from "./psi.ts";

const S = 1_000_000_000;

describe("loadavg fixed point", () => {
  it("calc_load rounds up while rising, down while falling; fixed_power_int is exp^n in FSHIFT bits", () => {
    // 0 → 49 %: (0·1677 + 100352·371 + 2047) / 2048 = 37232639 / 2048 = 18179
    expect(calcLoad(0, EXP_10s, 49 * FIXED_1)).toBe(18179);
    // falling from 18179 to 0: 18179·1677 / 2048 = 14885.9 → 14885
    expect(calcLoad(18179, EXP_10s, 0)).toBe(14885);
    expect(fixedPowerInt(EXP_10s, 11, 0)).toBe(2048);
    expect(fixedPowerInt(EXP_10s, 11, 1)).toBe(1677);
    // 1677² = 2812329; (2812329 + 1024) >> 11 = 1373
    expect(fixedPowerInt(EXP_10s, 11, 2)).toBe(1373);
    expect(calcLoadN(18179, EXP_10s, 0, 2)).toBe(Math.floor((18179 * 1373) / 2048));
    expect(formatLoad(18179)).toBe("8.87");
    expect(formatLoad(0)).toBe("0.00");
    expect(formatLoad(100 * FIXED_1)).toBe("100.00");
  });
});

describe("PsiGroup", () => {
  function oneCpu() {
    let now = 0;
    const g = new PsiGroup(1, () => now, 0);
    return { g, at: (t: number) => (now = t) };
  }

  it("a task running all along that stalls 1 s of the first period: total 1 s, avg10 8.87, avg60 1.60, avg300 0.33 (by hand below)", () => {
    const { g, at } = oneCpu();
    g.setNrRunning(0, 1, 0);
    at(0.5 * S);
    const f = g.memstallEnter(0);
    at(1.5 * S);
    g.memstallLeave(0, f);
    at(PSI_PERIOD_NS); // 2.004 s: psi_avgs_work
    // total: the CPU was non-idle 501 jiffies; some = full = 1e9·501/501 ns = 1,000,000 µs
    // pct = 1e9·100 / 2.004e9 = 49; ×2048 = 100352
    // avg10 = (100352·(2048−1677) + 2047) / 2048 = 18179 → 8.87
    // avg60 = (100352·(2048−1981) + 2047) / 2048 = 3283 → 1.60
    // avg300 = (100352·(2048−2034) + 2047) / 2048 = 686 → 0.33
    expect(g.show(PSI_MEM, PSI_PERIOD_NS)).toBe(
      "some avg10=8.87 avg60=1.60 avg300=0.33 total=1000000\nfull avg10=8.87 avg60=1.60 avg300=0.33 total=1000000\n",
    );
    // the CPU line: one task, on the CPU — no CPU pressure; the system has no CPU full
    expect(g.show(PSI_CPU, PSI_PERIOD_NS)).toBe("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
  });

  it("the averages decay by calc_load_n over the periods nobody stalled", () => {
    const { g, at } = oneCpu();
    g.setNrRunning(0, 1, 0);
    const f = g.memstallEnter(0);
    at(PSI_PERIOD_NS);
    g.memstallLeave(0, f);
    g.avgsWork(PSI_PERIOD_NS); // 100 %: avg10 = (204800·371 + 2047)/2048 = 37101
    expect(g.avg[2]![0]).toBe(Math.floor((100 * FIXED_1 * 371 + 2047) / 2048));
    const a10 = g.avg[2]![0]!;
    // read 3 periods later: 2 missed periods decayed with 1677² then one sample of 0
    at(4 * PSI_PERIOD_NS);
    g.avgsWork(4 * PSI_PERIOD_NS);
    expect(g.avg[2]![0]).toBe(calcLoad(calcLoadN(a10, EXP_10s, 0, 2), EXP_10s, 0));
    expect(g.show(PSI_MEM, 4 * PSI_PERIOD_NS)).toMatch(/^some avg10=\d+\.\d\d avg60=\d+\.\d\d avg300=\d+\.\d\d total=2004000\n/);
  });

  it("some without full while another task runs on the CPU; idle time does not dilute the average", () => {
    const now = [0, 0];
    const g = new PsiGroup(2, (cpu) => now[cpu]!, 0);
    g.setNrRunning(0, 2, 0); // CPU 0: two tasks; CPU 1: idle
    // the running task stalls, but… cpu_curr in_memstall makes it FULL: the stalling task is on the CPU
    const f = g.memstallEnter(0, 0);
    now[0] = 1 * S;
    g.memstallLeave(0, f, 1 * S);
    now[0] = PSI_PERIOD_NS;
    now[1] = PSI_PERIOD_NS;
    const text = g.show(PSI_MEM, PSI_PERIOD_NS);
    // CPU 1 never ran anything: nonidle 0 jiffies, so it adds no weight
    expect(text).toContain("some avg10=8.87"); // 1 s of 2.004 s: the same 49 % as alone
    expect(text).toContain("total=1000000");
    // two runnable tasks on one CPU: CPU some for the whole period
    expect(g.show(PSI_CPU, PSI_PERIOD_NS)).toMatch(/^some avg10=\d+\.\d\d avg60=\d+\.\d\d avg300=\d+\.\d\d total=2004000\n/);
  });

  it("a trigger `some 150000 1000000` fires once per window when 150 ms of stall accumulate in 1 s", () => {
    const { g, at } = oneCpu();
    g.setNrRunning(0, 1, 0);
    const t = g.createTrigger(PSI_MEM, "some 150000 1000000", 0) as PsiTrigger;
    expect(t).toBeInstanceOf(PsiTrigger);
    expect(g.createTrigger(PSI_MEM, "some 0 1000000", 0)).toBe(-22);
    expect(g.createTrigger(PSI_MEM, "some 150000 100000", 0)).toBe(-22); // window below 500 ms
    expect(g.createTrigger(PSI_MEM, "full 2000000 1000000", 0)).toBe(-22); // threshold above the window
    expect(g.createTrigger(PSI_MEM, "sometimes 1 2", 0)).toBe(-22);
    // (the stalls start after 1 s: last_event_time 0 + the window rate-limits events before it)
    // 100 ms of stall: below the threshold
    let f = g.memstallEnter(0, at(1.1 * S));
    g.memstallLeave(0, f, at(1.2 * S));
    expect(g.pollTriggers(at(1.6 * S))).toEqual([]);
    // 100 ms more within the window: ~200 ms ≥ 150 ms at the next rtpoll update (every 100 ms)
    f = g.memstallEnter(0, at(1.6 * S));
    g.memstallLeave(0, f, at(1.7 * S));
    at(1.9 * S);
    expect(g.pollTriggers(1.9 * S)).toEqual([t]);
    expect(t.events).toBe(1);
    // one event per window: more stall in the same window fires nothing more
    f = g.memstallEnter(0, at(1.9 * S));
    g.memstallLeave(0, f, at(2.2 * S));
    t.event = false; // the reader consumed it
    expect(g.pollTriggers(at(2.3 * S))).toEqual([]);
  });
});
