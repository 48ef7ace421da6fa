// mmsim: dirty file pages under memory pressure without swap — reclaim cannot write them itself (direct reclaim never does; kswapd only when the node is flagged dirty), so shrink_inactive_list wakes the flushers (wakeup_flusher_threads), the reclaimer sleeps in reclaim_throttle while they write, and folio_end_writeback rotates the pages reclaim marked (PG_reclaim) to the inactive tail
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";

const vmstatOf = (m: Machine) => new Map(m.readFile("/proc/vmstat")!.trim().split("\n").map((l) => l.split(" ") as [string, string]).map(([k, v]) => [k, Number(v)]));

// Dirty limits raised so that nothing but reclaim's wakeup writes the file back before the anonymous memory needs the room.
const DIRTY_THEN_ANON = `machine:\n  memory: 96M\n  cpus: 1\n  disk:\n    size: 96M\nkernel:\n  sysctl:\n    dirty_ratio: 90\n    dirty_background_ratio: 80\n    dirty_expire_centisecs: 360000\n` +
  `workload:\n  - open: { as: f, path: /mnt/disk/big, flags: [creat, rdwr] }\n  - write: { fd: f, size: 48M, content: text }\n  - mmap: { as: buf, size: 40M }\n  - access: { as: buf, write: true }\n`;

describe("dirty page cache under pressure", () => {
  // A few seconds of host time on a loaded 2-core machine: 12,288 dirty pages written back and 10,240 anonymous pages faulted.
  it("the flushers woken by reclaim write the dirty pages back, the marked ones rotate to the inactive tail and are reclaimed: no allocation fails", { timeout: 60_000 }, () => {
    const m = Machine.create(loadScenario(DIRTY_THEN_ANON, "dirty.yaml"));
    m.boot();
    const before = vmstatOf(m);
    const problems: string[] = [];
    const r = m.runWorkload();
    m.validate({ report: (where, problem) => problems.push(`${where}: ${problem}`) });
    expect(r.failedExpects).toEqual([]);
    expect(Object.values(r.failedAllocs).reduce((a, b) => a + b, 0)).toBe(0);
    expect(problems.filter((p) => !p.startsWith("pgtable "))).toEqual([]);
    const v = vmstatOf(m);
    const delta = (k: string) => v.get(k)! - (before.get(k) ?? 0);
    expect(delta("nr_written")).toBeGreaterThan(8_000); // the flushers wrote most of the file
    expect(delta("nr_vmscan_write")).toBe(0); // reclaim itself wrote nothing (no PGDAT_DIRTY kswapd pass needed)
    expect(delta("nr_vmscan_immediate_reclaim")).toBeGreaterThan(0); // dirty pages reclaim met and marked PG_reclaim
    expect(delta("pgrotated")).toBeGreaterThan(0); // written back with PG_reclaim: to the inactive tail
    expect(delta("pgsteal_file")).toBeGreaterThan(4_000);
  });
});
