// mmsim: bench names carry their targets and read back; the verdict line says met / not met from the median
import { describe, expect, it } from "vitest";
import { median, parseTarget, rate, si, time, verdict } from "./bench-targets.ts";

describe("bench targets", () => {
  it("round-trips a rate target, a time target and a rate without one", () => {
    expect(rate("pcp", { min: 20e6, unit: "pairs/s", perIteration: 100 })).toBe("pcp [≥ 20M pairs/s, 100 pairs per iteration]");
    expect(parseTarget(rate("pcp", { min: 20e6, unit: "pairs/s", perIteration: 100 }))).toEqual({ kind: "rate", min: 20e6, unit: "pairs/s", perIteration: 100 });
    expect(parseTarget(rate("o3", { unit: "pairs/s", perIteration: 7 }))).toEqual({ kind: "rate", unit: "pairs/s", perIteration: 7 });
    expect(parseTarget(time("boot 64 GiB", { maxMs: 1000 }))).toEqual({ kind: "time", maxMs: 1000 });
    expect(parseTarget("no bracket")).toBeNull();
  });

  it("takes the median, not the mean", () => {
    expect(median([1, 100, 2])).toBe(2);
    expect(median([1, 2, 3, 100])).toBe(2.5);
    expect(median([])).toBeNaN();
  });

  it("says met or NOT MET from the median of the samples (ms per iteration)", () => {
    const name = rate("pcp", { min: 20e6, unit: "pairs/s", perIteration: 100 });
    // 100 pairs in 0.004 ms = 25 M/s; one slow outlier does not move the median.
    expect(verdict(name, [0.004, 0.004, 50])).toBe("met        pcp: median 25M pairs/s, target ≥ 20M (3 samples)");
    expect(verdict(name, [0.01, 0.01, 0.01])).toMatch(/^NOT MET {4}pcp: median 10M pairs\/s/);
    expect(verdict(time("boot", { maxMs: 1000 }), [1200, 900, 1300])).toMatch(/^NOT MET {4}boot: median 1200\.0 ms, target < 1000 ms/);
    expect(verdict(rate("o3", { unit: "pairs/s", perIteration: 100 }), [0.01])).toBe("no target  o3: median 10M pairs/s (1 samples)");
    expect(verdict("plain", [1])).toBeNull();
    expect(si(2500)).toBe("2.5k");
  });
});
