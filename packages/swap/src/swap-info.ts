// Kernel: include/linux/swap.h (struct swap_info_struct, struct swap_cluster_info, struct percpu_cluster, SWP_* flags, swap_map values), mm/swap.h (v6.1) — one swap device and the constants of swap
/*
 * One swap area: its swap_map (a byte per slot: the count of users plus SWAP_HAS_CACHE), its
 * clusters of SWAPFILE_CLUSTER slots (on a non-rotational device: per-CPU clusters, a list of
 * free clusters), the scan state, and its swap cache (one address_space per
 * SWAP_ADDRESS_SPACE_PAGES slots, each an XArray of pages and shadow entries).
 *
 * Counts above SWAP_MAP_MAX: the kernel chains continuation pages (add_swap_count_continuation);
 * here swap_map holds SWAP_MAP_MAX | COUNT_CONTINUED and the exact count lives in a side Map
 * (`continued`), which gives the same answers at no cost until a slot has 63 users.
 *
 * Invariants (validate.ts): inuse_pages = the slots with a non-zero swap_map other than
 * SWAP_MAP_BAD; cluster counts = the used slots (and the header, bad slots) in each cluster;
 * a cluster is on the free list iff its count is 0; lowest_bit ≤ every free slot ≤ highest_bit.
 */
import { XArray } from "@mmsim/filemap";
import type { SwapBdev } from "./swap-bdev.ts";

/** Kernel: `SWP_USED` … `SWP_SCANNING` (enum of include/linux/swap.h). */
export const SWP_USED = 1 << 0;
export const SWP_WRITEOK = 1 << 1;
export const SWP_DISCARDABLE = 1 << 2;
export const SWP_DISCARDING = 1 << 3;
export const SWP_SOLIDSTATE = 1 << 4;
export const SWP_CONTINUED = 1 << 5;
export const SWP_BLKDEV = 1 << 6;
export const SWP_ACTIVATED = 1 << 7;
export const SWP_FS_OPS = 1 << 8;
export const SWP_AREA_DISCARD = 1 << 9;
export const SWP_PAGE_DISCARD = 1 << 10;
export const SWP_STABLE_WRITES = 1 << 11;
export const SWP_SYNCHRONOUS_IO = 1 << 12;
export const SWP_SCANNING = 1 << 14;

/** swap_map values. Kernel: `SWAP_HAS_CACHE`, `SWAP_MAP_MAX`, `SWAP_MAP_BAD`, `COUNT_CONTINUED`, `SWAP_MAP_SHMEM`, `SWAP_CONT_MAX`. */
export const SWAP_HAS_CACHE = 0x40;
export const SWAP_MAP_MAX = 0x3e;
export const SWAP_MAP_BAD = 0x3f;
export const COUNT_CONTINUED = 0x80;
export const SWAP_MAP_SHMEM = 0xbf;
export const SWAP_CONT_MAX = 0x7f;

/** Slots per cluster. Kernel: `SWAPFILE_CLUSTER` (HPAGE_PMD_NR with CONFIG_THP_SWAP; 256 without — arm64 6.1 has no THP_SWAP). */
export const SWAPFILE_CLUSTER = 256;
/** Kernel: `SWAP_ADDRESS_SPACE_SHIFT`: one swap-cache address_space per 2^14 slots (64 MiB). */
export const SWAP_ADDRESS_SPACE_SHIFT = 14;
export const SWAP_ADDRESS_SPACE_PAGES = 1 << SWAP_ADDRESS_SPACE_SHIFT;
/** Kernel: `SWAP_CLUSTER_COLS` = max(SWAP_CLUSTER_INFO_COLS (64-byte lines / 8-byte infos = 8), SWAP_CLUSTER_SPACE_COLS (16384 / 256 = 64)). */
export const SWAP_CLUSTER_COLS = 64;
/** Kernel: `LATENCY_LIMIT` of scan_swap_map_slots. */
export const LATENCY_LIMIT = 256;
/** Kernel: `SWAP_BATCH`: slots get_swap_pages hands out at most per call. */
export const SWAP_BATCH = 64;

/** Cluster flags. Kernel: `CLUSTER_FLAG_FREE`, `CLUSTER_FLAG_NEXT_NULL`. */
export const CLUSTER_FLAG_FREE = 1;
export const CLUSTER_FLAG_NEXT_NULL = 2;
/** A null cluster index (CLUSTER_FLAG_NEXT_NULL in the kernel's packed form). */
export const CLUSTER_NULL = -1;

/** What mkswap wrote in page 0. Kernel: `union swap_header`'s info (version 1, "SWAPSPACE2"). */
export interface SwapHeader {
  readonly version: number;
  /** The last usable page. Kernel: `info.last_page`. */
  readonly lastPage: number;
  readonly nrBadpages: number;
  readonly label: string;
  readonly uuid: string;
}

/** One swap area. Kernel: `struct swap_info_struct`. */
export class SwapInfoStruct {
  /** SWP_* flags. */
  flags = 0;
  /** Priority (the higher, the sooner used). Kernel: `prio`. */
  prio = 0;
  /** Kernel: `type`: the index in swap_info[]. */
  readonly type: number;
  /** Slots (including the header). Kernel: `max`. */
  max = 0;
  /** Usable slots. Kernel: `pages`. */
  pages = 0;
  /** Slots in use (a count or SWAP_HAS_CACHE). Kernel: `inuse_pages`. */
  inusePages = 0;
  /** Kernel: `lowest_bit`, `highest_bit`: the range holding every free slot. */
  lowestBit = 0;
  highestBit = 0;
  /** Kernel: `cluster_next`, `cluster_nr` (the rotational device's scan). */
  clusterNext = 0;
  clusterNr = 0;
  /** Kernel: `cluster_next_cpu` (per CPU; non-rotational only). */
  clusterNextCpu: Int32Array = new Int32Array(0);
  /** Kernel: `swap_map`. */
  swapMap: Uint8Array = new Uint8Array(0);
  /** Exact counts of slots with COUNT_CONTINUED (the continuation pages' digits). */
  readonly continued = new Map<number, number>();
  /** Per cluster: its count of used slots (null: a rotational device has no cluster_info). Kernel: `cluster_info[].data`. */
  clusterCount: Uint16Array | null = null;
  /** Per cluster: CLUSTER_FLAG_*. */
  clusterFlags: Uint8Array | null = null;
  /** Per cluster: the next cluster on the free list. */
  clusterNextFree: Int32Array | null = null;
  /** The free cluster list. Kernel: `free_clusters` (head, tail). */
  freeHead = CLUSTER_NULL;
  freeTail = CLUSTER_NULL;
  /** Per CPU: the cluster it allocates from and its next slot. Kernel: `percpu_cluster` (index, next). */
  percpuIndex: Int32Array = new Int32Array(0);
  percpuNext: Int32Array = new Int32Array(0);
  /** The device (a zram disk, a partition or a file). Kernel: `bdev` / `swap_file`. */
  bdev: SwapBdev | null = null;
  /** The path swapon was given. Kernel: `swap_file`'s path. */
  path = "";
  /** The swap cache: one XArray per SWAP_ADDRESS_SPACE_PAGES slots. Kernel: `swapper_spaces[type]`. */
  spaces: XArray[] = [];
  /** Pages in each space. Kernel: `address_space.nrpages`. */
  spaceNrpages: Int32Array = new Int32Array(0);

  constructor(type: number) {
    this.type = type;
  }
}

/** Kernel: `swap_count()`: the users of a slot, without SWAP_HAS_CACHE. */
export function swapCount(ent: number): number {
  return ent & ~SWAP_HAS_CACHE;
}
