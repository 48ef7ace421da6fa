// mmsim: run by tools/pack-smoke.sh in a scratch folder with only the packed @mmsim/core and
// @mmsim/hw-arm64 installed (plain npm, no workspace): builds the 1 GiB reference board's kernel
// page tables the way paging_init does, walks them and prints the layout.
import { SZ_1G } from "@mmsim/core";
import {
  ACCESS_READ, PgtableStore, WalkOut, __va, arm64Layout, formatLayout, formatVa0x, pagingInit, walk,
} from "@mmsim/hw-arm64";
import assert from "node:assert/strict";

const RAM = 0x40000000;
const layout = arm64Layout({ vaBits: 48, dramStart: RAM, kernelPhys: 0x40200000 });
assert.equal(formatVa0x(layout.PAGE_OFFSET), "0xffff000000000000");
assert.equal(formatVa0x(layout.VMALLOC_START), "0xffff800008000000");
const store = new PgtableStore({ basePfn: RAM / 4096, nrPages: SZ_1G / 4096 });
let top = RAM + SZ_1G;
const { tables } = pagingInit({
  layout, store, memory: [{ base: RAM, size: SZ_1G }],
  // the reference image's segments (vmallocinfo of the real capture)
  image: {
    _text: 0x40200000, _stext: 0x40210000, _etext: 0x40f00000, __start_rodata: 0x40f00000, __inittext_begin: 0x41860000,
    __inittext_end: 0x41940000, __initdata_begin: 0x41940000, __initdata_end: 0x41eb0000, _data: 0x41eb0000, _end: 0x42210000,
  },
  swapperPgDir: 0x4185f000,
  earlyAlloc: (size, align) => (top = Math.floor((top - size) / align) * align),
});
const out = new WalkOut();
assert.equal(walk(store, store.swapperPgDir, __va(layout, 0x40123456), ACCESS_READ, out), 0);
assert.equal(out.pa, 0x40123456);
assert.match(formatLayout(layout), /vmalloc/);
console.log(`pack-smoke: @mmsim/hw-arm64 from npm tarballs: paging_init took ${tables.total} tables; ${formatVa0x(__va(layout, 0x40123456))} walks to 0x40123456`);
