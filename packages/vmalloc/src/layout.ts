// Kernel: arch/arm64/include/asm/memory.h, arch/arm64/include/asm/pgtable.h, include/linux/vmalloc.h (v6.1) — the vmalloc range and vmalloc's configuration
/*
 * vmalloc itself knows no layout: VMALLOC_START/END and the modules range come in as numbers
 * (VmallocConfig), so the package works for any layout. arm64VmallocLayout() takes them from the
 * arch layer's one computation of 6.1's arm64 layout (@mmsim/hw-arm64 `arm64Layout()`, 4K pages;
 * for VA_BITS 48: MODULES_VADDR 0xffff800000000000, VMALLOC_START = MODULES_END = KIMAGE_VADDR
 * 0xffff800008000000, VMALLOC_END = VMEMMAP_START - SZ_256M 0xfffffbfff0000000, so the
 * reference board's VmallocTotal is 133143592960 kB). 6.6 moved the modules out of this range
 * (VMALLOC_START 0xffff800080000000): not modelled, 6.1 is the reference.
 */
import { ConfigError, PAGE_SHIFT, checkUint, describeValue } from "@mmsim/core";
import { type Arm64Layout, PUD_SHIFT, type Va, arm64Layout } from "@mmsim/hw-arm64";

export { MODULES_VSIZE, PMD_SHIFT, PMD_SIZE, PUD_SHIFT, STRUCT_PAGE_MAX_SHIFT } from "@mmsim/hw-arm64";
/** arm64 with 4K pages: `IOREMAP_MAX_ORDER` = PUD_SHIFT (asm/memory.h; the generic default is 7 + PAGE_SHIFT). */
export const IOREMAP_MAX_ORDER = PUD_SHIFT;
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
 * The ranges vmalloc needs, read from hw-arm64's layout (arch/arm64/include/asm/memory.h and
 * pgtable.h of 6.1). Pass CONFIG_ARM64_VA_BITS (39 or 48 with 4K pages; 48 in the reference) or a
 * layout the arch code already computed (the machine's `ARM64_LAYOUT`).
 * @throws ConfigError for a VA_BITS 6.1 does not offer with 4K pages, or a layout with another granule
 */
export function arm64VmallocLayout(vaBitsOrLayout: number | Arm64Layout = 48): VmallocLayout {
  const l = typeof vaBitsOrLayout === "number" ? arm64Layout({ vaBits: vaBitsOrLayout }) : vaBitsOrLayout;
  if (l.pageShift !== PAGE_SHIFT) {
    throw new ConfigError("vmalloc.arm64VmallocLayout", "<api>", "layout.pageShift", `${PAGE_SHIFT} (vmalloc is built for 4 KiB pages)`, describeValue(l.pageShift));
  }
  return {
    modulesVaddr: l.MODULES_VADDR,
    modulesEnd: l.MODULES_END,
    vmallocStart: l.VMALLOC_START,
    vmallocEnd: l.VMALLOC_END,
    kimageVaddr: l.KIMAGE_VADDR,
    vmemmapStart: l.VMEMMAP_START,
    pageOffset: l.PAGE_OFFSET,
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
