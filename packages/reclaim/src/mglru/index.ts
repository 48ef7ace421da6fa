// mmsim: the public face of the MGLRU policy (packages/reclaim/src/mglru) for @mmsim/reclaim's module
export { MultiGenLru, packShadow, unpackShadow } from "./multi-gen-lru.ts";
export type { UnpackedShadow } from "./multi-gen-lru.ts";
export {
  ANON_AND_FILE, LRU_GEN_ANON, LRU_GEN_FILE, LRU_GEN_LIST_HEADS, LruGenFolio, MAX_LRU_BATCH, MAX_NR_GENS, MAX_NR_TIERS,
  MIN_LRU_BATCH, MIN_NR_GENS, NR_HIST_GENS, folioLruGen, folioLruRefs, lruGenFromSeq, lruTierFromRefs,
} from "./lru-gen.ts";
export {
  ARCH_HAS_HW_NONLEAF_PMD_YOUNG, ARCH_HAS_HW_PTE_YOUNG, kstrtouint, lruGenKernelFiles, lruGenSeqWrite, showEnabled, showMinTtl,
  storeEnabled, storeMinTtl,
} from "./lru-gen-files.ts";
export type { LruGenFilesOptions } from "./lru-gen-files.ts";
