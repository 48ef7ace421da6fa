import { describe, expect, it } from "vitest";
import { EINVAL, PG_swapcache } from "@mmsim/core";
import { FakeReclaimHost, ok } from "./fake-reclaim-host.test-helpers.ts";
import { kstrtouint, lruGenKernelFiles, type LruGenFilesOptions } from "./lru-gen-files.ts";
import { MultiGenLru } from "./multi-gen-lru.ts";

function setup(): { host: FakeReclaimHost; mg: MultiGenLru; o: LruGenFilesOptions & { on: boolean; changes: boolean[] }; files: ReturnType<typeof lruGenKernelFiles> } {
  const host = new FakeReclaimHost(256);
  const mg = new MultiGenLru();
  host.policy = mg;
  mg.attach(host);
  const o = {
    mglru: mg, on: true, changes: [] as boolean[],
    lruGenEnabled(): boolean { return this.on; },
    changeState(enabled: boolean): void { this.on = enabled; this.changes.push(enabled); },
  };
  return { host, mg, o, files: lruGenKernelFiles(o) };
}

const file = (files: ReturnType<typeof lruGenKernelFiles>, path: string) => files.find((f) => f.path === path)!;

describe("/sys/kernel/debug/lru_gen (lru_gen_seq_show)", () => {
  it("prints memcg, node and each generation from min_seq[anon] as 6.1's format strings do", () => {
    const { host, mg, files } = setup();
    for (let p = 0; p < 5; p++) mg.addFolio(host.newPage(p, false), false); // file, gen 0
    for (let p = 5; p < 8; p++) mg.addFolio(host.newPage(p, true), false); // anon, gen 1
    host.clock.advance(1_000_000_000); // 1 s = 250 jiffies
    expect(file(files, "/sys/kernel/debug/lru_gen").read("/sys/kernel/debug/lru_gen")).toBe(
      "memcg     1 /\n" +
      " node     0\n" +
      "          0       1000          0           5 \n" +
      "          1       1000          3           0 \n" +
      "          2       1000          0           0 \n" +
      "          3       1000          0           0 \n",
    );
  });

  it("lru_gen_full adds the tier lines (RT for max_seq, rep for min_seq) and the walker statistics", () => {
    const { host, mg, files } = setup();
    host.newPage(1, true);
    host.mem.flags[1] |= 1 << PG_swapcache;
    mg.addFolio(1, false);
    const text = file(files, "/sys/kernel/debug/lru_gen_full").read("/sys/kernel/debug/lru_gen_full")!;
    const lines = text.split("\n");
    expect(lines[2]).toBe("          0          0          1           0 ");
    expect(lines[3]).toBe("                     0          0r          0e          0p          0r          0e          0p");
    const stats = " ".repeat(22); // seq_puts(m, "                      ") before the six " %10lu%c"
    expect(lines[7]).toBe(stats + "          0           0           0           0           0           0 ");
    // max_seq's block: RT (averages) and LOYNFA
    const max = lines.findIndex((l) => l.startsWith("          3 "));
    expect(lines[max + 1]).toBe("                     0          0R          0T          0           0R          0T          0 ");
    expect(lines[max + 5]).toBe(stats + "          0L          0O          0Y          0N          0F          0A");
    expect(text.split("\n").length).toBe(2 + 4 * 6 + 1);
  });
});

describe("/sys/kernel/mm/lru_gen/enabled and min_ttl_ms", () => {
  it("reads 0x0001 on this board when on (no hardware access flag), 0x0000 off; y/n/numbers switch LRU_GEN_CORE", () => {
    const { o, files } = setup();
    const f = file(files, "/sys/kernel/mm/lru_gen/enabled");
    expect(f.read(f.path)).toBe("0x0001\n");
    ok(f.write!(f.path, "n\n"));
    expect(f.read(f.path)).toBe("0x0000\n");
    ok(f.write!(f.path, "0x0007"));
    expect(f.read(f.path)).toBe("0x0001\n"); // MM_WALK and NONLEAF_YOUNG need arch_has_hw_pte_young()
    ok(f.write!(f.path, "yes"));
    expect(o.changes).toEqual([false, true]);
    expect(f.write!(f.path, "maybe")).toBe(-EINVAL);
    expect(f.write!(f.path, "0x100000000")).toBe(-EINVAL);
  });

  it("min_ttl_ms stores msecs_to_jiffies (HZ 250) and reads back jiffies_to_msecs", () => {
    const { mg, files } = setup();
    const f = file(files, "/sys/kernel/mm/lru_gen/min_ttl_ms");
    expect(f.read(f.path)).toBe("0\n");
    ok(f.write!(f.path, "1001\n"));
    expect(mg.minTtl).toBe(251);
    expect(f.read(f.path)).toBe("1004\n");
    expect(f.write!(f.path, "-1")).toBe(-EINVAL);
    expect([kstrtouint("010"), kstrtouint("0x1f"), kstrtouint("+7"), kstrtouint("7 "), kstrtouint("")]).toEqual([8, 31, 7, -1, -1]);
  });
});

describe("writes to /sys/kernel/debug/lru_gen (run_aging, run_eviction)", () => {
  it("'+ memcg node max_gen' ages, '- memcg node min_gen' evicts, bad commands are -EINVAL", () => {
    const { host, mg, files } = setup();
    const f = file(files, "/sys/kernel/debug/lru_gen");
    const lv = mg.lruvecs[0]!;
    for (let p = 0; p < 10; p++) mg.addFolio(host.newPage(p, false), false);
    ok(f.write!(f.path, "+ 1 0 3\n"));
    expect(lv.maxSeq).toBe(4);
    ok(f.write!(f.path, "+ 1 0 2")); // a stale max_gen does nothing
    expect(lv.maxSeq).toBe(4);
    expect(f.write!(f.path, "+ 1 0 9")).toBe(-EINVAL);
    expect(f.write!(f.path, "+ 2 0 4")).toBe(-EINVAL); // no such memcg
    expect(f.write!(f.path, "+ 1 5 4")).toBe(-EINVAL); // no such node
    expect(f.write!(f.path, "- 1 0 3")).toBe(-EINVAL); // 3 + MIN_NR_GENS > max_seq
    ok(f.write!(f.path, "- 1 0 1 0 4"));
    expect(host.freed.length).toBeGreaterThanOrEqual(4);
    expect(f.write!(f.path, "* 1 0 1")).toBe(-EINVAL);
    expect(f.write!(f.path, "+ 1 0")).toBe(-EINVAL);
  });
});
