// mmsim: the 1 GiB QEMU virt reference board as hw-arm64's tests see it (image segments from the capture's vmallocinfo)
/*
 * The kernel image's segments are those /proc/vmallocinfo of the capture lists for paging_init
 * (linux-6.1-arm64/virt-1g-2cpu): text 13565952 bytes at 0x40210000, rodata 9830400 at
 * 0x40f00000, init text 917504 at 0x41860000, init data 5701632 at 0x41940000, data 3543040
 * (= _end - _data + a guard page) at 0x41eb0000. _text is 0x40200000 (nokaslr: RAM + 2 MiB).
 *
 * Not in any capture (no System.map): where swapper_pg_dir, idmap_pg_dir, the idmap text, the
 * KPTI flag and the fixmap's bm_* tables sit. The values below are estimates with the right
 * properties: the four pg_dirs are the last pages before __init_begin (vmlinux.lds.S puts
 * idmap_pg_dir, tramp_pg_dir, reserved_pg_dir, swapper_pg_dir there), the idmap text just before
 * them in .rodata.text, the KPTI flag in .data, the bm_* tables in .bss.
 */
import { SZ_1G } from "@mmsim/core";
import { arm64Layout, type Arm64Layout } from "./layout.ts";
import { pagingInit, type KernelSegments, type MemoryRegion, type PagingInitOptions } from "./paging-init.ts";
import { PgtableStore } from "./pgtable-store.ts";

export const RAM_BASE = 0x40000000;

export const REF_SEGMENTS: KernelSegments = {
  _text: 0x40200000,
  _stext: 0x40210000,
  _etext: 0x40210000 + 13565952,
  __start_rodata: 0x40f00000,
  __inittext_begin: 0x40f00000 + 9830400,
  __inittext_end: 0x41860000 + 917504,
  __initdata_begin: 0x41940000,
  __initdata_end: 0x41940000 + 5701632,
  _data: 0x41eb0000,
  _end: 0x41eb0000 + 3543040 - 4096,
};

/** Estimates (see the file comment). */
export const REF_IDMAP_PG_DIR = 0x4185c000;
export const REF_SWAPPER_PG_DIR = 0x4185f000;
export const REF_IDMAP_TEXT = { start: 0x4185b000, end: 0x4185c000 } as const;
export const REF_KPTI_FLAG = 0x41eb1000;
export const REF_BM = { bmPud: 0x42170000, bmPmd: 0x42171000, bmPte: 0x42172000 } as const;
/** QEMU's DTB (the board's INITRD end rounded up to 2 MiB), 1 MiB. */
export const REF_DTB = { phys: 0x48200000, size: 0x100000 } as const;

/** A top-down page allocator standing in for memblock_phys_alloc_range(): pages below `top`, recorded. */
export function topDown(top: number): { alloc: (size: number, align: number) => number; allocated: number[] } {
  let next = top;
  const allocated: number[] = [];
  return {
    allocated,
    alloc: (size: number, align: number) => {
      next = Math.floor((next - size) / align) * align;
      allocated.push(next);
      return next;
    },
  };
}

/** Builds the reference board's swapper (or a variant) and returns everything. */
export function buildBoard(opts: { ramSize?: number; vaBits?: number; fixmap?: boolean; idmap?: boolean; memory?: MemoryRegion[] } & Partial<Pick<PagingInitOptions, "rodataEnabled" | "rodataFull" | "kfence" | "kfenceSampleInterval" | "debugPagealloc" | "log">> = {}) {
  const ramSize = opts.ramSize ?? SZ_1G;
  const vaBits = opts.vaBits ?? 48;
  const layout: Arm64Layout = arm64Layout({ vaBits, dramStart: RAM_BASE, kernelPhys: REF_SEGMENTS._text });
  const store = new PgtableStore({ basePfn: RAM_BASE / 4096, nrPages: ramSize / 4096, vaBits });
  const memory = opts.memory ?? [{ base: RAM_BASE, size: ramSize }];
  const early = topDown(RAM_BASE + ramSize);
  const r = pagingInit({
    layout, store, memory, image: REF_SEGMENTS, swapperPgDir: REF_SWAPPER_PG_DIR, earlyAlloc: early.alloc,
    rodataEnabled: opts.rodataEnabled, rodataFull: opts.rodataFull, kfence: opts.kfence, kfenceSampleInterval: opts.kfenceSampleInterval,
    debugPagealloc: opts.debugPagealloc, log: opts.log,
    idmap: opts.idmap === false ? undefined : { pgDir: REF_IDMAP_PG_DIR, textStart: REF_IDMAP_TEXT.start, textEnd: REF_IDMAP_TEXT.end, kptiFlag: REF_KPTI_FLAG },
    fixmap: opts.fixmap === false ? undefined : { ...REF_BM, fdt: REF_DTB },
  });
  return { layout, store, memory, early, ...r };
}
