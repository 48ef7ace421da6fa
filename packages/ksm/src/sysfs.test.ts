// mmsim: /sys/kernel/mm/ksm's files on their own — 6.1's defaults, the stores' checks (kstrtoul, max_page_sharing ≥ 2, run ≤ 2)
import { describe, expect, it } from "vitest";
import { Ksm } from "./ksm.ts";
import { KSM_DIR, ksmFileNames, ksmRead, ksmWrite } from "./sysfs.ts";

const ksm = () => new Ksm({ mm: () => { throw new Error("no mm in this test"); }, now: () => 0 });

describe("/sys/kernel/mm/ksm", () => {
  it("reads 6.1's defaults", () => {
    const k = ksm();
    expect(ksmFileNames.map((n) => `${n}: ${ksmRead(k, KSM_DIR + n)!.trim()}`)).toEqual([
      "full_scans: 0", "max_page_sharing: 256", "merge_across_nodes: 1", "pages_shared: 0", "pages_sharing: 0", "pages_to_scan: 100", "pages_unshared: 0",
      "pages_volatile: 0", "run: 0", "sleep_millisecs: 20", "stable_node_chains: 0", "stable_node_chains_prune_millisecs: 2000", "stable_node_dups: 0", "use_zero_pages: 0",
    ]);
  });

  it("refuses what the stores refuse", () => {
    const k = ksm();
    expect(ksmWrite(k, KSM_DIR + "run", "3")).toBe(-22);
    expect(ksmWrite(k, KSM_DIR + "pages_to_scan", "x")).toBe(-22);
    expect(ksmWrite(k, KSM_DIR + "max_page_sharing", "1")).toBe(-22);
    expect(ksmWrite(k, KSM_DIR + "pages_to_scan", "1000\n")).toBe(0);
    expect(ksmRead(k, KSM_DIR + "pages_to_scan")).toBe("1000\n");
    expect(ksmWrite(k, KSM_DIR + "pages_shared", "1")).toMatch(/read-only/);
  });
});
