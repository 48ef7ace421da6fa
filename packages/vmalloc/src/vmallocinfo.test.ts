// mmsim: /proc/vmallocinfo and the meminfo figures against the reference capture's format
import { GFP_KERNEL, debugVm } from "@mmsim/core";
import { formatVa } from "@mmsim/hw-arm64";
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, it } from "vitest";
import { PAGE_KERNEL, VM_DMA_COHERENT, VM_MAP } from "./index.ts";
import { SZ_4K, VMALLOC_END, VMALLOC_START, check, makeRig } from "./vmalloc.test-helpers.ts";

beforeAll(() => {
  debugVm.on = true;
});

const FIXTURE = "../../../tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu";

function fixture(name: string): string {
  return readFileSync(new URL(`${FIXTURE}/${name}`, import.meta.url), "utf8");
}

/** A line with its address range replaced (the capture's are hashed by %pK). */
function shape(line: string): string {
  return line.replace(/^0x[0-9a-f]{16}-0x[0-9a-f]{16} /, "ADDR ");
}

describe("/proc/vmallocinfo", () => {
  it("prints each kind of area exactly as a line of the reference capture (addresses aside)", () => {
    const ref = new Set(fixture("proc_vmallocinfo").trimEnd().split("\n").map(shape));
    const r = makeRig();
    const vm = r.vm;
    const stackA = vm.vmallocNodeAlign(16384, 32768, GFP_KERNEL, -1, "kernel_clone+0xa0/0x4b0");
    vm.ioremap(0x9000000, 0x1000, "__devm_ioremap_resource+0x1a8/0x28c");
    vm.ioremap(0x8000000, 0x10000, "of_iomap+0xdc/0xf0");
    vm.vmalloc(62 * SZ_4K, "pcpu_mem_zalloc+0x40/0x80");
    vm.vmalloc(3 * SZ_4K, "n_tty_open+0x24/0xe0");
    vm.vmalloc(32 * SZ_4K, "crypto_scomp_init_tfm+0xa8/0x124");
    vm.vmalloc(SZ_4K, "gen_pool_add_owner+0x4c/0x130");
    vm.ioremap(0x4010000000, 0x10000000, "pci_ecam_create+0x134/0x27c");
    const pfns = new Int32Array(32);
    for (let i = 0; i < 32; i++) pfns[i] = 0x48000 + i;
    vm.vmap(pfns, 32, VM_DMA_COHERENT, PAGE_KERNEL, "dma_common_contiguous_remap+0x94/0xdc");
    // pcpu_get_vm_areas' chunk (the capture's only vmalloc line without pages=): an area reserved
    // with VM_ALLOC whose pages the percpu allocator maps itself
    vm.getVmAreaRange(253952 - SZ_4K, 0x2, VMALLOC_START, VMALLOC_END, "pcpu_get_vm_areas+0x0/0x1270");
    const stackB = vm.vmallocNodeAlign(16384, 32768, GFP_KERNEL, -1, "kernel_clone+0xa0/0x4b0");
    vm.vfree(stackA);
    vm.vfree(stackB); // two lazily freed 20K areas, not adjacent
    const lines = vm.vmallocinfo().trimEnd().split("\n");
    expect(lines.length).toBe(5 + 9 + 2);
    for (const l of lines) expect(ref.has(shape(l)), l).toBe(true);
    expect(lines.filter((l) => l.endsWith(" unpurged vm_area")).map(shape)).toEqual(["ADDR   20480 unpurged vm_area", "ADDR   20480 unpurged vm_area"]);
    check(r);
  });

  it("shows vm_map_ram areas and vmap blocks without a vm_struct", () => {
    const r = makeRig();
    const pfns = new Int32Array(80).map((_, i) => 0x48000 + i);
    const a = r.vm.vmMapRam(pfns, 4);
    const b = r.vm.vmMapRam(pfns, 2);
    const big = r.vm.vmMapRam(pfns, 65);
    const blockSize = r.vm.state.blocks.blockSize;
    expect(blockSize).toBe(4 * 1024 * 1024); // VMAP_BBMAP_BITS = 1024 with NR_CPUS 256
    expect(Math.abs(a % blockSize)).toBe(0);
    expect(b).toBe(a + 4 * SZ_4K);
    expect(r.pt.pfnAt(b + SZ_4K)).toBe(0x48001);
    const info = r.vm.vmallocinfo();
    expect(info).toContain(`0x${formatVa(a)}-0x${formatVa(a + blockSize)} 4194304 vm_map_ram\n`);
    expect(info).toContain(`0x${formatVa(big)}-0x${formatVa(big + 65 * SZ_4K)}  266240 vm_map_ram\n`);
    r.vm.vmUnmapRam(a, 4);
    r.vm.vmUnmapRam(b, 2);
    r.vm.vmUnmapRam(big, 65);
    expect(r.pt.pfnAt(a)).toBe(-1);
    // the block is all free-or-dirty: vm_unmap_aliases() reclaims it and flushes once
    r.vm.vmUnmapAliases();
    expect(r.vm.state.blocks.nrBlocks).toBe(0);
    expect(r.pt.flushes.length).toBe(1);
    const [fs, fe] = r.pt.flushes[0]!;
    expect(fs).toBe(Math.min(a, big));
    expect(fe).toBe(Math.max(a + blockSize, big + 65 * SZ_4K));
    check(r);
  });

  it("a block whose pages are all dirty is freed by vm_unmap_ram itself", () => {
    const r = makeRig();
    const pfns = new Int32Array(64).fill(0x48000);
    const addrs: number[] = [];
    for (let i = 0; i < 16; i++) addrs.push(r.vm.vmMapRam(pfns, 64));
    expect(r.vm.state.blocks.nrBlocks).toBe(1);
    for (const a of addrs) r.vm.vmUnmapRam(a, 64);
    expect(r.vm.state.blocks.nrBlocks).toBe(0);
    expect(r.vm.counters().vmapLazyNr).toBe(1024);
    check(r);
  });

  it("prints N<nid>= per node and user / vpages flags", () => {
    const r = makeRig({ config: { nrNodes: 2, pfnToNid: (pfn) => pfn & 1 } });
    const u = r.vm.vmallocUser(4 * SZ_4K, "bpf_map_area_mmapable_alloc+0x10/0x20");
    expect(r.vm.vmallocinfo()).toContain(`0x${formatVa(u)}-0x${formatVa(u + 5 * SZ_4K)}   20480 bpf_map_area_mmapable_alloc+0x10/0x20 pages=4 vmalloc user N0=2 N1=2\n`);
    check(r);
  });

  it("prints no caller when none is given, and vmap areas without pages", () => {
    const r = makeRig();
    const a = r.vm.vmap(Int32Array.of(0x48000), 1, VM_MAP, PAGE_KERNEL);
    expect(r.vm.vmallocinfo()).toContain(`0x${formatVa(a)}-0x${formatVa(a + 2 * SZ_4K)}    8192 vmap\n`);
  });
});

describe("/proc/meminfo figures", () => {
  it("VmallocTotal as the capture, VmallocUsed = vmalloc'd pages, VmallocChunk 0", () => {
    const meminfo = fixture("proc_meminfo");
    const r = makeRig();
    const total = /VmallocTotal:\s+(\d+) kB/.exec(meminfo)![1];
    expect(String(r.vm.meminfo().vmallocTotal)).toBe(total);
    expect(/VmallocChunk:\s+(\d+) kB/.exec(meminfo)![1]).toBe("0");
    // the capture's VmallocUsed (1704 kB) is the sum of its pages= fields (426 pages)
    const pages = [...fixture("proc_vmallocinfo").matchAll(/ pages=(\d+)/g)].reduce((n, m) => n + Number(m[1]), 0);
    expect(pages * 4).toBe(Number(/VmallocUsed:\s+(\d+) kB/.exec(meminfo)![1]));
    // the same rule here: ioremap and vmap do not count, vmalloc does
    r.vm.ioremap(0x9000000, SZ_4K);
    r.vm.vmap(Int32Array.of(0x48000), 1, VM_MAP, PAGE_KERNEL);
    const a = r.vm.vmalloc(10 * SZ_4K);
    expect(r.vm.meminfo().vmallocUsed).toBe(40);
    r.vm.vfree(a);
    expect(r.vm.meminfo().vmallocUsed).toBe(0);
  });
});
