// mmsim: @mmsim/ksm's public API (named re-exports only, STYLE C11)
export {
  Ksm, KsmSettings, KsmMmSlot, RmapItem, StableNode, KSM_RUN_STOP, KSM_RUN_MERGE, KSM_RUN_UNMERGE, KSM_SCAN_PAGE_NS, KSM_MERGE_NS, HZ, JIFFY_NS,
  STABLE_NODE_CHAIN,
} from "./ksm.ts";
export type { KsmDeps } from "./ksm.ts";
export { KSM, ksmModule } from "./module.ts";
export { KSM_DIR, ksmFileNames, ksmRead, ksmWrite } from "./sysfs.ts";
