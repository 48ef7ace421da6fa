// mmsim: swap PTEs in /proc/<pid>/smaps (Swap, SwapPss by swp_swapcount), smaps_rollup, status (VmSwap) and pagemap (PM_SWAP, swp_type | swp_offset << 5 shown to CAP_SYS_ADMIN only), after fs/proc/task_mmu.c's smaps_pte_entry and pte_to_pagemap_entry (v6.1)
import { SWP_SWAPIN_ERROR, type SwapOps, swpEntry } from "@mmsim/core";
import { FakePageAllocator } from "@mmsim/core/testing";
import { PgtableAllocator, PgtableStore, PteVal, getLockedPte, mkSwapPte, setPte, vmGetPageProt } from "@mmsim/hw-arm64";
import { MM_SWAPENTS, MapleTree, MmStruct, TaskStruct, VM_MAYREAD, VM_MAYWRITE, VM_READ, VM_WRITE, VmAreaStruct, mmAlloc } from "@mmsim/vma";
import { describe, expect, it } from "vitest";
import { procPidStatus } from "./array.ts";
import { PM_PRESENT_HI, PM_SWAP_HI, pagemapDecoded, pagemapRead } from "./pagemap.ts";
import { type TaskMmuSources, procPidSmaps, procPidSmapsRollup } from "./task-mmu.ts";

const A = 0x7f0000000000;

function build() {
  const pages = new FakePageAllocator(0x40000, 65536);
  const store = new PgtableStore({ basePfn: 0x40000, nrPages: 65536, vaBits: 48 });
  const alloc = new PgtableAllocator(store, pages, pages.mem);
  const mm = mmAlloc({ pgtableAlloc: alloc, newVmaTree: () => new MapleTree() } as never, 7) as MmStruct;
  mm.taskSize = 2 ** 48;
  const flags = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE;
  const vma = new VmAreaStruct(mm, A, A + 8 * 4096, flags, vmGetPageProt(flags), A / 4096);
  mm.mt.insert(vma);
  // four swap PTEs: entries of device 1 at offsets 5..8; offset 5 shared by two users (fork), offset 6 by three
  const users = new Map<number, number>([[swpEntry(1, 5), 2], [swpEntry(1, 6), 3], [swpEntry(1, 7), 1], [swpEntry(1, 8), 1]]);
  const t = new PteVal();
  let i = 0;
  for (const entry of users.keys()) {
    mkSwapPte(entry, i === 2, t);
    setPte(store, getLockedPte(alloc, mm.pgtables!, A + i * 4096), t.lo, t.hi);
    i++;
  }
  // a swap-in error entry counts nowhere
  mkSwapPte(swpEntry(SWP_SWAPIN_ERROR, 0x48000), false, t);
  setPte(store, getLockedPte(alloc, mm.pgtables!, A + 6 * 4096), t.lo, t.hi);
  mm.rssStat[MM_SWAPENTS] = 4;
  const swap = { swpSwapcount: (e: number) => users.get(e) ?? 0 } as Partial<SwapOps> as SwapOps;
  const src: TaskMmuSources = { mem: pages.mem, store, thpEnabled: "never", swap };
  return { mm, src, task: new TaskStruct(50, null, mm, "swapped") };
}

describe("swap PTEs in /proc/<pid>/", () => {
  it("smaps: Swap a page each, SwapPss divided among the slot's users; smaps_rollup sums them", () => {
    const b = build();
    const text = procPidSmaps(b.src, b.task);
    expect(text).toMatch(/\nSwap: {17}16 kB\n/);
    // 4 KiB/2 + 4 KiB/3 + 4 + 4 = 11.33 kB, printed in whole kB (PSS_SHIFT fixed point >> 10)
    expect(text).toMatch(/\nSwapPss: {14}11 kB\n/);
    const rollup = procPidSmapsRollup(b.src, b.task)!;
    expect(rollup).toMatch(/\nSwap: {17}16 kB\n/);
    expect(rollup).toMatch(/\nSwapPss: {14}11 kB\n/);
    // without the swap subsystem's counts every swap PTE is a full page
    const bare = procPidSmaps({ ...b.src, swap: null }, b.task);
    expect(bare).toMatch(/\nSwapPss: {14}16 kB\n/);
  });

  it("status: VmSwap is MM_SWAPENTS", () => {
    const b = build();
    const s = procPidStatus(b.task, { nrCpuIds: 2, memNodes: [0], sigQueueLimit: 3624 });
    expect(s).toContain("\nVmSwap:\t      16 kB\n"); // "%8lu kB"
  });

  it("pagemap: PM_SWAP with swp_type | swp_offset << 5 for CAP_SYS_ADMIN, the bit alone for others", () => {
    const b = build();
    const buf = pagemapRead(b.src, b.task, (A / 4096) * 8, 8) as Uint8Array;
    const dv = new DataView(buf.buffer);
    expect(dv.getUint32(0, true)).toBe(1 | (5 << 5));
    expect(dv.getUint32(4, true)).toBe(PM_SWAP_HI);
    expect(dv.getUint32(4, true) & PM_PRESENT_HI).toBe(0);
    const hidden = new DataView((pagemapRead(b.src, b.task, (A / 4096) * 8, 8, false) as Uint8Array).buffer);
    expect([hidden.getUint32(0, true), hidden.getUint32(4, true)]).toEqual([0, PM_SWAP_HI]);
    expect(pagemapDecoded(b.src, b.task).split("\n")[2]).toBe(
      "0x7f0000002000 present=0 swapped=1 file_or_shared=0 exclusive=0 soft_dirty=0 uffd_wp=0 swap_type=1 swap_offset=0x7",
    );
  });
});
