// mmsim: @mmsim/compaction public API (named re-exports only, STYLE C11)
import "reflect-metadata";

export {
  Compaction, CompactControl, ZoneCompaction, NodeCompaction, COMPACTION_COSTS, COMPACT_CLUSTER_MAX, COMPACT_MAX_DEFER_SHIFT,
  COMPACTION_HPAGE_ORDER, HPAGE_FRAG_CHECK_INTERVAL_NS, MIN_COMPACT_PRIORITY, compactGap,
} from "./compaction.ts";
export type { CompactionCosts, CompactionDeps } from "./compaction.ts";
export {
  ContigPageInfo, fillContigPageInfo, fragmentationIndexOf, fragmentationIndex, extfragForOrder, unusableFreeIndex, unusableShow, extfragShow,
} from "./extfrag.ts";
export { compactionModule, COMPACTION } from "./module.ts";
export { Cma, ContigAllocator } from "./contig.ts";
export type { ContigDeps } from "./contig.ts";
export { CMA } from "./cma-token.ts";
export type { CmaAreas } from "./cma-token.ts";
export { CMA_STEPS, cmaAllocStep, cmaReleaseStep } from "./cma-steps.ts";
export type { CmaHandle } from "./cma-steps.ts";
export {
  COMPACTION_SYSCTLS, compactMemorySysctl, compactionProactivenessSysctl, extfragThresholdSysctl, compactUnevictableAllowedSysctl,
} from "./sysctls.ts";
