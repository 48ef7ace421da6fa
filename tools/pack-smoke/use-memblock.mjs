// mmsim: run by tools/pack-smoke.sh in a scratch folder with only the packed @mmsim/core and
// @mmsim/memblock installed (plain npm, no workspace): boots memblock the way the 1 GiB reference
// board does and checks what the published packages compute.
import { KernelLog, SZ_1G } from "@mmsim/core";
import { RecordingBootPageSink, expectValid } from "@mmsim/core/testing";
import { Memblock, memblockDebugShow } from "@mmsim/memblock";
import assert from "node:assert/strict";

const log = new KernelLog();
const mb = new Memblock(log);
mb.memblockAdd(0x40000000, SZ_1G);
mb.memblockReserve(0x40210000, 0x4220b000 - 0x40210000); // kernel image (reference memblock/reserved entry 0)
mb.memblockReserve(0x48200000, 0x100000); // entry 1
mb.memblockReserve(0x7ac00000, 0x5000000); // CMA, 64 MiB (entry 2)
const dtb = mb.memblockPhysAlloc(0x10000, 0x1000); // an early allocation, top-down below the CMA area's end
assert.ok(dtb > 0x7ac00000 && dtb < 0x80000000, `top-down allocation landed at ${dtb.toString(16)}`);
expectValid(mb);

const sink = new RecordingBootPageSink();
const freed = mb.memblockFreeAll(sink);
expectValid(sink);
assert.equal(freed, sink.freedPages);
assert.equal(freed, 262144 - (0x4220b000 - 0x40210000 + 0x100000 + 0x5000000 + 0x10000) / 4096);
assert.ok(sink.perOrder[10] > 0, "max-order blocks handed over");

const text = memblockDebugShow(mb.memory);
assert.equal(text, "   0: 0x0000000040000000..0x000000007fffffff\n");
console.log(`pack-smoke: @mmsim/memblock from npm tarballs: ${freed} pages handed over in ${sink.freed.length} blocks; debugfs ok`);
