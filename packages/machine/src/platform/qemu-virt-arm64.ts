// Kernel: arch/arm64/kernel/vmlinux.lds.S, arch/arm64/kernel/setup.c (v6.1) — the reference kernel image on QEMU's virt board
/*
 * The default board: QEMU `-M virt -cpu cortex-a57` with RAM at 0x40000000, booting Debian's
 * linux-image-6.1.0-56-arm64 with `nokaslr` and a busybox initramfs (see
 * tests/conformance/fixtures/README.md). What is fixed by the board or by that kernel binary —
 * not by the amount of RAM — is written here, each with where it was read:
 *
 *  - the kernel image's section boundaries: `Memory: … (13248K kernel code, 2806K rwdata,
 *    9524K rodata, 6464K init, 627K bss …)` and `/proc/iomem`'s `Kernel code 40210000-4185ffff`,
 *    `Kernel data 41eb0000-4220ffff` of the fixture, and memblock/reserved entry 0
 *    (0x40210000..0x4220afff: _stext.._end minus init_pg_dir, which paging_init() frees);
 *  - where QEMU puts the initramfs (RAM + 128 MiB: iomem `48000000-480f1fff : reserved`) and the
 *    DTB (next 2 MiB boundary, 1 MiB: memblock/reserved entry 1);
 *  - the devices of /proc/iomem (the fixture's first lines and PCI windows);
 *  - the segments paging_init maps (the fixture's /proc/vmallocinfo `paging_init+…` lines: text
 *    13565952 bytes at 0x40210000, rodata 9830400 at 0x40f00000, init text 917504 at 0x41860000,
 *    init data 5701632 at 0x41940000, data 3543040 with its guard page at 0x41eb0000);
 *  - estimates, in no capture (no System.map): swapper_pg_dir, idmap_pg_dir, the idmap text, the
 *    KPTI flag and the fixmap's bm_* tables — placed where vmlinux.lds.S puts them (the pg_dirs
 *    are the last pages before __init_begin, the bm_* tables in .bss); they change no count;
 *  - the per-CPU first chunk of this build (dmesg `percpu: Embedded 31 pages/cpu s87272 r8192
 *    d31512 u126976`), and sizeof(pg_data_t) (dmesg `NUMA: NODE_DATA [mem 0x7fdef380-0x7fdf1fff]`).
 */
import { SZ_1M, SZ_2M, alignUp } from "@mmsim/core";
import { resource, type Resource } from "@mmsim/procfs";
import type { Arm64Board } from "./arm64/board.ts";

/** Name of the preset in scenario files. */
export const QEMU_VIRT_ARM64 = "qemu-virt-arm64";
/** Start of RAM on QEMU virt (hw/arm/virt.c memmap[VIRT_MEM]). */
export const VIRT_RAM_BASE = 0x40000000;
/** Largest RAM the virt board's 40-bit-ish layout takes below the PCIe high window (255 GiB). */
export const VIRT_RAM_MAX = 255 * 1024 * SZ_1M;

/** Kernel image symbols of the reference build (nokaslr: image at RAM + 2 MiB, _stext 64 KiB in). */
export const KERNEL_IMAGE = Object.freeze({
  _text: 0x40200000,
  _stext: 0x40210000,
  /** _etext = _stext + 13248K (Memory: line, kernel code). */
  _etext: 0x40210000 + 13248 * 1024,
  /** __start_rodata = _etext: the rodata vm_struct of paging_init starts at 0x40f00000 (vmallocinfo). */
  __start_rodata: 0x40f00000,
  /** __end_rodata = __start_rodata + 9524K (Memory: line, rodata = __end_rodata - __start_rodata). */
  __end_rodata: 0x40f00000 + 9524 * 1024,
  __init_begin: 0x41860000,
  /** _einittext / __inittext_end = __initdata_begin: the init text vm_struct is 917504 bytes (vmallocinfo). */
  __inittext_end: 0x41940000,
  __initdata_begin: 0x41940000,
  /** __init_end = __init_begin + 6464K (Memory: line, init; iomem "reserved 41860000-41eaffff"). */
  __init_end: 0x41eb0000,
  _sdata: 0x41eb0000,
  /** _edata = _sdata + 2806K (Memory: line, rwdata). */
  _edata: 0x41eb0000 + 2806 * 1024,
  /** __bss_start/__bss_stop: 627K of bss ending where init_pg_dir starts. */
  __bss_start: 0x4220b000 - 627 * 1024,
  __bss_stop: 0x4220b000,
  /** init_pg_dir..init_pg_end: the early page tables paging_init() hands back to memblock. */
  init_pg_dir: 0x4220b000,
  init_pg_end: 0x42210000,
  _end: 0x42210000,
  /** Estimates (see the file comment): the four page-table roots just below __init_begin. */
  idmap_pg_dir: 0x4185c000,
  swapper_pg_dir: 0x4185f000,
  /** __idmap_text_start/_end (estimate): one page of .rodata.text before the pg_dirs. */
  __idmap_text_start: 0x4185b000,
  __idmap_text_end: 0x4185c000,
  /** __idmap_kpti_flag (estimate, in .data). */
  __idmap_kpti_flag: 0x41eb1000,
  /** bm_pud, bm_pmd, bm_pte: the fixmap's static tables in .bss (estimate). */
  bm_pud: 0x42170000,
  bm_pmd: 0x42171000,
  bm_pte: 0x42172000,
} as const);

/** Where QEMU loads the initramfs (RAM base + 128 MiB) and its size in the reference run (968K). */
export const INITRD = Object.freeze({ start: 0x48000000, size: 0xf2000 } as const);
/** QEMU's DTB: 1 MiB at the first 2 MiB boundary after the initramfs. */
export const DTB_SIZE = SZ_1M;

/** This build's first per-CPU chunk: static, reserved, dynamic, unit size (dmesg percpu line). */
export const PCPU_FIRST_CHUNK = Object.freeze({ static: 87272, reserved: 8192, dynamic: 31512, unit: 126976 } as const);

/** sizeof(pg_data_t) of the reference build: 0x7fdf2000 - 0x7fdef380 (dmesg NUMA: NODE_DATA line). */
export const SIZEOF_PG_DATA_T = 0x7fdf2000 - 0x7fdef380;

/** The board's device resources, as /proc/iomem lists them before and after RAM. */
export function virtDevices(ramEnd: number): Resource[] {
  return [
    resource(0x09000000, 0x09000fff, "pl011@9000000", [resource(0x09000000, 0x09000fff, "9000000.pl011 pl011@9000000")]),
    resource(0x09010000, 0x09010fff, "pl031@9010000", [resource(0x09010000, 0x09010fff, "rtc-pl031")]),
    resource(0x09030000, 0x09030fff, "pl061@9030000", [resource(0x09030000, 0x09030fff, "9030000.pl061 pl061@9030000")]),
    resource(0x10000000, 0x3efeffff, "pcie@10000000"),
    // High MMIO regions sit above RAM: QEMU places them at 256 GiB (virt's highmem layout).
    resource(Math.max(0x4010000000, ramEnd), Math.max(0x4010000000, ramEnd) + 0xfffffff, "PCI ECAM"),
    resource(0x8000000000, 0xffffffffff, "pcie@10000000"),
  ];
}

/** Where QEMU puts the DTB: the first 2 MiB boundary after the initramfs. */
export function dtbAddress(): number {
  return alignUp(INITRD.start + INITRD.size, SZ_2M);
}

/**
 * The callers /proc/vmallocinfo names for paging_init's five vm areas, as the reference build
 * prints them (the fixture's `paging_init+0x130/0x610 … vmap` lines; offsets are that binary's).
 */
export const PAGING_INIT_CALLERS = Object.freeze({
  text: "paging_init+0x130/0x610",
  rodata: "paging_init+0x170/0x610",
  inittext: "paging_init+0x19c/0x610",
  initdata: "paging_init+0x1cc/0x610",
  data: "paging_init+0x1f8/0x610",
} as const);

/** The text `Booting Linux …`/`Linux version …`/`Machine model: …` lines of the reference kernel. */
export const BANNER = Object.freeze([
  "Booting Linux on physical CPU 0x0000000000 [0x411fd070]",
  "Linux version 6.1.0-56-arm64 (debian-kernel@lists.debian.org) (gcc-12 (Debian 12.2.0-14+deb12u1) 12.2.0, GNU ld (GNU Binutils for Debian) 2.40) #1 SMP Debian 6.1.192-2 (2026-11-16)",
  "Machine model: linux,dummy-virt",
] as const);

/**
 * What `%pS` prints for the callers of memblock in the memblock=debug lines of the reference
 * build (symbol+offset/size of the return address), read from the captures made with
 * memblock=debug (tests/conformance/fixtures/cmdline/linux-6.1-arm64/virt-*-memblock-debug*:
 * Debian's 6.1.0-57, whose paging_init is 0x610 bytes as in the 6.1.0-56 of the other
 * fixtures). Each is the call site mmsim's boot step stands for.
 */
export const MEMBLOCK_DEBUG_CALLERS = Object.freeze({
  /** memblock_remove(1ULL << PHYS_MASK_SHIFT, ULLONG_MAX) */
  removeAbovePhysMask: "arm64_memblock_init+0x38/0x260",
  /** memblock_remove() of what the linear map cannot cover */
  removeBeyondLinear: "arm64_memblock_init+0x9c/0x260",
  /** mem=: memblock_add() of the kernel image after memblock_mem_limit_remove_map() */
  addImage: "arm64_memblock_init+0xf8/0x260",
  /** memblock_add() and memblock_reserve() of the initramfs */
  addInitrd: "arm64_memblock_init+0x14c/0x260",
  reserveInitrd: "arm64_memblock_init+0x164/0x260",
  /** memblock_reserve(__pa_symbol(_stext), _end - _stext) */
  reserveImage: "arm64_memblock_init+0x1f0/0x260",
  /** each page table: memblock_phys_alloc_range() in early_pgtable_alloc() */
  earlyPgtableAlloc: "early_pgtable_alloc+0x2c/0xb0",
  /** memblock_phys_free() of init_pg_dir */
  freeInitPgDir: "paging_init+0x534/0x610",
  /** sparse_buffer_init(): the struct pages of a node's present sections */
  memmapAlloc: "memmap_alloc+0x28/0x3c",
  /** vmemmap_populate()'s tables */
  earlyonlyBootmemAlloc: "__earlyonly_bootmem_alloc+0x2c/0x3c",
  /** the embedded first per-CPU chunk */
  pcpuFcAlloc: "pcpu_fc_alloc+0x120/0x19c",
  /** the early hash tables (dentry, inode, stackdepot) */
  allocLargeSystemHash: "alloc_large_system_hash+0x198/0x304",
  /** swiotlb's buffer (memblock_alloc_low) and its slot array (the 4 GiB capture) */
  swiotlbBuffer: "swiotlb_init_remap+0xcc/0x270",
  swiotlbSlots: "swiotlb_init_remap+0x18c/0x270",
  /** free_initrd_mem() */
  freeInitrd: "free_initrd_mem+0x34/0x5c",
} as const);

/** The QEMU virt board booting the reference build: what the arm64 boot code is given. */
export const QEMU_VIRT_ARM64_BOARD: Arm64Board = Object.freeze({
  name: QEMU_VIRT_ARM64,
  ramBase: VIRT_RAM_BASE,
  ramMax: VIRT_RAM_MAX,
  image: KERNEL_IMAGE,
  initrd: INITRD,
  dtbSize: DTB_SIZE,
  dtbAddress,
  devices: virtDevices,
  banner: BANNER.slice(0, 2),
  machineModel: BANNER[2],
  memblockCallers: MEMBLOCK_DEBUG_CALLERS,
  pagingInitCallers: PAGING_INIT_CALLERS,
  pcpuFirstChunk: PCPU_FIRST_CHUNK,
  sizeofPgDataT: SIZEOF_PG_DATA_T,
});
