// mmsim: anon_vma_prepare / anon_vma_fork / anon_vma_clone / unlink_anon_vmas through a fork hierarchy, with 6.1's reuse rule (num_children < 2 and no active VMA)
import { MemMap, VmStat } from "@mmsim/core";
import { FakePageAllocator } from "@mmsim/core/testing";
import { PgtableStore, vmGetPageProt } from "@mmsim/hw-arm64";
import { MapleTree, MmStruct, VmAreaStruct } from "@mmsim/vma";
import { describe, expect, it } from "vitest";
import type { AnonVmaStruct } from "./anon-vma.ts";
import { Rmap } from "./rmap.ts";

function rig() {
  const pages = new FakePageAllocator();
  const mem: MemMap = pages.mem;
  const rmap = new Rmap({ mem, store: new PgtableStore({ basePfn: mem.basePfn, nrPages: mem.nrPages }), pages, vmstat: new VmStat(1), flushTlbRange: () => {} });
  let id = 1;
  const vma = (start = 0x10000000, len = 0x10000, flags = 0x73) => {
    const mm = new MmStruct(id++, new MapleTree());
    const v = new VmAreaStruct(mm, start, start + len, flags, vmGetPageProt(flags & 0xf), start / 4096);
    mm.mt.insert(v);
    return v;
  };
  const fork = (pv: VmAreaStruct) => {
    const v = vma(pv.vmStart, pv.vmEnd - pv.vmStart, pv.vmFlags);
    v.anonVma = pv.anonVma;
    expect(rmap.anonVmaFork(v, pv)).toBe(0);
    return v;
  };
  return { rmap, vma, fork };
}

describe("anon_vma hierarchy", () => {
  it("prepare makes a root; fork gives the child its own anon_vma under the root, linked to every ancestor", () => {
    const { rmap, vma, fork } = rig();
    const p = vma();
    expect(rmap.anonVmaPrepare(p)).toBe(0);
    const root = p.anonVma as AnonVmaStruct;
    expect(root.root).toBe(root);
    expect(root.numChildren).toBe(1); // self-parent link
    expect(root.numActiveVmas).toBe(1);
    const c = fork(p);
    const av1 = c.anonVma as AnonVmaStruct;
    expect(av1).not.toBe(root);
    expect(av1.root).toBe(root);
    expect(av1.parent).toBe(root);
    expect(root.numChildren).toBe(2);
    expect(root.refcount).toBe(2);
    expect(c.anonVmaChain.map((x) => x.anonVma)).toEqual([av1, root]);
    expect(root.chains.length).toBe(2);
    const g = fork(c);
    expect(g.anonVmaChain.length).toBe(3);
    expect(rmap.table.nrAnonVmas).toBe(3);
    expect(rmap.table.nrChains).toBe(6);
  });

  it("a grandchild's fork reuses the anon_vma of an exited middle process (no VMA, one child)", () => {
    const { rmap, vma, fork } = rig();
    const p = vma();
    rmap.anonVmaPrepare(p);
    const c = fork(p);
    const av1 = c.anonVma as AnonVmaStruct;
    const g = fork(c);
    rmap.unlinkAnonVmas(c); // the middle process exits
    expect(av1.live).toBe(true); // still in g's chain
    expect(av1.numActiveVmas).toBe(0);
    expect(av1.numChildren).toBe(1);
    const gg = fork(g);
    expect(gg.anonVma).toBe(av1);
    expect(av1.numActiveVmas).toBe(1);
    for (const v of [gg, g, p]) rmap.unlinkAnonVmas(v);
    expect(rmap.table.nrAnonVmas).toBe(0);
    expect(rmap.table.nrChains).toBe(0);
  });

  it("anon_vma_prepare reuses a compatible neighbour's anon_vma; unlink is idempotent", () => {
    const { rmap } = rig();
    const mm = new MmStruct(9, new MapleTree());
    const a = new VmAreaStruct(mm, 0x10000, 0x20000, 0x73, vmGetPageProt(3), 0x10);
    const b = new VmAreaStruct(mm, 0x20000, 0x30000, 0x71, vmGetPageProt(1), 0x20);
    mm.mt.insert(a);
    mm.mt.insert(b);
    rmap.anonVmaPrepare(a);
    rmap.anonVmaPrepare(b);
    expect(b.anonVma).toBe(a.anonVma);
    expect((a.anonVma as AnonVmaStruct).numActiveVmas).toBe(2);
    rmap.unlinkAnonVmas(a);
    rmap.unlinkAnonVmas(a);
    rmap.unlinkAnonVmas(b);
    expect(rmap.table.nrAnonVmas).toBe(0);
  });
});
