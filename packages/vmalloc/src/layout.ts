// Kernel: arch/arm64/include/asm/memory.h, arch/arm64/include/asm/pgtable.h, include/linux/vmalloc.h (v6.1) — the vmalloc range and vmalloc's configuration
/*
 * vmalloc itself knows no layout: VMALLOC_START/END and the modules range come in as numbers
 * (VmallocConfig), so the package works for any layout. arm64VmallocLayout() computes 6.1's
 * arm64 values (4K pages):
 *
 *   _PAGE_END(va)   = -(1 << (va - 1))                       memory.h
 *   MODULES_VADDR   = _PAGE_END(VA_BITS_MIN)                 memory.h  0xffff800000000000
 *   MODULES_END     = MODULES_VADDR + MODULES_VSIZE (128M)   memory.h  0xffff800008000000
 *   KIMAGE_VADDR    = MODULES_END                            memory.h
 *   VMEMMAP_SHIFT   = PAGE_SHIFT - STRUCT_PAGE_MAX_SHIFT (6) memory.h
 *   VMEMMAP_START   = -(1 << (VA_BITS - VMEMMAP_SHIFT))      memory.h  0xfffffc0000000000
 *   VMALLOC_START   = MODULES_END                            pgtable.h 0xffff800008000000
 *   VMALLOC_END     = VMEMMAP_START - SZ_256M                pgtable.h 0xfffffbfff0000000
 *
 * (the values for VA_BITS = 48; /proc/meminfo's VmallocTotal of the reference board,
 * 133143592960 kB, is (VMALLOC_END - VMALLOC_START) >> 10 of these). 6.6 moved the modules
 * out of this range (VMALLOC_START 0xffff800080000000): not modelled, 6.1 is the reference.
 */
import { ConfigError, PAGE_SHIFT, SZ_128M, SZ_256M, checkUint } from "@mmsim/core";
import type { Va } from "@mmsim/hw-arm64";

/** arm64 4K pages: PMD_SHIFT (a level-2 block maps 2 MiB). */
export const PMD_SHIFT = 21;
export const PMD_SIZE = 2 ** PMD_SHIFT;
/** arm64 4K pages: PUD_SHIFT (a level-1 block maps 1 GiB). */
export const PUD_SHIFT = 30;
/** arm64 with 4K pages: `IOREMAP_MAX_ORDER` = PUD_SHIFT (asm/memory.h; the generic default is 7 + PAGE_SHIFT). */
export const IOREMAP_MAX_ORDER = PUD_SHIFT;
/** arm64: `MODULES_VSIZE` = SZ_128M. */
export const MODULES_VSIZE = SZ_128M;
/** `STRUCT_PAGE_MAX_SHIFT` = order_base_2(sizeof(struct page)) = 6 on arm64. */
export const STRUCT_PAGE_MAX_SHIFT = 6;
/** CONFIG_NR_CPUS of the arm64 defconfig and of the reference build. */
export const CONFIG_NR_CPUS = 256;
/** CONFIG_ARM64_PA_BITS of the reference build: PHYS_MASK_SHIFT. */
export const PHYS_MASK_SHIFT = 48;

/** The kernel virtual ranges vmalloc works in. */
export interface VmallocLayout {
  /** `MODULES_VADDR`. */
  readonly modulesVaddr: Va;
  /** `MODULES_END`. */
  readonly modulesEnd: Va;
  /** `VMALLOC_START`. */
  readonly vmallocStart: Va;
  /** `VMALLOC_END` (exclusive). */
  readonly vmallocEnd: Va;
  /** `KIMAGE_VADDR`: where the kernel image is linked (`_text` without KASLR). */
  readonly kimageVaddr: Va;
  /** `VMEMMAP_START`. */
  readonly vmemmapStart: Va;
  /** `PAGE_OFFSET`: start of the linear map. */
  readonly pageOffset: Va;
}

/**
 * arm64's layout for 4K pages. Kernel: arch/arm64/include/asm/memory.h and pgtable.h of 6.1.
 * @param vaBits CONFIG_ARM64_VA_BITS (39, 42, 47, 48 or 52 with 4K pages… 48 in the reference)
 * @param vaBitsMin VA_BITS_MIN (48 when vaBits is 52, else vaBits)
 * @throws ConfigError for a VA_BITS arm64 does not support with 4K pages
 */
export function arm64VmallocLayout(vaBits = 48, vaBitsMin = vaBits > 48 ? 48 : vaBits): VmallocLayout {
  if (![39, 42, 47, 48, 52].includes(vaBits) || vaBitsMin > vaBits || vaBitsMin < 39) {
    throw new ConfigError("vmalloc.arm64VmallocLayout", "<api>", "vaBits", "39, 42, 47, 48 or 52 (VA_BITS_MIN ≤ VA_BITS)", `${vaBits}/${vaBitsMin}`);
  }
  const pageEnd = -(2 ** (vaBitsMin - 1));
  const modulesVaddr = pageEnd;
  const modulesEnd = modulesVaddr + MODULES_VSIZE;
  const vmemmapStart = -(2 ** (vaBits - (PAGE_SHIFT - STRUCT_PAGE_MAX_SHIFT)));
  return {
    modulesVaddr,
    modulesEnd,
    vmallocStart: modulesEnd,
    vmallocEnd: vmemmapStart - SZ_256M,
    kimageVaddr: modulesEnd,
    vmemmapStart,
    pageOffset: -(2 ** vaBits),
  };
}

/** What the vmalloc service is configured with (the machine's shape and boot options). */
export interface VmallocConfig {
  /** `VMALLOC_START`: a kernel address (negative `Va`), page aligned. */
  readonly vmallocStart: Va;
  /** `VMALLOC_END` (exclusive), above vmallocStart. */
  readonly vmallocEnd: Va;
  /** `MODULES_VADDR` (is_vmalloc_or_module_addr()). */
  readonly modulesVaddr: Va;
  /** `MODULES_END`. */
  readonly modulesEnd: Va;
  /** num_online_cpus(): lazy_max_pages() and the per-CPU vmap block queues and preload slots. */
  readonly nrCpus: number;
  /** nr_node_ids (the N<nid>= counters of /proc/vmallocinfo); 1 by default. */
  readonly nrNodes?: number;
  /** CONFIG_NR_CPUS, which sizes a vmap block (VMAP_BBMAP_BITS); 256 by default. */
  readonly configNrCpus?: number;
  /** totalram_pages(): vmalloc and vmap refuse larger requests. Unlimited when absent. */
  readonly totalramPages?: () => number;
  /** page_to_nid() of a PFN (/proc/vmallocinfo's N<nid>=); node 0 when absent. */
  readonly pfnToNid?: (pfn: number) => number;
  /** pfn_is_map_memory(): ioremap() refuses RAM with a WARN. No RAM is known when absent. */
  readonly pfnIsMapMemory?: (pfn: number) => boolean;
  /** PHYS_MASK_SHIFT (ioremap_allowed()); 48 by default. */
  readonly physMaskShift?: number;
  /** CONFIG_HAVE_ARCH_HUGE_VMALLOC and not `nohugevmalloc`: VM_ALLOW_HUGE_VMAP may use 2 MiB pages. Default true (arm64 6.1). */
  readonly vmapAllowHuge?: boolean;
  /** arch_vmap_pmd_supported(): true unless CONFIG_PTDUMP_DEBUGFS. Default true. */
  readonly archVmapPmdSupported?: boolean;
  /** page_address(): the linear-map address of a PFN, for VM_FLUSH_RESET_PERMS's flush. Not flushed when absent. */
  readonly pageAddress?: (pfn: number) => Va;
}

/** VmallocConfig with every optional field filled in and checked. */
export interface ResolvedVmallocConfig {
  readonly vmallocStart: Va;
  readonly vmallocEnd: Va;
  readonly modulesVaddr: Va;
  readonly modulesEnd: Va;
  readonly nrCpus: number;
  readonly nrNodes: number;
  readonly configNrCpus: number;
  readonly totalramPages: (() => number) | undefined;
  readonly pfnToNid: ((pfn: number) => number) | undefined;
  readonly pfnIsMapMemory: ((pfn: number) => boolean) | undefined;
  readonly physMaskShift: number;
  readonly vmapAllowHuge: boolean;
  readonly archVmapPmdSupported: boolean;
  readonly pageAddress: ((pfn: number) => Va) | undefined;
}

function checkKernelVa(field: string, v: number): void {
  if (!Number.isSafeInteger(v) || v >= 0 || v < -(2 ** 52) || v % 4096 !== 0) {
    throw new ConfigError("vmalloc.resolveVmallocConfig", "<api>", field, "a page-aligned kernel address (a negative Va, e.g. arm64VmallocLayout().vmallocStart)", String(v));
  }
}

/**
 * Checks a configuration and fills in the defaults.
 * @throws ConfigError naming the bad field
 */
export function resolveVmallocConfig(c: VmallocConfig): ResolvedVmallocConfig {
  checkKernelVa("vmallocStart", c.vmallocStart);
  checkKernelVa("vmallocEnd", c.vmallocEnd);
  checkKernelVa("modulesVaddr", c.modulesVaddr);
  checkKernelVa("modulesEnd", c.modulesEnd);
  if (c.vmallocEnd <= c.vmallocStart) {
    throw new ConfigError("vmalloc.resolveVmallocConfig", "<api>", "vmallocEnd", `an address above vmallocStart (${c.vmallocStart})`, String(c.vmallocEnd));
  }
  if (c.modulesEnd < c.modulesVaddr) {
    throw new ConfigError("vmalloc.resolveVmallocConfig", "<api>", "modulesEnd", `an address at or above modulesVaddr (${c.modulesVaddr})`, String(c.modulesEnd));
  }
  checkUint("vmalloc.resolveVmallocConfig", "nrCpus", c.nrCpus);
  if (c.nrCpus < 1) throw new ConfigError("vmalloc.resolveVmallocConfig", "<api>", "nrCpus", "at least 1", String(c.nrCpus));
  const nrNodes = c.nrNodes ?? 1;
  if (!Number.isInteger(nrNodes) || nrNodes < 1) throw new ConfigError("vmalloc.resolveVmallocConfig", "<api>", "nrNodes", "at least 1", String(nrNodes));
  const configNrCpus = c.configNrCpus ?? CONFIG_NR_CPUS;
  if (!Number.isInteger(configNrCpus) || configNrCpus < c.nrCpus) {
    throw new ConfigError("vmalloc.resolveVmallocConfig", "<api>", "configNrCpus", `an integer ≥ nrCpus (${c.nrCpus})`, String(configNrCpus));
  }
  const physMaskShift = c.physMaskShift ?? PHYS_MASK_SHIFT;
  if (!Number.isInteger(physMaskShift) || physMaskShift < 32 || physMaskShift > 52) {
    throw new ConfigError("vmalloc.resolveVmallocConfig", "<api>", "physMaskShift", "32..52", String(physMaskShift));
  }
  return {
    vmallocStart: c.vmallocStart,
    vmallocEnd: c.vmallocEnd,
    modulesVaddr: c.modulesVaddr,
    modulesEnd: c.modulesEnd,
    nrCpus: c.nrCpus,
    nrNodes,
    configNrCpus,
    totalramPages: c.totalramPages,
    pfnToNid: c.pfnToNid,
    pfnIsMapMemory: c.pfnIsMapMemory,
    physMaskShift,
    vmapAllowHuge: c.vmapAllowHuge ?? true,
    archVmapPmdSupported: c.archVmapPmdSupported ?? true,
    pageAddress: c.pageAddress,
  };
}
