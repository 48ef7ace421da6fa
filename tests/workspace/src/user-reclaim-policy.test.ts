// A user's own reclaim policy plugs in from a file: examples/policies/second-chance.mjs (CLOCK) is
// loaded by path, registered into a child container as the machine does, keeps the ReclaimPolicy
// contract (core/contracts), and behaves as CLOCK: a referenced page gets a second chance.
import { fileURLToPath } from "node:url";
import {
  LRU_INACTIVE_FILE, NR_LRU_BASE, PG_referenced, ReclaimPolicy, ScanControl, isMmsimModule, resolveToken, type MmsimModule,
} from "@mmsim/core";
import { SmallReclaimHost, describeReclaimPolicy } from "@mmsim/core/contracts";
import { expectValid } from "@mmsim/core/testing";
import { container } from "tsyringe";
import { describe, expect, it } from "vitest";

const path = fileURLToPath(new URL("../../../examples/policies/second-chance.mjs", import.meta.url));
const mod = (await import(path)).default as MmsimModule;

function make(): ReclaimPolicy {
  const c = container.createChildContainer();
  mod.register(c);
  return resolveToken(c, ReclaimPolicy);
}

describe("a user's reclaim policy loaded from examples/policies", () => {
  it("is an MmsimModule for the reclaim slot", () => {
    expect(isMmsimModule(mod)).toBe(true);
    expect([mod.slot, mod.name]).toEqual(["reclaim", "second-chance"]);
    expect(make().name).toBe("second-chance");
  });

  it("reclaims the oldest unreferenced pages first and gives referenced ones a second chance", () => {
    const host = new SmallReclaimHost();
    const policy = make();
    policy.attach(host);
    for (let p = 0; p < 64; p++) policy.addFolio(host.newPage(p), false); // page 0 is the oldest
    for (let p = 0; p < 5; p++) policy.markAccessed(p);
    const sc = new ScanControl();
    sc.priority = 0;
    sc.nrToReclaim = 10;
    sc.reclaimIdx = 3;
    policy.shrinkLruvec(0, sc);
    // One batch of SWAP_CLUSTER_MAX pages from the old end: 0–4 rotated, 5–31 reclaimed.
    expect(host.freed).toEqual(Array.from({ length: 27 }, (_, i) => 5 + i));
    expect(sc.nrReclaimed).toBe(27);
    for (let p = 0; p < 5; p++) expect(host.mem.flags[p]! & (1 << PG_referenced)).toBe(0);
    expect(host.vmstat.nodeVmStat[NR_LRU_BASE + LRU_INACTIVE_FILE]).toBe(64 - 27);
    // The rotated pages are now the youngest: the next pass takes 32–63 before them.
    sc.nrReclaimed = 0;
    policy.shrinkLruvec(0, sc);
    expect(host.freed.slice(27, 27 + 32)).toEqual(Array.from({ length: 32 }, (_, i) => 32 + i));
    expectValid(policy);
  });

  it("a refault soon after eviction starts the page referenced; another policy's shadow is ignored", () => {
    const host = new SmallReclaimHost();
    const policy = make();
    policy.attach(host);
    for (let p = 0; p < 8; p++) policy.addFolio(host.newPage(p), false);
    policy.delFolio(3);
    const shadow = policy.eviction(3);
    const back = host.newPage(100);
    policy.refault(back, shadow);
    expect(host.mem.flags[back]! & (1 << PG_referenced)).not.toBe(0);
    const other = host.newPage(101);
    policy.refault(other, 2 ** 52 + 7);
    expect(host.mem.flags[other]! & (1 << PG_referenced)).toBe(0);
  });
});

describeReclaimPolicy("second-chance (examples/policies)", make);
