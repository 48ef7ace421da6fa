// mmsim: run by tools/pack-smoke.sh with only the packed @mmsim/core, memblock and buddy installed
// (plain npm, no workspace): boots the 1 GiB / 2 CPU reference board's page allocator and checks
// the figures the real kernel prints (tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu).
import { GFP_KERNEL, NIL_PFN, SZ_1G } from "@mmsim/core";
import { expectValid } from "@mmsim/core/testing";
import { createBuddyAllocator, zoneSizesInit } from "@mmsim/buddy";
import assert from "node:assert/strict";

const ram = 0x40000000;
const b = createBuddyAllocator({
  nrCpus: 2,
  nodes: [{ nid: 0, ranges: [[ram / 4096, (ram + SZ_1G) / 4096]] }],
  maxZonePfn: zoneSizesInit({ dramStart: ram, dramEnd: ram + SZ_1G }).maxZonePfn,
  reserved: [[0x40210000, 0x4220b000]],
});
const dma = b.state.zones[0];
assert.deepEqual(Array.from(dma.watermark.slice(0, 3)), [5632, 7040, 8448]); // proc_zoneinfo min/low/high
assert.equal(b.state.sysctl.minFreeKbytes, 22528); // proc_sys_vm min_free_kbytes
assert.equal(dma.pageset[0].high, 3520); // proc_zoneinfo pagesets high
assert.equal(dma.pageset[0].batch, 63); // proc_zoneinfo pagesets batch
const pfn = b.allocPages(GFP_KERNEL, 3, 0);
assert.notEqual(pfn, NIL_PFN);
assert.equal(b.freePages(pfn, 3, 0), 0);
expectValid(b);
console.log(`pack-smoke: @mmsim/buddy from npm tarballs: DMA zone managed ${dma.managedPages} pages, watermarks and pcp as on the real board`);
