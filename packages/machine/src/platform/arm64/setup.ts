// Kernel: arch/arm64/kernel/setup.c, arch/arm64/mm/init.c, arch/arm64/mm/mmu.c, mm/sparse.c, kernel/dma/contiguous.c, mm/percpu.c, mm/page_alloc.c (v6.1) — the memblock work of setup_arch() and start_kernel()
/*
 * Every reservation the reference kernel makes in memblock before memblock_free_all(), in 6.1's
 * order, each sized by the kernel's formula and placed by memblock's own top-down allocator:
 *
 *   setup_machine_fdt        memory from the DT memory node(s); the DTB
 *   arm64_memblock_init      mem= (memblock_mem_limit_remove_map), the kernel image
 *                            (_stext.._end), the initramfs
 *   paging_init              swapper's page tables (@mmsim/hw-arm64's pagingInit, from memblock
 *                            one page at a time top-down), then init_pg_dir freed
 *   bootmem_init             NODE_DATA per node (arch_numa_init), the vmemmap (sparse_init),
 *                            zone_sizes_init → free_area_init, CMA (dma_contiguous_reserve)
 *   setup_per_cpu_areas      the embedded first per-CPU chunk
 *   mem_init                 the swiotlb bounce buffer (RAM beyond the DMA limit)
 *
 * (vfs_caches_init_early's hash tables are generic: ../../alloc-large-system-hash.ts.) Every
 * board number — RAM base, the image, the initrd and DTB, the build's call sites — comes from
 * the `Arm64Board` given (./board.ts).
 *
 * Not modelled (about 200 KiB on the 1 GiB board, the difference issue 8's tolerance covers):
 * the dozen small early allocations of printk, the unflattened device tree, RCU, the mem_section
 * roots and usemaps, and the percpu allocator's bookkeeping. (sparse_init's vmemmap_populate is
 * modelled: its two tables come from memblock as in the kernel.)
 */
import {
  type KernelLog, NUMA_NO_NODE, PAGE_SIZE, PHYS_ADDR_MAX, SZ_1G, SZ_1M, SZ_2M, SZ_4G, alignDown, alignUp, hex, pfnDown,
} from "@mmsim/core";
import {
  type Arm64Layout, type EarlyVmArea, type KernelPageTables, type MemoryRegion, type PagingInitTables, PgtableStore, arm64Layout, pagingInit,
  parseMapMemParams, vmemmapPopulate, vmemmapRange,
} from "@mmsim/hw-arm64";
import { type Memblock, MEMBLOCK_ALLOC_ACCESSIBLE, MEMBLOCK_ALLOC_NOLEAKTRACE, MEMBLOCK_NOMAP, SMP_CACHE_BYTES } from "@mmsim/memblock";
import { PAGES_PER_SECTION, SIZEOF_STRUCT_PAGE } from "@mmsim/buddy";
import { maxZonePhys } from "./zone-sizes.ts";
import type { Arm64Board } from "./board.ts";

/** CONFIG_ARM64_PA_BITS of the reference config: 48. */
const PHYS_MASK_SHIFT = 48;
/** ARM64_MEMSTART_ALIGN with 4 KiB pages: 1 << PUD_SHIFT. */
const ARM64_MEMSTART_ALIGN = SZ_1G;

/** One node's RAM. */
export interface NodeRam {
  readonly nid: number;
  readonly start: number;
  readonly end: number;
}

/** What setup_arch decided, for the rest of the boot and for /proc/iomem. */
export interface Arm64Setup {
  /** RAM per node after mem=. */
  readonly nodes: readonly NodeRam[];
  /** arm64_dma_phys_limit (end of ZONE_DMA). */
  readonly dmaPhysLimit: number;
  /** The CMA area, if one was reserved. */
  readonly cma?: { readonly base: number; readonly size: number };
  /** totalcma_pages. */
  readonly totalcmaPages: number;
}

/** `%#018Lx`: 0x-prefixed, 16 hex digits. */
const hex18 = (x: number): string => hex(x, 16);
/** `%#010Llx` as printed by setup_node_data: at least 8 hex digits. */
const hex10 = (x: number): string => `0x${x.toString(16).padStart(8, "0")}`;

/**
 * Splits RAM evenly over `nodes` nodes (pageblock-aligned pieces), as a DT with numa-node-id
 * memory nodes would describe it.
 */
export function splitRam(base: number, size: number, nodes: number): NodeRam[] {
  const out: NodeRam[] = [];
  const per = Math.floor(size / nodes / SZ_2M) * SZ_2M;
  for (let nid = 0; nid < nodes; nid++) {
    const start = base + nid * per;
    out.push({ nid, start, end: nid === nodes - 1 ? base + size : start + per });
  }
  return out;
}

/**
 * `mem=` as 6.1 keeps it: each `mem=` on the command line runs early_mem() again, so the last
 * one wins; its value goes through memparse() (simple_strtoull base 0 — `0x…` hex, a leading 0
 * octal, else decimal, up to the first other character — then an optional K/M/G/T/P/E suffix,
 * all in u64 arithmetic) and is masked with PAGE_MASK. `mem=1` is therefore 0, which
 * memblock_mem_limit_remove_map() ignores (yet dump_mem_limit() would print "0 MB").
 * Kernel: `early_mem()` (arch/arm64/mm/init.c), `memparse()` (lib/cmdline.c).
 * @returns the limit in bytes (2^53 − 1 = mmsim's PHYS_ADDR_MAX when larger), or undefined
 *   when the command line has no `mem=` (the kernel's PHYS_ADDR_MAX)
 */
export function parseMemLimit(cmdline: string): number | undefined {
  let limit: bigint | undefined;
  for (const arg of cmdline.split(/\s+/)) {
    if (!arg.startsWith("mem=")) continue;
    limit = memparse(arg.slice(4)) & ~BigInt(PAGE_SIZE - 1);
  }
  if (limit === undefined) return undefined;
  return limit > BigInt(PHYS_ADDR_MAX) ? PHYS_ADDR_MAX : Number(limit);
}

/** memparse(): a u64 from simple_strtoull(s, 0) and a binary suffix. Kernel: `memparse()` (lib/cmdline.c). */
function memparse(s: string): bigint {
  const m = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)?(.?)/.exec(s)!;
  let digits = m[1] ?? "";
  // "0x" with no hex digit after it: simple_strtoull reads the 0 and stops at the x.
  if (digits === "" && /^0[xX]/.test(s)) digits = "0";
  let v = digits === "" ? 0n : digits.length > 1 && digits[0] === "0" && !/^0[xX]/.test(digits) ? BigInt(`0o${digits.slice(1)}`) : BigInt(digits);
  v = BigInt.asUintN(64, v);
  const shift = { k: 10n, m: 20n, g: 30n, t: 40n, p: 50n, e: 60n }[(m[2] ?? "").toLowerCase() as "k"];
  if (shift !== undefined) v = BigInt.asUintN(64, v << shift);
  return v;
}

/**
 * setup_machine_fdt(): memory from the DT memory node(s) (one per NUMA node), and the DTB
 * reserved. It runs before parse_early_param(), so memblock=debug does not log it.
 * Kernel: `setup_machine_fdt()` → `early_init_dt_scan_memory()`, `memblock_reserve(dt_phys, size)`.
 */
export function setupMachineFdt(board: Arm64Board, memblock: Memblock, ramSize: number, nodes: number): void {
  for (const r of splitRam(board.ramBase, ramSize, nodes)) memblock.memblockAddNode(r.start, r.end - r.start, nodes > 1 ? r.nid : 0, 0);
  memblock.memblockReserve(board.dtbAddress(), board.dtbSize);
}

/** What setup_arch() does around arm64_memblock_init(). */
export interface Arm64MemblockInitOptions {
  /** CONFIG_ARM64_VA_BITS (default 48): the linear map covers 2^(va_bits - 1) bytes. */
  readonly vaBits?: number;
  /**
   * Runs between setup_machine_fdt() and arm64_memblock_init(), where setup_arch() prints the
   * machine model and calls parse_early_param().
   */
  readonly afterMachineFdt?: () => void;
}

/**
 * The memblock half of setup_arch() and bootmem_init() up to zone_sizes_init, for a board:
 * setup_machine_fdt(), then
 * arm64_memblock_init() — the removes of what lies beyond the physical address size and the
 * linear map (nothing, on QEMU virt), mem=, the initramfs added back and reserved, the image
 * reserved. Each memblock call names the reference build's call site for memblock=debug.
 * Kernel: `setup_machine_fdt()`, `arm64_memblock_init()` (arch/arm64/mm/init.c).
 */
export function arm64MemblockInit(board: Arm64Board, memblock: Memblock, ramSize: number, nodes: number, cmdline: string, opts: Arm64MemblockInitOptions = {}): NodeRam[] {
  const C = board.memblockCallers;
  setupMachineFdt(board, memblock, ramSize, nodes);
  opts.afterMachineFdt?.();
  // arm64_memblock_init: linear_region_size = PAGE_END - _PAGE_OFFSET(vabits_actual).
  const linearRegionSize = 2 ** ((opts.vaBits ?? 48) - 1);
  memblock.memblockRemove(2 ** PHYS_MASK_SHIFT, PHYS_ADDR_MAX, C.removeAbovePhysMask); // ULLONG_MAX
  const memstartAddr = alignDown(memblock.memblockStartOfDRAM(), ARM64_MEMSTART_ALIGN);
  memblock.memblockRemove(Math.max(memstartAddr + linearRegionSize, board.image._end), PHYS_ADDR_MAX, C.removeBeyondLinear);
  // (memstart_addr + linear_region_size < memblock_end_of_DRAM() cannot happen: VIRT_RAM_MAX is below 2^38.)
  // mem= removes memory above the limit, keeping the kernel image mapped.
  const limit = parseMemLimit(cmdline);
  // memblock_mem_limit_remove_map() ignores 0 and a limit at or above the RAM there is.
  if (limit !== undefined && limit > 0 && limit < ramSize) {
    memblock.memblockMemLimitRemoveMap(limit);
    memblock.memblockAdd(board.image._text, board.image._end - board.image._text, C.addImage);
  }
  // The initramfs QEMU loaded: added back (mem= may have removed it), then reserved.
  const initrdBase = alignDown(board.initrd.start, PAGE_SIZE);
  const initrdSize = alignUp(board.initrd.start + board.initrd.size, PAGE_SIZE) - initrdBase;
  memblock.memblockAdd(initrdBase, initrdSize, C.addInitrd);
  memblock.memblockClearNomap(initrdBase, initrdSize);
  memblock.memblockReserve(initrdBase, initrdSize, C.reserveInitrd);
  memblock.memblockReserve(board.image._stext, board.image._end - board.image._stext, C.reserveImage);
  return nodeRanges(memblock);
}

/** What paging_init built: swapper_pg_dir in its store, the layout, the early vm areas. */
export interface Arm64PagingInit {
  readonly layout: Arm64Layout;
  readonly store: PgtableStore;
  readonly kernel: KernelPageTables;
  readonly tables: PagingInitTables;
  readonly vmAreas: readonly EarlyVmArea[];
}

/**
 * mmsim: the pool size (in tables) that paging_init's page-granular linear map needs — a PTE
 * table per 2 MiB and a PMD table per 1 GiB of each memory region, rounded up, plus
 * LINEAR_MAP_TABLE_SLACK for the kernel image, fixmap, idmap and the early vmalloc areas — so
 * that a 64 GiB boot does not double the pool ten times, copying it each time (issue 22). A
 * size only: the pool still grows when processes add tables.
 */
function linearMapTables(memory: readonly MemoryRegion[]): number {
  let tables = LINEAR_MAP_TABLE_SLACK;
  for (const r of memory) tables += Math.ceil(r.size / SZ_2M) + Math.ceil(r.size / SZ_1G) + 2;
  return tables;
}

/** mmsim: pool slots beyond the linear map's tables in linearMapTables (image, fixmap, idmap, early vmalloc). */
const LINEAR_MAP_TABLE_SLACK = 64;

/**
 * paging_init(): swapper_pg_dir with the kernel image, the linear map of memblock.memory (page
 * granularity: rodata=full by default in the reference config), the idmap and the fixmap, every
 * table from memblock top-down; init_pg_dir goes back to memblock (and memblock may resize) before the idmap.
 * The machine's VA layout is computed here, once (with PHYS_OFFSET and kimage_voffset): every
 * consumer reads the `layout` returned.
 * Kernel: `paging_init()` (arch/arm64/mm/mmu.c).
 */
export function arm64PagingInit(board: Arm64Board, memblock: Memblock, opts: { vaBits?: number; cmdline?: string; kfence?: boolean } = {}): Arm64PagingInit {
  const vaBits = opts.vaBits ?? 48;
  // PHYS_OFFSET = memstart_addr = round_down(memblock_start_of_DRAM(), ARM64_MEMSTART_ALIGN); kimage_voffset from _text.
  const layout = arm64Layout({ vaBits, dramStart: memblock.memblockStartOfDRAM(), kernelPhys: board.image._text });
  const basePfn = pfnDown(memblock.memblockStartOfDRAM());
  const memory: MemoryRegion[] = memRanges(memblock).map((r) => ({ base: r.start, size: r.end - r.start, nomap: (r.flags & MEMBLOCK_NOMAP) !== 0 }));
  const store = new PgtableStore({ basePfn, nrPages: pfnDown(memblock.memblockEndOfDRAM()) - basePfn, vaBits, initialTables: linearMapTables(memory) });
  const img = board.image;
  const { rodataEnabled, rodataFull, kfenceSampleInterval } = parseMapMemParams(opts.cmdline ?? "");
  const r = pagingInit({
    layout, store, memory,
    image: {
      _text: img._text, _stext: img._stext, _etext: img._etext, __start_rodata: img.__start_rodata,
      __inittext_begin: img.__init_begin, __inittext_end: img.__inittext_end, __initdata_begin: img.__initdata_begin,
      __initdata_end: img.__init_end, _data: img._sdata, _end: img._end,
    },
    swapperPgDir: img.swapper_pg_dir,
    earlyAlloc: (size, align) => memblock.memblockPhysAllocRange(size, align, 0, MEMBLOCK_ALLOC_NOLEAKTRACE, board.memblockCallers.earlyPgtableAlloc),
    rodataEnabled, rodataFull, kfenceSampleInterval,
    kfence: opts.kfence ?? false,
    idmap: { pgDir: img.idmap_pg_dir, textStart: img.__idmap_text_start, textEnd: img.__idmap_text_end, kptiFlag: img.__idmap_kpti_flag },
    fixmap: { bmPud: img.bm_pud, bmPmd: img.bm_pmd, bmPte: img.bm_pte, fdt: { phys: board.dtbAddress(), size: board.dtbSize } },
    beforeIdmap: () => {
      memblock.memblockPhysFree(img.init_pg_dir, img.init_pg_end - img.init_pg_dir, board.memblockCallers.freeInitPgDir);
      memblock.memblockAllowResize();
    },
  });
  return { layout, store, kernel: r.kernel, tables: r.tables, vmAreas: r.vmAreas };
}

/** memblock.memory's non-empty regions as [start, end), with node and flags. */
function memRanges(memblock: Memblock): { start: number; end: number; nid: number; flags: number }[] {
  const out: { start: number; end: number; nid: number; flags: number }[] = [];
  for (let i = 0; i < memblock.memory.cnt; i++) {
    const r = memblock.region(memblock.memory, i);
    if (r.size > 0) out.push({ start: r.base, end: r.base + r.size, nid: r.nid, flags: r.flags });
  }
  return out;
}

/** Each node's span [lowest start, highest end) over its memblock.memory regions. */
function nodeRanges(memblock: Memblock): NodeRam[] {
  const byNid = new Map<number, NodeRam>();
  for (const r of memRanges(memblock)) {
    const cur = byNid.get(r.nid);
    byNid.set(r.nid, { nid: r.nid, start: Math.min(cur?.start ?? PHYS_ADDR_MAX, r.start), end: Math.max(cur?.end ?? 0, r.end) });
  }
  return [...byNid.values()].sort((a, b) => a.nid - b.nid);
}

/**
 * bootmem_init() before zone_sizes_init: the NUMA lines and NODE_DATA, then the vmemmap.
 * Kernel: `arch_numa_init()` (dummy_numa_init / of_numa_init), `setup_node_data()`, `sparse_init()`.
 */
export function bootmemInitEarly(board: Arm64Board, memblock: Memblock, log: KernelLog, nodes: readonly NodeRam[], mmu?: Pick<Arm64PagingInit, "store" | "layout">): void {
  if (nodes.length === 1) {
    log.prInfo("NUMA: No NUMA configuration found");
    log.prInfo(`NUMA: Faking a node at [mem ${hex18(memblock.memblockStartOfDRAM())}-${hex18(memblock.memblockEndOfDRAM() - 1)}]`);
  }
  for (const n of nodes) {
    const nd = memblock.memblockPhysAllocTryNid(board.sizeofPgDataT, SMP_CACHE_BYTES, n.nid);
    log.prInfo(`NUMA: NODE_DATA [mem ${hex10(nd)}-${hex10(nd + board.sizeofPgDataT - 1)}]`);
  }
  // sparse_init → sparse_buffer_init: one buffer per node for the struct pages of its present
  // sections, each section's map PMD-aligned: PAGES_PER_SECTION × 64 bytes rounded to 2 MiB.
  const sectionMapSize = alignUp(PAGES_PER_SECTION * SIZEOF_STRUCT_PAGE, SZ_2M);
  for (const n of nodes) {
    const sections = new Set<number>();
    for (const r of memRanges(memblock)) {
      if (r.end <= n.start || r.start >= n.end) continue;
      for (let pfn = pfnDown(r.start); pfn < pfnDown(r.end); pfn += PAGES_PER_SECTION) sections.add(Math.floor(pfn / PAGES_PER_SECTION));
      sections.add(Math.floor((pfnDown(r.end) - 1) / PAGES_PER_SECTION));
    }
    const buffer = memblock.memblockAllocExactNidRaw(sections.size * sectionMapSize, sectionMapSize, board.ramBase, MEMBLOCK_ALLOC_ACCESSIBLE, n.nid, board.memblockCallers.memmapAlloc);
    if (!mmu || !buffer) continue;
    // sparse_init_nid → __populate_section_memmap → vmemmap_populate: each present section's
    // struct pages mapped with 2 MiB blocks from the buffer; the PUD and PMD tables from memblock
    // (vmemmap_alloc_block_zero → memblock_alloc_try_nid_raw, top-down, one page each).
    let next = buffer;
    const blockAlloc = (size: number): number => {
      const a = next;
      next += size;
      return a;
    };
    const tableAlloc = (size: number, align: number): number =>
      memblock.memblockAllocTryNidRaw(size, align, board.ramBase, MEMBLOCK_ALLOC_ACCESSIBLE, n.nid, board.memblockCallers.earlyonlyBootmemAlloc);
    for (const sec of [...sections].sort((a, b) => a - b)) {
      const [start, end] = vmemmapRange(mmu.layout, sec * PAGES_PER_SECTION, (sec + 1) * PAGES_PER_SECTION, SIZEOF_STRUCT_PAGE);
      vmemmapPopulate(mmu.store, mmu.layout, start, end, blockAlloc, tableAlloc);
    }
  }
}

/** arm64_dma_phys_limit: the end of ZONE_DMA (zone_dma_bits 32 on QEMU virt). Kernel: `zone_sizes_init()`. */
export function arm64DmaPhysLimit(memblock: Memblock): number {
  return maxZonePhys(32, memblock.memblockStartOfDRAM(), memblock.memblockEndOfDRAM());
}

/**
 * Reserves the default CMA area below the DMA limit, top-down, aligned to one pageblock
 * (CMA_MIN_ALIGNMENT_BYTES since 5.18; the older MAX_ORDER − 1 alignment would put the 2 GiB
 * board's area at 0xb9800000 instead of the real 0xb9a00000).
 * Kernel: `dma_contiguous_reserve()` → `cma_declare_contiguous_nid()` (kernel/dma/contiguous.c, mm/cma.c).
 * @returns the area, or undefined when size is 0 or memblock has no room (logged as 6.1 does)
 */
export function dmaContiguousReserve(memblock: Memblock, log: KernelLog, sizeMbytes: number, limit: number): { base: number; size: number } | undefined {
  if (sizeMbytes <= 0) return undefined;
  // cma_declare_contiguous_nid sanitises its input: alignment = max(alignment,
  // CMA_MIN_ALIGNMENT_BYTES) = PAGE_SIZE × pageblock_nr_pages = 2 MiB, size = ALIGN(size,
  // alignment) — so CONFIG_CMA_SIZE_MBYTES=1 reserves 2 MiB, 63 reserves 64 MiB.
  const alignment = SZ_2M;
  const size = alignUp(sizeMbytes * SZ_1M, alignment);
  let addr = 0;
  if (!memblock.memblockBottomUp() && memblock.memblockEndOfDRAM() >= SZ_4G + size) {
    memblock.memblockSetBottomUp(true);
    addr = memblock.memblockAllocRangeNid(size, alignment, SZ_4G, limit, -1, true);
    memblock.memblockSetBottomUp(false);
  }
  if (!addr) addr = memblock.memblockAllocRangeNid(size, alignment, 0, limit, -1, true);
  if (!addr) {
    log.prErr(`cma: Failed to reserve ${size / SZ_1M} MiB`);
    return undefined;
  }
  log.prInfo(`cma: Reserved ${size / SZ_1M} MiB at ${hex18(addr)}`);
  return { base: addr, size };
}

/** IO_TLB_DEFAULT_SIZE (64 MiB) in IO_TLB_SHIFT (2 KiB) slabs, and sizeof(struct io_tlb_slot) on arm64 6.1. */
const IO_TLB_DEFAULT_SIZE = 64 * SZ_1M;
const IO_TLB_SHIFT = 11;
const SIZEOF_IO_TLB_SLOT = 24;

/**
 * The bounce buffer arm64 sets up when RAM extends past what ZONE_DMA devices can address:
 * 64 MiB of low memory plus its slot array, and the log line.
 * Kernel: `mem_init()` (`swiotlb = max_pfn > PFN_DOWN(arm64_dma_phys_limit)`) → `swiotlb_init()`
 * → `swiotlb_init_remap()` (memblock_alloc_low) → `swiotlb_print_info()`.
 * @returns the buffer's start, or 0 when none is needed
 */
export function swiotlbInit(board: Arm64Board, memblock: Memblock, log: KernelLog, dmaPhysLimit: number): number {
  if (pfnDown(memblock.memblockEndOfDRAM()) <= pfnDown(dmaPhysLimit)) return 0;
  const bytes = IO_TLB_DEFAULT_SIZE;
  // memblock_alloc_low(): below ARCH_LOW_ADDRESS_LIMIT, arm64_dma_phys_limit - 1 on arm64.
  const tlb = memblock.memblockAllocTryNid(bytes, PAGE_SIZE, 0, dmaPhysLimit - 1, NUMA_NO_NODE, board.memblockCallers.swiotlbBuffer);
  if (!tlb) {
    log.prWarn("software IO TLB: Cannot allocate buffer");
    return 0;
  }
  memblock.memblockAlloc(alignUp((bytes >> IO_TLB_SHIFT) * SIZEOF_IO_TLB_SLOT, PAGE_SIZE), PAGE_SIZE, board.memblockCallers.swiotlbSlots);
  log.prInfo(`software IO TLB: mapped [mem ${hex18(tlb)}-${hex18(tlb + bytes)}] (${bytes >> 20}MB)`);
  return tlb;
}

/**
 * The embedded first per-CPU chunk: one unit per CPU in one memblock allocation, and its log lines.
 * Kernel: `setup_per_cpu_areas()` → `pcpu_embed_first_chunk()` → `pcpu_fc_alloc()`, `pcpu_dump_alloc_info()`.
 * @param nid the group's node, early_cpu_to_node() of its first CPU: 0 on a one-node board; on
 *   more nodes the kernel makes one group per node and mmsim one for all CPUs, on any node (-1)
 */
export function setupPerCpuAreas(board: Arm64Board, memblock: Memblock, log: KernelLog, cpus: number, nid: number = NUMA_NO_NODE): void {
  const u = board.pcpuFirstChunk;
  memblock.memblockAllocTryNid(u.unit * cpus, PAGE_SIZE, board.ramBase, MEMBLOCK_ALLOC_ACCESSIBLE, nid, board.memblockCallers.pcpuFcAlloc);
  const pages = u.unit / PAGE_SIZE;
  log.prInfo(`percpu: Embedded ${pages} pages/cpu s${u.static} r${u.reserved} d${u.dynamic} u${u.unit}`);
  log.prInfo(`pcpu-alloc: s${u.static} r${u.reserved} d${u.dynamic} u${u.unit} alloc=${pages}*${PAGE_SIZE}`);
  let groups = "pcpu-alloc: ";
  for (let cpu = 0; cpu < cpus; cpu++) groups += `[0] ${cpu} `;
  log.prInfo(groups);
}
