// Kernel: mm/ioremap.c (ioremap_prot, iounmap), arch/arm64/mm/ioremap.c (ioremap_allowed), arch/arm64/include/asm/io.h (v6.1) — I/O mappings in vmalloc space
/*
 * arm64 6.1 uses GENERIC_IOREMAP: ioremap(phys, size) = ioremap_prot(phys, size,
 * PROT_DEVICE_nGnRE) (`_PAGE_IOREMAP`). The area comes from get_vm_area_caller(VM_IOREMAP),
 * which aligns it to 1 << clamp(order(size), PAGE_SHIFT, IOREMAP_MAX_ORDER = PUD_SHIFT) and adds
 * the guard page; phys_addr is recorded (/proc/vmallocinfo's "phys=… ioremap"). RAM is refused
 * with a WARN (ioremap_allowed(): pfn_is_map_memory()). iounmap() is vunmap() of the page.
 * early_ioremap() (fixmap slots before paging_init) is not vmalloc's and is not modelled here.
 */
import { PAGE_SIZE } from "@mmsim/core";
import type { Va } from "@mmsim/hw-arm64";
import { PROT_DEVICE_nGnRE, PROT_DEVICE_nGnRnE, PROT_NORMAL_NC, pgprotNx } from "./page-tables.ts";
import type { VmallocState } from "./vmalloc-state.ts";
import { NIL_VM, VM_IOREMAP } from "./vm-struct.ts";
import { freeVmArea, getVmAreaCaller, isVmallocAddr, vunmap } from "./vm-area.ts";

/**
 * May [phys, phys + size) be ioremapped? Kernel: `ioremap_allowed()` (arch/arm64/mm/ioremap.c).
 */
export function ioremapAllowed(s: VmallocState, phys: number, size: number): boolean {
  const lastAddr = phys + size - 1;
  if (lastAddr >= 2 ** s.cfg.physMaskShift) return false;
  const isRam = s.cfg.pfnIsMapMemory;
  if (isRam !== undefined && isRam(Math.floor(phys / PAGE_SIZE))) {
    s.log.warn("arch/arm64/mm/ioremap.c:15 ioremap_allowed");
    return false;
  }
  return true;
}

/**
 * Maps device memory. Kernel: `ioremap_prot()` (mm/ioremap.c).
 * @param caller the `%pS` text of the caller (e.g. "of_iomap+0xdc/0xf0")
 * @returns the address of `phys` (page offset kept), or 0 (NULL)
 */
export function ioremapProt(s: VmallocState, phys: number, size: number, prot: number, caller: string | undefined): Va {
  if (!Number.isSafeInteger(phys) || phys < 0 || !Number.isSafeInteger(size) || size < 0) return 0;
  const lastAddr = phys + size - 1;
  if (size === 0 || lastAddr < phys) return 0;
  const offset = phys % PAGE_SIZE;
  phys -= offset;
  size = Math.ceil((size + offset) / PAGE_SIZE) * PAGE_SIZE;
  if (!ioremapAllowed(s, phys, size)) return 0;
  const vm = getVmAreaCaller(s, size, VM_IOREMAP, caller);
  if (vm === NIL_VM) return 0;
  const vaddr = s.vms.addr[vm]!;
  s.vms.physAddr[vm] = phys;
  if (s.pgtables.ioremapPageRange(vaddr, phys, size, pgprotNx(prot)) !== 0) {
    freeVmArea(s, vm);
    return 0;
  }
  return vaddr + offset;
}

/** Kernel: `ioremap()` = ioremap_prot(phys, size, PROT_DEVICE_nGnRE). */
export function ioremap(s: VmallocState, phys: number, size: number, caller: string | undefined): Va {
  return ioremapProt(s, phys, size, PROT_DEVICE_nGnRE, caller);
}

/** Kernel: `ioremap_wc()` = ioremap_prot(phys, size, PROT_NORMAL_NC). */
export function ioremapWc(s: VmallocState, phys: number, size: number, caller: string | undefined): Va {
  return ioremapProt(s, phys, size, PROT_NORMAL_NC, caller);
}

/** Kernel: `ioremap_np()` = ioremap_prot(phys, size, PROT_DEVICE_nGnRnE). */
export function ioremapNp(s: VmallocState, phys: number, size: number, caller: string | undefined): Va {
  return ioremapProt(s, phys, size, PROT_DEVICE_nGnRnE, caller);
}

/** Kernel: `iounmap()` (mm/ioremap.c; arm64's iounmap_allowed() is always true). */
export function iounmap(s: VmallocState, addr: Va): void {
  const vaddr = Math.floor(addr / PAGE_SIZE) * PAGE_SIZE;
  if (isVmallocAddr(s, vaddr)) vunmap(s, vaddr);
}
