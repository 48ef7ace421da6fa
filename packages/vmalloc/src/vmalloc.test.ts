// mmsim: tests of the vmalloc API — address choice, guard pages, mapping, vfree, vmap, ioremap, errors
import { ENOMEM, GFP_KERNEL, NIL_PFN, PAGE_SIZE, SZ_1M, SZ_2M, __GFP_NOWARN, debugVm } from "@mmsim/core";
import { formatVa } from "@mmsim/hw-arm64";
import { beforeAll, describe, expect, it } from "vitest";
import {
  NIL_VM, PAGE_KERNEL, PAGE_KERNEL_EXEC, PROT_DEVICE_nGnRE, VM_ALLOC, VM_FLUSH_RESET_PERMS, VM_IOREMAP, VM_MAP,
  VM_MAP_PUT_PAGES, VM_NO_GUARD,
} from "./index.ts";
import {
  IMAGE, OrderFailingPageAllocator, SZ_4K, VMALLOC_END, VMALLOC_START, check, kimg, logLines, makeRig, mappedPfns,
} from "./vmalloc.test-helpers.ts";

beforeAll(() => {
  debugVm.on = true;
});

describe("boot: paging_init's kernel image areas and vmalloc_init", () => {
  it("imports the five VM_MAP areas into the busy tree and leaves the 64K below _stext free", () => {
    const r = makeRig();
    check(r);
    const text = r.vm.findVmapArea(kimg(IMAGE._stext));
    expect(text).toEqual({ vaStart: kimg(IMAGE._stext), vaEnd: kimg(IMAGE._etext), vm: expect.any(Number) });
    // _text.._stext (the image header, 64K) is not registered: the first allocation goes there.
    const a = r.vm.vmalloc(SZ_4K, "test");
    expect(a).toBe(VMALLOC_START);
    expect(formatVa(a)).toBe("ffff800008000000");
    check(r);
  });

  it("replays the first vmalloc/ioremap calls of the reference boot: the same holes as the capture", () => {
    // tests/conformance/fixtures/linux-6.1-arm64/virt-1g-2cpu/proc_vmallocinfo, lines 1-5 (addresses
    // are hashed there, but equal addresses hash equally): line 1 ends where line 2 starts, line 3
    // does not start where line 2 ends, line 3 ends where line 4 starts, line 5 (the kernel text)
    // does not start where line 4 ends.
    const r = makeRig();
    const vm = r.vm;
    // start_kernel → init_IRQ → IRQ stacks: __vmalloc_node(IRQ_STACK_SIZE 16K, THREAD_ALIGN 32K)
    const irq0 = vm.vmallocNodeAlign(16384, 32768, GFP_KERNEL, -1, "start_kernel+0x554/0x75c");
    const gic = vm.ioremap(0x08020000, 0x1000, "gicv2m_init_one+0xac/0x238");
    const irq1 = vm.vmallocNodeAlign(16384, 32768, GFP_KERNEL, -1, "start_kernel+0x554/0x75c");
    const bpf = vm.vmalloc(4096, "bpf_prog_alloc_no_stats+0x48/0x200");
    const lines = vm.vmallocinfo().split("\n").slice(0, 6);
    expect(lines).toEqual([
      "0xffff800008000000-0xffff800008005000   20480 start_kernel+0x554/0x75c pages=4 vmalloc N0=4",
      "0xffff800008005000-0xffff800008007000    8192 gicv2m_init_one+0xac/0x238 phys=0x0000000008020000 ioremap",
      "0xffff800008008000-0xffff80000800d000   20480 start_kernel+0x554/0x75c pages=4 vmalloc N0=4",
      "0xffff80000800d000-0xffff80000800f000    8192 bpf_prog_alloc_no_stats+0x48/0x200 pages=1 vmalloc N0=1",
      "0xffff800008010000-0xffff800008d00000 13565952 paging_init+0x130/0x610 phys=0x0000000040210000 vmap",
      "0xffff800008d00000-0xffff800009660000 9830400 paging_init+0x170/0x610 phys=0x0000000040f00000 vmap",
    ]);
    expect([irq0, gic, irq1, bpf]).toEqual([VMALLOC_START, VMALLOC_START + 0x5000, VMALLOC_START + 0x8000, VMALLOC_START + 0xd000]);
    check(r);
  });

  it("prints the five paging_init lines with the sizes of the reference capture", () => {
    const r = makeRig();
    const lines = r.vm.vmallocinfo().trimEnd().split("\n");
    expect(lines).toEqual([
      "0xffff800008010000-0xffff800008d00000 13565952 paging_init+0x130/0x610 phys=0x0000000040210000 vmap",
      "0xffff800008d00000-0xffff800009660000 9830400 paging_init+0x170/0x610 phys=0x0000000040f00000 vmap",
      "0xffff800009660000-0xffff800009740000  917504 paging_init+0x19c/0x610 phys=0x0000000041860000 vmap",
      "0xffff800009740000-0xffff800009cb0000 5701632 paging_init+0x1cc/0x610 phys=0x0000000041940000 vmap",
      "0xffff800009cb0000-0xffff80000a011000 3543040 paging_init+0x1f8/0x610 phys=0x0000000041eb0000 vmap",
    ]);
  });

  it("refuses early registration after vmalloc_init and allocation before it", () => {
    const r = makeRig();
    expect(() => r.vm.vmAreaAddEarly(VMALLOC_START + SZ_1M * 512, SZ_4K, VM_MAP, 0)).toThrow(/before vmallocInit/);
    const early = makeRig({ init: false });
    expect(early.vm.vmalloc(SZ_4K)).toBe(0); // alloc_vmap_area: -EBUSY before vmap_initialized
  });

  it("vm_area_register_early takes the lowest aligned hole of vmlist", () => {
    const r = makeRig({ init: false });
    const vm = r.vm.vmAreaRegisterEarly(0x8000, VM_ALLOC, 0x10000, "pcpu_page_first_chunk");
    expect(r.vm.state.vms.addr[vm]).toBe(VMALLOC_START); // 32K fits below _stext
    const vm2 = r.vm.vmAreaRegisterEarly(0x10000, VM_ALLOC, 0x10000, "x");
    // 64K does not fit in the rest of the hole: next aligned address after the image
    expect(r.vm.state.vms.addr[vm2]).toBe(Math.ceil((kimg(IMAGE._end) + SZ_4K) / 0x10000) * 0x10000);
    r.vm.vmallocInit();
    check(r);
  });
});

describe("vmalloc: guard page, lowest fit, alignment, mapping", () => {
  it("adds a guard page, maps every page to its PFN, and counts VmallocUsed", () => {
    const r = makeRig();
    const addr = r.vm.vmalloc(3 * SZ_4K + 1, "caller");
    const vm = r.vm.findVmArea(addr);
    const v = r.vm.vmStruct(vm)!;
    expect(v.size).toBe(5 * SZ_4K); // 4 pages (PAGE_ALIGN) + guard
    expect(v.nrPages).toBe(4);
    expect(v.flags & VM_ALLOC).toBe(VM_ALLOC);
    expect(mappedPfns(r, addr, 4)).toEqual(v.pfns);
    expect(r.pt.pfnAt(addr + 4 * SZ_4K)).toBe(-1); // the guard page is not mapped
    expect(r.pt.protAt(addr)).toBe(PAGE_KERNEL);
    expect(r.vm.vmallocToPfn(addr + 2 * SZ_4K + 17)).toBe(v.pfns[2]);
    expect(r.vm.vmallocToPfn(addr + 4 * SZ_4K)).toBe(NIL_PFN);
    expect(r.vm.vmallocNrPages()).toBe(4);
    expect(r.vm.meminfo()).toEqual({ vmallocTotal: 133143592960, vmallocUsed: 16, vmallocChunk: 0 });
    check(r);
  });

  it("takes the lowest hole that fits, skipping smaller holes", () => {
    const r = makeRig();
    const a = r.vm.vmalloc(SZ_4K); // [0, 8K)
    const b = r.vm.vmalloc(SZ_4K); // [8K, 16K)
    const c = r.vm.vmalloc(SZ_4K); // [16K, 24K)
    expect([a, b, c]).toEqual([VMALLOC_START, VMALLOC_START + 0x2000, VMALLOC_START + 0x4000]);
    r.vm.vfree(b);
    r.vm.purgeVmapAreaLazy();
    // an 8K request (12K with guard) does not fit the 8K hole: it goes after c, in the 64K hole
    const d = r.vm.vmalloc(2 * SZ_4K);
    expect(d).toBe(VMALLOC_START + 0x6000);
    // a one-page request does fit the hole b left
    expect(r.vm.vmalloc(SZ_4K)).toBe(b);
    check(r);
  });

  it("does not reuse a lazily freed area before the purge", () => {
    const r = makeRig();
    const a = r.vm.vmalloc(SZ_4K);
    r.vm.vfree(a);
    const b = r.vm.vmalloc(SZ_4K);
    expect(b).toBe(a + 0x2000);
    expect(r.vm.vmallocinfo()).toContain(`0x${formatVa(a)}-0x${formatVa(a + 0x2000)}    8192 unpurged vm_area\n`);
    check(r);
  });

  it("aligns (THREAD_ALIGN stacks, 2 MiB) and honours vstart/vend", () => {
    const r = makeRig();
    r.vm.vmalloc(SZ_4K);
    const s = r.vm.vmallocNodeAlign(16384, 32768, GFP_KERNEL, -1);
    expect(s).toBe(VMALLOC_START + 0x8000);
    const h = r.vm.vmallocNodeAlign(SZ_4K, SZ_2M, GFP_KERNEL, -1);
    expect((h - VMALLOC_START) % SZ_2M).toBe(0);
    expect(h).toBeGreaterThan(kimg(IMAGE._end));
    const lo = VMALLOC_START + 0x40000000;
    const x = r.vm.vmallocNodeRange(SZ_4K, 1, lo, lo + 0x10000, GFP_KERNEL, PAGE_KERNEL, 0, -1);
    expect(x).toBe(lo);
    check(r);
  });

  it("VM_NO_GUARD leaves no gap", () => {
    const r = makeRig();
    const a = r.vm.vmallocNodeRange(SZ_4K, 1, VMALLOC_START, VMALLOC_END, GFP_KERNEL, PAGE_KERNEL, VM_NO_GUARD, -1);
    const b = r.vm.vmalloc(SZ_4K);
    expect(b - a).toBe(SZ_4K);
    check(r);
  });

  it("puts a pages array larger than a page in vmalloc space (vpages) with the same caller", () => {
    const r = makeRig();
    const addr = r.vm.vmalloc(513 * SZ_4K, "big_user+0x10/0x20");
    const v = r.vm.vmStruct(r.vm.findVmArea(addr))!;
    expect(r.vm.isVmallocAddr(v.pagesAddr)).toBe(true);
    const info = r.vm.vmallocinfo();
    expect(info).toContain(" big_user+0x10/0x20 pages=513 vmalloc vpages N0=513\n");
    // the array itself: 513 * 8 bytes = 2 pages
    expect(info).toContain(" big_user+0x10/0x20 pages=2 vmalloc N0=2\n");
    expect(r.vm.vmallocNrPages()).toBe(515);
    r.vm.vfree(addr);
    expect(r.vm.vmallocNrPages()).toBe(0);
    expect(r.pages.pagesInUse).toBe(0);
    check(r);
  });

  it("a 512-page area keeps its array in kmalloc (4096 bytes = PAGE_SIZE)", () => {
    const r = makeRig();
    const addr = r.vm.vmalloc(512 * SZ_4K);
    const v = r.vm.vmStruct(r.vm.findVmArea(addr))!;
    expect(v.pagesAddr).toBeGreaterThan(0);
    expect(r.vm.vmallocinfo()).not.toContain("vpages");
    check(r);
  });
});

describe("vfree", () => {
  it("unmaps without flushing, frees the pages, and parks the area", () => {
    const r = makeRig();
    const addr = r.vm.vmalloc(2 * SZ_4K);
    r.vm.vfree(addr);
    expect(r.pt.pfnAt(addr)).toBe(-1);
    expect([...r.pt.stale].sort()).toEqual([addr, addr + SZ_4K].sort());
    expect(r.pt.flushes).toEqual([]);
    expect(r.pages.pagesInUse).toBe(0);
    expect(r.vm.counters().vmapLazyNr).toBe(3);
    expect(r.vm.vmallocNrPages()).toBe(0);
    check(r);
  });

  it("ignores NULL and WARNs for a bad or unknown address", () => {
    const r = makeRig();
    const n = r.log.length;
    r.vm.vfree(0);
    expect(r.log.length).toBe(n);
    r.vm.vfree(VMALLOC_START + 12);
    r.vm.vfree(VMALLOC_START + 0x100000000);
    expect(logLines(r.log, n)).toEqual([
      "------------[ cut here ]------------",
      "Trying to vfree() bad address (ffff80000800000c)",
      "WARNING: CPU: 0 PID: 0 at mm/vmalloc.c:2695 __vunmap",
      "---[ end trace 0000000000000000 ]---",
      "------------[ cut here ]------------",
      "Trying to vfree() nonexistent vm area (ffff800108000000)",
      "WARNING: CPU: 0 PID: 0 at mm/vmalloc.c:2701 __vunmap",
      "---[ end trace 0000000000000000 ]---",
    ]);
    check(r);
  });

  it("frees the area containing an inner address, as 6.1's find_vmap_area does", () => {
    const r = makeRig();
    const addr = r.vm.vmalloc(4 * SZ_4K);
    r.vm.vfree(addr + 2 * SZ_4K);
    expect(r.vm.findVmArea(addr)).toBe(NIL_VM);
    expect(r.pages.pagesInUse).toBe(0);
    check(r);
  });
});

describe("vunmap_range and VM_FLUSH_RESET_PERMS", () => {
  it("free_initmem unmaps the __init part of the image with a flush and keeps its areas", () => {
    const r = makeRig();
    const before = r.vm.vmallocinfo();
    const start = kimg(0x41860000);
    const end = kimg(0x41eb0000);
    r.vm.vunmapRange(start, end);
    expect(r.pt.flushes).toEqual([[start, end]]);
    expect(r.vm.vmallocinfo()).toBe(before);
  });

  it("a VM_FLUSH_RESET_PERMS area is flushed with its pages' linear-map range when freed", () => {
    const pageOffset = -(2 ** 48);
    const r = makeRig({ config: { pageAddress: (pfn) => pageOffset + (pfn * SZ_4K - 0x40000000) } });
    const a = r.vm.vmallocNodeRange(2 * SZ_4K, 1, VMALLOC_START, VMALLOC_END, GFP_KERNEL, PAGE_KERNEL_EXEC, VM_FLUSH_RESET_PERMS, -1, "bpf_jit");
    const pfns = r.vm.vmStruct(r.vm.findVmArea(a))!.pfns;
    const lo = pageOffset + (Math.min(...pfns) * SZ_4K - 0x40000000);
    const hi = pageOffset + (Math.max(...pfns) * SZ_4K - 0x40000000) + SZ_4K;
    r.vm.vfree(a);
    expect(r.pt.flushes).toEqual([[lo, a + 3 * SZ_4K]]);
    expect(hi).toBeLessThan(a);
    expect(r.vm.counters().vmapLazyNr).toBe(0);
    // vunmap of such an area flushes every lazy alias (vm_unmap_aliases)
    const b = r.vm.vmap(Int32Array.of(0x48000), 1, VM_MAP | VM_FLUSH_RESET_PERMS, PAGE_KERNEL);
    r.vm.vunmap(b);
    expect(r.pt.flushes.at(-1)).toEqual([b, b + 2 * SZ_4K]);
    check(r);
  });
});

describe("vmap and vunmap", () => {
  it("maps the caller's pages non-executable, and vunmap leaves them to the caller", () => {
    const r = makeRig();
    const pfns = Int32Array.of(0x40100, 0x40200, 0x40300);
    const addr = r.vm.vmap(pfns, 3, VM_MAP, PAGE_KERNEL_EXEC, "vmap_user");
    expect(mappedPfns(r, addr, 3)).toEqual([0x40100, 0x40200, 0x40300]);
    expect(r.pt.protAt(addr)).toBe(PAGE_KERNEL); // pgprot_nx
    expect(r.vm.vmallocToPfn(addr + SZ_4K)).toBe(0x40200);
    expect(r.vm.vmallocinfo()).toContain(`0x${formatVa(addr)}-0x${formatVa(addr + 4 * SZ_4K)}   16384 vmap_user vmap\n`);
    r.vm.vunmap(addr);
    expect(r.pt.pfnAt(addr)).toBe(-1);
    check(r);
  });

  it("VM_MAP_PUT_PAGES hands the pages to vfree", () => {
    const r = makeRig();
    const p0 = r.pages.allocPages(GFP_KERNEL, 0);
    const p1 = r.pages.allocPages(GFP_KERNEL, 0);
    const addr = r.vm.vmap(Int32Array.of(p0, p1), 2, VM_MAP | VM_MAP_PUT_PAGES, PAGE_KERNEL);
    expect(r.vm.vmallocinfo()).toContain(" pages=2 vmap N0=2\n");
    expect(r.vm.vmallocNrPages()).toBe(0);
    r.vm.vfree(addr);
    expect(r.pages.pagesInUse).toBe(0);
    check(r);
  });

  it("drops VM_NO_GUARD with a WARN_ON_ONCE", () => {
    const r = makeRig();
    const a = r.vm.vmap(Int32Array.of(0x40100), 1, VM_MAP | VM_NO_GUARD, PAGE_KERNEL);
    expect(r.vm.vmStruct(r.vm.findVmArea(a))!.size).toBe(2 * SZ_4K);
    expect(logLines(r.log)).toContain("WARNING: CPU: 0 PID: 0 at mm/vmalloc.c:2856 vmap");
  });
});

describe("ioremap", () => {
  it("aligns to the size order (IOREMAP_MAX_ORDER = PUD_SHIFT), records phys, keeps the offset", () => {
    const r = makeRig();
    r.vm.vmalloc(SZ_4K); // [0, 8K)
    const a = r.vm.ioremap(0x08000000 + 0x123, 0x10000, "of_iomap+0xdc/0xf0"); // 64K+0x123 → 17 pages → 128K aligned
    expect(((a % PAGE_SIZE) + PAGE_SIZE) % PAGE_SIZE).toBe(0x123);
    const base = a - 0x123;
    expect((base - VMALLOC_START) % 0x20000).toBe(0);
    const v = r.vm.vmStruct(r.vm.findVmArea(base))!;
    expect(v.size).toBe(0x11000 + SZ_4K);
    expect(v.physAddr).toBe(0x08000000);
    expect(v.flags).toBe(VM_IOREMAP);
    expect(r.pt.pfnAt(base)).toBe(0x08000);
    expect(r.pt.protAt(base)).toBe(PROT_DEVICE_nGnRE);
    expect(r.vm.vmallocToPfn(base + 3 * SZ_4K)).toBe(0x08003);
    expect(r.vm.vmallocinfo()).toContain(`0x${formatVa(base)}-0x${formatVa(base + 0x12000)}   73728 of_iomap+0xdc/0xf0 phys=0x0000000008000000 ioremap\n`);
    r.vm.iounmap(a);
    expect(r.vm.findVmArea(base)).toBe(NIL_VM);
    check(r);
  });

  it("a 256 MiB ECAM window is 256 MiB aligned (the capture's pci_ecam_create line)", () => {
    const r = makeRig();
    const a = r.vm.ioremap(0x4010000000, 0x10000000, "pci_ecam_create+0x134/0x27c");
    expect(Math.abs(a % 0x10000000)).toBe(0);
    expect(r.vm.vmallocinfo()).toContain(" 268439552 pci_ecam_create+0x134/0x27c phys=0x0000004010000000 ioremap\n");
  });

  it("refuses RAM with the WARN of ioremap_allowed, and addresses beyond PHYS_MASK", () => {
    const r = makeRig({ config: { pfnIsMapMemory: (pfn) => pfn >= 0x40000 && pfn < 0x80000 } });
    const n = r.log.length;
    expect(r.vm.ioremap(0x40000000, SZ_4K)).toBe(0);
    expect(logLines(r.log, n)).toContain("WARNING: CPU: 0 PID: 0 at arch/arm64/mm/ioremap.c:15 ioremap_allowed");
    expect(r.vm.ioremap(2 ** 48 - SZ_4K, 2 * SZ_4K)).toBe(0);
    expect(r.vm.ioremap(0x9000000, 0)).toBe(0);
  });

  it("frees the area when the page tables cannot be built", () => {
    const r = makeRig();
    r.pt.failAfter = 0;
    expect(r.vm.ioremap(0x9000000, SZ_4K)).toBe(0);
    r.pt.failAfter = -1;
    check(r);
    expect(r.vm.counters().vmapLazyNr).toBe(2);
  });
});

describe("ENOMEM paths", () => {
  it("page allocation failure: partial pages freed, nothing leaked, no message (6.1 sets __GFP_NOWARN first)", () => {
    const r = makeRig();
    const objsBefore = r.counting!.active.slice();
    r.pages.failAfter = 3;
    const n = r.log.length;
    expect(r.vm.vmalloc(8 * SZ_4K)).toBe(0);
    expect(r.pages.pagesInUse).toBe(0);
    expect(r.vm.vmallocNrPages()).toBe(0);
    expect(logLines(r.log, n)).toEqual([]);
    r.pages.failAfter = Number.POSITIVE_INFINITY;
    // the area went the lazy way; the metadata objects are back (the purge-side vmap_area aside)
    r.vm.purgeVmapAreaLazy();
    expect(r.counting!.active).toEqual(objsBefore.map((x, i) => (i === r.vm.state.vmapAreaCache!.id ? r.counting!.active[i] : x)));
    check(r);
  });

  it("page-table failure: the area is freed", () => {
    const r = makeRig();
    r.pt.failAfter = 0;
    expect(r.vm.vmalloc(2 * SZ_4K)).toBe(0);
    expect(r.pages.pagesInUse).toBe(0);
    check(r);
  });

  it("address space exhausted: purge and retry, then the kernel's two messages", () => {
    const r = makeRig();
    const lo = VMALLOC_START + 0x40000000;
    const hi = lo + 0x8000; // room for 4 one-page areas with guards
    const got: number[] = [];
    for (let i = 0; i < 4; i++) got.push(r.vm.vmallocNodeRange(SZ_4K, 1, lo, hi, GFP_KERNEL, PAGE_KERNEL, 0, -1, "t"));
    expect(got).toEqual([lo, lo + 0x2000, lo + 0x4000, lo + 0x6000]);
    r.vm.vfree(got[1]!);
    // full: the first try fails, purge_vmap_area_lazy() returns got[1]'s area, the retry succeeds
    const flushesBefore = r.pt.flushes.length;
    expect(r.vm.vmallocNodeRange(SZ_4K, 1, lo, hi, GFP_KERNEL, PAGE_KERNEL, 0, -1, "t")).toBe(got[1]);
    expect(r.vm.counters().overflowPurges).toBe(1);
    expect(r.pt.flushes.length).toBe(flushesBefore + 1);
    // now nothing is left, even after a purge
    const n = r.log.length;
    expect(r.vm.vmallocNodeRange(SZ_4K, 1, lo, hi, GFP_KERNEL, PAGE_KERNEL, 0, -1, "t")).toBe(0);
    expect(logLines(r.log, n)).toEqual([
      "vmap allocation for size 8192 failed: use vmalloc=<size> to increase size",
      "swapper/0: vmalloc error: size 4096, vm_struct allocation failed, mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0",
    ]);
    // __GFP_NOWARN silences both
    const m = r.log.length;
    r.clock.advance(20e9);
    expect(r.vm.vmallocNodeRange(SZ_4K, 1, lo, hi, GFP_KERNEL | __GFP_NOWARN, PAGE_KERNEL, 0, -1, "t")).toBe(0);
    expect(r.log.length).toBe(m);
    check(r);
  });

  it("warn_alloc is rate limited to one message per 10 s (6.1.y nopage_rs), then says how many it dropped", () => {
    const r = makeRig();
    const lo = VMALLOC_START + 0x40000000;
    const n = r.log.length;
    for (let i = 0; i < 3; i++) r.vm.vmallocNodeRange(2 * SZ_4K, 1, lo, lo + SZ_4K, GFP_KERNEL, PAGE_KERNEL, 0, -1);
    expect(logLines(r.log, n).filter((l) => l.includes("vmalloc error")).length).toBe(1);
    r.clock.advance(11e9);
    r.vm.vmallocNodeRange(2 * SZ_4K, 1, lo, lo + SZ_4K, GFP_KERNEL, PAGE_KERNEL, 0, -1);
    expect(logLines(r.log, n)).toContain("warn_alloc: 2 callbacks suppressed");
  });

  it("refuses more pages than totalram_pages and a zero size", () => {
    const r = makeRig();
    const n = r.log.length;
    expect(r.vm.vmalloc(250259 * SZ_4K)).toBe(0);
    expect(r.vm.vmalloc(0)).toBe(0);
    expect(logLines(r.log, n)).toEqual([
      `swapper/0: vmalloc error: size ${250259 * SZ_4K}, exceeds total pages, mode:0xcc0(GFP_KERNEL), nodemask=(null),cpuset=/,mems_allowed=0`,
      "------------[ cut here ]------------",
      "WARNING: CPU: 0 PID: 0 at mm/vmalloc.c:3170 __vmalloc_node_range",
      "---[ end trace 0000000000000000 ]---",
    ]);
  });

  it("no vmap_area object: alloc_vmap_area returns -ENOMEM", () => {
    const r = makeRig();
    r.counting!.failAll = true;
    expect(r.vm.vmalloc(SZ_4K)).toBe(0);
    r.counting!.failAll = false;
    expect(ENOMEM).toBe(12);
    check(r);
  });
});

describe("huge vmalloc (VM_ALLOW_HUGE_VMAP)", () => {
  it("maps 2 MiB blocks at 2 MiB alignment and falls back to small pages when blocks fail", () => {
    const pages = new OrderFailingPageAllocator(0x40000, 8192);
    const r = makeRig({ pages });
    const addr = r.vm.vmallocHuge(SZ_2M, GFP_KERNEL, "huge");
    expect(Math.abs(addr % SZ_2M)).toBe(0);
    const v = r.vm.vmStruct(r.vm.findVmArea(addr))!;
    expect(v.pageOrder).toBe(9);
    expect(v.size).toBe(SZ_2M + SZ_4K);
    expect(r.pt.lastPageShift).toBe(21);
    expect(v.pfns[511]).toBe(v.pfns[0]! + 511);
    expect(r.vm.vmallocinfo()).toContain(" huge pages=512 vmalloc N0=512\n");
    r.vm.vfree(addr);
    expect(r.pages.pagesInUse).toBe(0);
    // No order-9 block: the huge attempt fails silently, the small-page retry succeeds.
    pages.failHighOrder = true;
    const n = r.log.length;
    const small = r.vm.vmallocHuge(SZ_1M * 3, GFP_KERNEL, "huge2");
    expect(small).not.toBe(0);
    const s2 = r.vm.vmStruct(r.vm.findVmArea(small))!;
    expect(s2.pageOrder).toBe(0);
    expect(s2.size).toBe(SZ_1M * 3 + SZ_4K);
    expect(r.pt.lastPageShift).toBe(12);
    expect(logLines(r.log, n)).toEqual([]);
    // sizes below PMD_SIZE never try huge pages
    const tiny = r.vm.vmallocHuge(SZ_1M, GFP_KERNEL, "huge3");
    expect(r.vm.vmStruct(r.vm.findVmArea(tiny))!.size).toBe(SZ_1M + SZ_4K);
    check(r);
  });
});
