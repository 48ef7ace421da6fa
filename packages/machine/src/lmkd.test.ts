// mmsim: Android's lmkd in the `oom` slot on a booted machine (issue 19 part 4) — PSI triggers wake it, it kills the highest oom_score_adj first with lmkd's log line, and the kernel's OOM killer stays behind it
import { LMKD } from "@mmsim/oom";
import { resolveToken } from "@mmsim/core";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";

/** A small phone: cached apps at 950 and 900, a visible one at 100, then a foreground app allocating more than RAM + zram can hold. */
function phone(oom: string, props = ""): string {
  const app = (name: string, adj: number, size: string) =>
    `  - spawn: { as: ${name}, path: /system/bin/${name}, steps: [ { write: { path: /proc/self/oom_score_adj, value: "${adj}" } }, { mmap: { as: a, size: ${size} } }, { access: { as: a, write: true, content: random } }, { sleep: 100000 } ] }\n`;
  return (
    `machine:\n  memory: 128M\n  cpus: 2\nkernel:\n  policies:\n    oom: ${oom}\nworkload:\n  - zram: { size: 32M }\n${props}` +
    app("cached1", 950, "20M") +
    app("cached2", 900, "16M") +
    app("visible", 100, "16M") +
    `  - sleep: 10\n` +
    `  - spawn: { as: fg, path: /system/bin/fg, steps: [ ${Array.from({ length: 24 }, (_, i) => `{ mmap: { as: a${i}, size: 4M } }, { access: { as: a${i}, write: true, content: random } }, { sleep: 100 }`).join(", ")}, { sleep: 2000 } ] }\n` +
    `  - wait: { for: fg }\n`
  );
}

function run(yaml: string) {
  const m = Machine.create(loadScenario(yaml, "phone.yaml"));
  m.boot();
  const r = m.runWorkload({});
  const problems: string[] = [];
  m.validate({ report: (where, problem) => problems.push(`${where}: ${problem}`) });
  return { m, r, problems: problems.filter((p) => !p.startsWith("pgtable ")) };
}

describe("lmkd", () => {
  it("wakes on its PSI trigger, and kills the highest oom_score_adj left when swap is low and the min watermark is breached; the kernel's OOM killer stays the last resort", () => {
    // psi_partial_stall_ms 20 (not 70): mmsim's direct reclaim into zram stalls ~40 ms in this whole run, so the default never fires (see the report)
    const { m, r, problems } = run(phone("lmkd", `  - setprop: { name: ro.lmk.psi_partial_stall_ms, value: "20" }\n`));
    expect(r.panic).toBeUndefined();
    expect(problems).toEqual([]);
    const lmkd = resolveToken(m.container, LMKD);
    const lines = m.log.dmesg().split("\n").filter((l) => /lowmemorykiller|Killed process/.test(l));
    // the foreground app outruns lmkd's first look (it polls between steps): the kernel kills cached1 (highest badness) in the allocator's slow path …
    expect(lines[0]).toMatch(/Out of memory: Killed process 2 \(cached1\) .* oom_score_adj:950$/);
    // … then lmkd, polling every 100 ms after its trigger, sees swap full and free pages below min: it kills the next band (900), not the visible app (100)
    expect(lines[1]).toMatch(/^\[ *\d+\.\d+\] lowmemorykiller: Kill 'cached2' \(3\), uid 0, oom_score_adj 900 to free \d+kB rss, \d+kB swap; reason: min watermark is breached and swap is low \(\d+kB < 3276kB\)$/);
    expect(lines).toHaveLength(2);
    expect(lmkd.kills.map((k) => [k.comm, k.reason])).toEqual([["cached2", "low_mem_and_swap"]]);
    // 3276 kB: ro.lmk.swap_free_low_percentage 10 % of the 32 MiB zram device (8192 pages × 10 / 100 = 819 pages)
    expect(m.readFile("/proc/3/status")).toBeUndefined();
  }, 60_000); // a boot and ~150 MiB of faults, reclaim and zram writes: ~5 s alone, more on a loaded 2-core machine

  it("refuses an unknown property with the list of lmkd's", () => {
    expect(() => loadScenario(`machine:\n  memory: 64M\nkernel:\n  policies:\n    oom: lmkd\nworkload:\n  - setprop: { name: ro.lmk.nonsense, value: "1" }\n`, "p.yaml")).toThrow(/expected one of lmkd's properties \(ro\.lmk\.psi_partial_stall_ms,/);
  });
});

describe("examples/scenarios/android-like.yaml", () => {
  const text = readFileSync(new URL("../../../examples/scenarios/android-like.yaml", import.meta.url), "utf8");
  const kills = (oom: string) => {
    const m = Machine.create(loadScenario(text, "android-like.yaml", { set: [`kernel.policies.oom=${oom}`] }));
    m.boot();
    const r = m.runWorkload({});
    const problems: string[] = [];
    m.validate({ report: (where, problem) => problems.push(`${where}: ${problem}`) });
    const lines = m.log.dmesg().split("\n").filter((l) => /lowmemorykiller: Kill|Out of memory: Killed/.test(l));
    return { r, problems: problems.filter((p) => !p.startsWith("pgtable ")), lines };
  };
  it("under lmkd the cached app of the highest band dies, all in zram (0 kB rss), before the kernel's OOM killer has to act", () => {
    const a = kills("lmkd");
    expect(a.r.panic).toBeUndefined();
    expect(a.problems).toEqual([]);
    // maps (950) is above chat (920) and mail (900); its pages are all in zram by then. The kernel's
    // killer (kernel.policies.oom=oom-killer) picks the same app by badness at the same moment: here
    // lmkd's 10 ms look comes first, and no "Out of memory" line is printed.
    expect(a.lines).toHaveLength(1);
    expect(a.lines[0]).toMatch(/lowmemorykiller: Kill 'maps' \(4\), uid 0, oom_score_adj 950 to free 0kB rss, \d+kB swap; reason: min watermark is breached and swap is low \(0kB < 13104kB\)$/);
  }, 120_000); // ~400 MiB of faults into a 256 MiB board with zram: ~10 s alone, several times that on a loaded 2-core machine
});
