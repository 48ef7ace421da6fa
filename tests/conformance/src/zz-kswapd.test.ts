// mmsim: ad-hoc probe (not committed)
import { fileURLToPath } from "node:url";
import { Machine, loadScenarioFile } from "@mmsim/machine";
import { it } from "vitest";
import { qualityBarRuns, vmstatBetween } from "./reclaim-capture.ts";
const SCENARIO = fileURLToPath(new URL("../../../examples/scenarios/reclaim-tmpfs-zram.yaml", import.meta.url));
const KEYS = ["pgscan_kswapd", "pgscan_direct", "pgsteal_kswapd", "pgsteal_direct", "allocstall_movable", "pageoutrun", "kswapd_low_wmark_hit_quickly", "kswapd_high_wmark_hit_quickly", "pswpout", "pswpin", "pgalloc_dma", "pgalloc_normal"];
it("probe", { timeout: 600_000 }, () => {
  const policy = process.env.POL ?? "lru";
  const m = Machine.create(loadScenarioFile(SCENARIO, { set: [`kernel.policies.reclaim=${policy}`, ...(process.env.SETS ? process.env.SETS.split(",") : [])] }));
  m.boot();
  const rd = () => new Map(m.readFile("/proc/vmstat")!.trim().split("\n").map((l) => l.split(" ")).map(([k, v]) => [k!, Number(v)]));
  const b = rd();
  let last = rd();
  m.runWorkload({ onStep: (done) => {
    const now = rd();
    const d = (k: string) => (now.get(k) ?? 0) - (last.get(k) ?? 0);
    if (d("pgscan_kswapd") + d("pgscan_direct") > 0 || done % 10 === 0) {
      console.log(`step ${done}: kswapd ${d("pgscan_kswapd")} direct ${d("pgscan_direct")} allocstall ${d("allocstall_movable")} pswpin ${d("pswpin")} free ${now.get("nr_free_pages")}`);
      last = now;
    }
  } });
  const a = rd();
  const runs = qualityBarRuns(policy as "lru" | "mglru");
  for (const k of KEYS) {
    const reals = runs.map((c) => { try { return vmstatBetween(c.stage("tmpfs-reread:main:boot"), c.stage("tmpfs-reread:main:reread-newest"), k); } catch { return NaN; } });
    console.log(k.padEnd(32), String((a.get(k) ?? 0) - (b.get(k) ?? 0)).padStart(10), reals.join(" "));
  }
});
