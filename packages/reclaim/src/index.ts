// mmsim: @mmsim/reclaim's public API (named re-exports only, STYLE C11)
import "reflect-metadata";

export { reclaimModule, lruPolicyModule, mglruPolicyModule, makeLruGenSwitch, VMSCAN, ReclaimPolicyFactory } from "./module.ts";
export {
  MultiGenLru, LruGenFolio, lruGenKernelFiles, MAX_NR_GENS, MIN_NR_GENS, MAX_NR_TIERS, ARCH_HAS_HW_PTE_YOUNG, ARCH_HAS_HW_NONLEAF_PMD_YOUNG,
} from "./mglru/index.ts";
export type { LruGenFilesOptions } from "./mglru/index.ts";
export {
  Vmscan, KswapdState, RECLAIM_COSTS, FOLIOREF_RECLAIM, FOLIOREF_RECLAIM_CLEAN, FOLIOREF_KEEP, FOLIOREF_ACTIVATE, PGDAT_DIRTY, PGDAT_WRITEBACK,
  LRUVEC_CONGESTED, VMSCAN_THROTTLE_WRITEBACK, VMSCAN_THROTTLE_ISOLATED, VMSCAN_THROTTLE_NOPROGRESS, VMSCAN_THROTTLE_CONGESTED, NR_VMSCAN_THROTTLE,
  MAX_RECLAIM_RETRIES, AOP_WRITEPAGE_ACTIVATE, HOST_KEEP_HEAD, HOST_PAGES_HEAD, POLICY_LIST_HEADS, takeLruvecHeads,
} from "./vmscan.ts";
export type { ReclaimCosts, VmscanDeps } from "./vmscan.ts";
export {
  LruCore, PAGEVEC_SIZE, FBATCH_LRU_ADD, FBATCH_LRU_ROTATE, FBATCH_LRU_DEACTIVATE_FILE, FBATCH_LRU_DEACTIVATE, FBATCH_LRU_LAZYFREE,
  FBATCH_ACTIVATE, NR_FBATCHES, fbatchNames,
} from "./swap.ts";
export { TwoListLru, TWO_LIST_HEADS, SCAN_EQUAL, SCAN_FRACT, SCAN_ANON, SCAN_FILE } from "./lru-policy.ts";
export {
  SWAP_CLUSTER_MAX, HPAGE_PMD_NR, folioNrPages, folioIsFileLru, folioLruList, lruvecLruSize, inactiveIsLow,
} from "./lru-common.ts";
export {
  packShadow, unpackShadow, UnpackedShadow, refaultDistance, EVICTION_BITS, EVICTION_SHIFT, ROOT_MEM_CGROUP_ID,
} from "./workingset.ts";
export { swappinessSysctl, vfsCachePressureSysctl, RECLAIM_SYSCTLS } from "./sysctls.ts";
