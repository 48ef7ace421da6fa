// mmsim: the arm64 VA layout is computed once (hw-arm64's arm64Layout); vmalloc and procfs take theirs from it
import { ARM64_LAYOUT, type Arm64Layout, arm64Layout } from "@mmsim/hw-arm64";
import { vmallocEnd, vmallocStart, vmallocTotal } from "@mmsim/procfs";
import { arm64VmallocLayout } from "@mmsim/vmalloc";
import { expectValid } from "@mmsim/core/testing";
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";

describe("one arm64 layout: the booted machine's consumers agree with hw-arm64", () => {
  for (const vaBits of [39, 48]) {
    // A boot and a validation of the 1 GiB board (under a second alone): a limit a loaded 2-core CI machine keeps under.
    it(`VA_BITS ${vaBits}: vmalloc's ranges, meminfo's VmallocTotal and the ptdump markers are the layout's`, { timeout: 30_000 }, () => {
      const m = Machine.create(loadScenario(`kernel:\n  config: { va_bits: ${vaBits} }\n`, `va${vaBits}.yaml`));
      m.boot();
      const l: Arm64Layout = m.pgtables.layout;
      // the layout the arch code registered is the one paging_init used, and the generic formula's
      expect(m.container.resolve<Arm64Layout>(ARM64_LAYOUT)).toBe(l);
      const bare = arm64Layout({ vaBits });
      for (const k of ["PAGE_OFFSET", "PAGE_END", "MODULES_VADDR", "MODULES_END", "KIMAGE_VADDR", "VMALLOC_START", "VMALLOC_END", "FIXADDR_START", "FIXADDR_TOP", "PCI_IO_START", "PCI_IO_END", "VMEMMAP_START", "VMEMMAP_END"] as const) {
        expect([k, l[k]]).toEqual([k, bare[k]]);
      }
      // vmalloc: the service runs on exactly these ranges
      const c = m.vmalloc.config;
      expect([c.vmallocStart, c.vmallocEnd, c.modulesVaddr, c.modulesEnd]).toEqual([l.VMALLOC_START, l.VMALLOC_END, l.MODULES_VADDR, l.MODULES_END]);
      expect(arm64VmallocLayout(vaBits)).toEqual(arm64VmallocLayout(l));
      // procfs: VmallocTotal = (VMALLOC_END - VMALLOC_START) >> 10
      const total = (l.VMALLOC_END - l.VMALLOC_START) / 1024;
      expect(m.readFile("/proc/meminfo")).toMatch(new RegExp(`^VmallocTotal: +${total} kB$`, "m"));
      expect(vmallocTotal(vaBits)).toBe(BigInt(total * 1024));
      expect([vmallocStart(l), vmallocEnd(l)]).toEqual([BigInt.asUintN(64, BigInt(l.VMALLOC_START)), BigInt.asUintN(64, BigInt(l.VMALLOC_END))]);
      // ptdump's markers
      const hex = (va: number) => `0x${BigInt.asUintN(64, BigInt(va)).toString(16).padStart(16, "0")}`;
      const pt = m.readFile("/sys/kernel/debug/kernel_page_tables")!;
      expect(pt).toMatch(new RegExp(`---\\[ vmalloc\\(\\) end \\]---\\n${hex(l.VMALLOC_END)}-`));
      expect(pt).toMatch(new RegExp(`---\\[ PCI I/O start \\]---\\n${hex(l.PCI_IO_START)}-`));
      expect(pt).toMatch(new RegExp(`---\\[ vmemmap start \\]---\\n${hex(l.VMEMMAP_START)}-`));
      expectValid(m, `va_bits ${vaBits}`);
    });
  }
});
