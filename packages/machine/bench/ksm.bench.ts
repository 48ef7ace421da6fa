// mmsim: ksmd's scan rate (issue 21's target: ≥ 1 M pages/s of simulated memory): batches of ksm_do_scan over 40,000 mergeable pages of a booted machine — the steady state (every page already merged or in the unstable tree: follow_page, the stable-tree check, the checksum) and the merging scan (write_protect_page + replace_page for most pages)
import { resolveToken } from "@mmsim/core";
import { KSM } from "@mmsim/ksm";
import { Machine, loadScenario } from "@mmsim/machine";
import { bench, describe } from "vitest";

const PAGES = 40_000;

function machine(): { scan: (n: number) => void } {
  const yaml = `machine:\n  memory: 1G\n  cpus: 1\nworkload:\n  - write: { path: /sys/kernel/mm/transparent_hugepage/enabled, value: never }\n  - mmap: { as: a, size: ${PAGES * 4}K }\n  - access: { as: a, write: true, size: ${(PAGES / 2) * 4}K, content: fill, value: 7 }\n  - access: { as: a, write: true, offset: ${(PAGES / 2) * 4}K, content: random }\n  - madvise: { as: a, advice: mergeable }\n  - label: ready\n`;
  const m = Machine.create(loadScenario(yaml, "ksm-bench.yaml"));
  m.boot();
  m.runWorkload({ stopAfter: "ready" });
  const ksm = resolveToken(m.container, KSM);
  ksm.settings.run = 1;
  return { scan: (n) => ksm.ksmDoScan(n) };
}

const steady = machine();
// three full scans: checksums, then merges, then the steady state
for (let i = 0; i < 3; i++) steady.scan(PAGES + 1);

describe("ksmd", () => {
  bench(`steady-state scan of ${PAGES} pages (pages/s = ${PAGES} × hz; target ≥ 1 M pages/s)`, () => {
    steady.scan(PAGES + 1);
  });
});
