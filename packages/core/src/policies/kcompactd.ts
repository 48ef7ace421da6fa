// Kernel: include/linux/compaction.h (wakeup_kcompactd, reset_isolation_suitable) (v6.1) — what kswapd asks of compaction
/*
 * kswapd (mm/vmscan.c, @mmsim/reclaim) wakes the node's kcompactd when it goes to sleep with
 * memory freed for a high-order allocation, and when wakeup_kswapd finds the node balanced but a
 * high order still failing; before its short sleep it also clears the pageblock skip hints that
 * direct compaction left (reset_isolation_suitable). Compaction comes after reclaim in the order
 * of mechanisms, so reclaim reaches it through this interface; @mmsim/compaction implements it.
 * Where no compaction module is loaded, reclaim holds null and calls nothing.
 */
import { token } from "../di/token.ts";

/** kcompactd as kswapd calls it. Implemented by @mmsim/compaction. */
export interface KcompactdWaker {
  /**
   * Asks node `nid`'s kcompactd to make a block of `order` allocatable in zones up to
   * `highestZoneidx`; it runs only if it sleeps and kcompactd_node_suitable() says compaction can
   * help. Order 0 does nothing. Kernel: `wakeup_kcompactd()`.
   */
  wakeupKcompactd(nid: number, order: number, highestZoneidx: number): void;
  /**
   * Clears the PB_migrate_skip hints of the node's zones where a direct compaction ran to the end
   * (compact_blockskip_flush). Kernel: `reset_isolation_suitable()`.
   */
  resetIsolationSuitable(nid: number): void;
}
export const KcompactdWaker = token<KcompactdWaker>("KcompactdWaker");
