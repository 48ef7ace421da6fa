// mmsim: compaction on a booted machine — its sysctls, files and kernel threads are there on every board, compact_memory and the node's compact file run compact_node, the extfrag files print in 6.1's formats, and every validator holds
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";

function run(yaml: string) {
  const m = Machine.create(loadScenario(yaml, "compaction.yaml"));
  m.boot();
  const problems: string[] = [];
  const r = m.runWorkload({ onStep: () => m.validate({ report: (w, p) => problems.push(`${w}: ${p}`) }) });
  expect(r.failedExpects).toEqual([]);
  expect(problems.filter((p) => !p.startsWith("pgtable "))).toEqual([]);
  const vmstat = new Map(m.readFile("/proc/vmstat")!.trim().split("\n").map((l) => l.split(" ") as [string, string]).map(([k, v]) => [k, Number(v)]));
  return { m, vmstat };
}

describe("compaction on the machine", () => {
  it("serves the sysctls with 6.1's defaults and the extfrag files in its formats", () => {
    const { m } = run(`machine:\n  memory: 256M\n  cpus: 2\nworkload:\n  - label: booted\n`);
    expect(m.readFile("/proc/sys/vm/compaction_proactiveness")).toBe("20\n");
    expect(m.readFile("/proc/sys/vm/extfrag_threshold")).toBe("500\n");
    expect(m.readFile("/proc/sys/vm/compact_unevictable_allowed")).toBe("1\n");
    expect(m.readFile("/sys/kernel/debug/extfrag/unusable_index")).toMatch(/^Node 0, zone {6}DMA (\d\.\d{3} ){11}\n$/);
    expect(m.readFile("/sys/kernel/debug/extfrag/extfrag_index")).toMatch(/^Node 0, zone {6}DMA (( \d|-1)\.\d{3} ){11}\n$/);
    expect(m.listFiles()).toContain("/sys/devices/system/node/node0/compact");
  });

  it("compact_memory and nodeN/compact compact the node: the migrate scanner walks the zone", () => {
    const { vmstat } = run(
      `machine:\n  memory: 256M\n  cpus: 2\n  nodes: 2\nworkload:\n  - mmap: { as: a, size: 16M }\n  - access: { as: a, write: true }\n  - sysctl: { name: compact_memory, value: 1 }\n  - write: { path: /sys/devices/system/node/node1/compact, value: "1" }\n`,
    );
    expect(vmstat.get("compact_migrate_scanned")).toBeGreaterThan(10_000);
    expect(vmstat.get("compact_daemon_wake")).toBe(0);
  });

  it("a write to a node that does not exist is refused with the nodes there are", () => {
    const m = Machine.create(loadScenario(`machine:\n  memory: 256M\n  cpus: 1\nworkload:\n  - label: x\n`, "c.yaml"));
    m.boot();
    expect(() => m.writeFile("/sys/devices/system/node/node3/compact", "1")).toThrow(/node/);
  });
});
