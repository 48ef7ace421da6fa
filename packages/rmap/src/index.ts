// mmsim: @mmsim/rmap's public API (named re-exports only, STYLE C11)
export { AnonVmaStruct, AnonVmaChainStruct, AnonVmaTable, anonVmaCompatible, findMergeableAnonVma } from "./anon-vma.ts";
export {
  Rmap, PvmwResult, RMAP_NONE, RMAP_EXCLUSIVE, RMAP_COMPOUND, compoundHead, linearPageIndex, mmCounter, mmCounterFile, pageMapcount, KSM_MAPPING_BIT, ksmMapping,
  pageKsm, pageStableNodeId,
} from "./rmap.ts";
export type { RmapDeps, RmapVisitor, SplitHugePage, SwapUnmapHooks, TlbRangeFlusher } from "./rmap.ts";
export {
  SWP_PFN_BITS, SWP_MIG_YOUNG_BIT, SWP_MIG_DIRTY_BIT, mkMigrationPte, isMigrationPte, migrationPtePfn, isWritableMigrationPte, isReadableMigrationPte,
  isReadableExclusiveMigrationPte, migrationPteYoung, migrationPteDirty, migrationPteMkReadable,
} from "./migration-entry.ts";
