// mmsim: what an arm64 board and its kernel build give the arm64 boot code (cf. the device tree, vmlinux.lds.S and the bootloader's placement of initrd and DTB)
/*
 * The arm64 boot code (setup.ts, resources.ts, platform.ts in this folder) knows no board: every
 * number that a board or a kernel binary fixes — where RAM starts, the image's section
 * boundaries, where the bootloader put the initramfs and the DTB, the devices of /proc/iomem,
 * the banner, the per-CPU first chunk and sizeof(pg_data_t) of the build, and the call sites
 * memblock=debug names — comes in through an `Arm64Board`. The QEMU virt board with Debian's
 * 6.1 kernel is one (../qemu-virt-arm64.ts).
 */
import type { Resource } from "@mmsim/procfs";

/** The kernel image's linker symbols (physical addresses, nokaslr). Kernel: arch/arm64/kernel/vmlinux.lds.S. */
export interface Arm64KernelImage {
  readonly _text: number;
  readonly _stext: number;
  readonly _etext: number;
  readonly __start_rodata: number;
  readonly __end_rodata: number;
  readonly __init_begin: number;
  readonly __inittext_end: number;
  readonly __initdata_begin: number;
  readonly __init_end: number;
  readonly _sdata: number;
  readonly _edata: number;
  readonly __bss_start: number;
  readonly __bss_stop: number;
  readonly init_pg_dir: number;
  readonly init_pg_end: number;
  readonly _end: number;
  readonly idmap_pg_dir: number;
  readonly swapper_pg_dir: number;
  readonly __idmap_text_start: number;
  readonly __idmap_text_end: number;
  readonly __idmap_kpti_flag: number;
  readonly bm_pud: number;
  readonly bm_pmd: number;
  readonly bm_pte: number;
}

/** What `%pS` prints for each memblock call site of the arm64 boot, in this build (memblock=debug). */
export interface Arm64MemblockCallers {
  readonly removeAbovePhysMask: string;
  readonly removeBeyondLinear: string;
  readonly addImage: string;
  readonly addInitrd: string;
  readonly reserveInitrd: string;
  readonly reserveImage: string;
  readonly earlyPgtableAlloc: string;
  readonly freeInitPgDir: string;
  readonly memmapAlloc: string;
  readonly earlyonlyBootmemAlloc: string;
  readonly pcpuFcAlloc: string;
  readonly allocLargeSystemHash: string;
  readonly swiotlbBuffer: string;
  readonly swiotlbSlots: string;
  readonly freeInitrd: string;
}

/** The callers /proc/vmallocinfo names for paging_init's five vm areas (vm_area_add_early), in this build. */
export interface Arm64PagingInitCallers {
  readonly text: string;
  readonly rodata: string;
  readonly inittext: string;
  readonly initdata: string;
  readonly data: string;
}

/** One arm64 board booting one kernel build. */
export interface Arm64Board {
  /** The preset's name in scenario files (`machine.board`). */
  readonly name: string;
  /** Start of RAM (the DT memory node's base). */
  readonly ramBase: number;
  /** Largest RAM the board takes. */
  readonly ramMax: number;
  readonly image: Arm64KernelImage;
  /** Where the bootloader put the initramfs, and its size. */
  readonly initrd: { readonly start: number; readonly size: number };
  /** The DTB's size, and where the bootloader put it. */
  readonly dtbSize: number;
  dtbAddress(): number;
  /** The board's device resources for /proc/iomem (drivers' requests nested), given where RAM ends. */
  devices(ramEnd: number): Resource[];
  /** start_kernel's lines before setup_arch (`Booting Linux on physical CPU …`, `Linux version …`). */
  readonly banner: readonly string[];
  /** setup_machine_fdt's `Machine model: …` line. */
  readonly machineModel: string;
  readonly memblockCallers: Arm64MemblockCallers;
  readonly pagingInitCallers: Arm64PagingInitCallers;
  /** The build's embedded first per-CPU chunk (dmesg `percpu: Embedded …`). */
  readonly pcpuFirstChunk: { readonly static: number; readonly reserved: number; readonly dynamic: number; readonly unit: number };
  /** sizeof(pg_data_t) of the build. */
  readonly sizeofPgDataT: number;
}
