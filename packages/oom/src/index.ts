// mmsim: @mmsim/oom public API — the `oom` policy slot's kernel OOM killer (mm/oom_kill.c, v6.1) and Android's lmkd (system/memory/lmkd)
import "reflect-metadata";

export { OomKiller, nodeList } from "./oom-kill.ts";
export type { OomControl, OomKillerDeps } from "./oom-kill.ts";
export { OOM_KILLER, OOM_SYSCTLS, panicOnOomSysctl, oomKillAllocatingTaskSysctl, oomDumpTasksSysctl } from "./sysctls.ts";
export {
  Lmkd, PERCEPTIBLE_APP_ADJ, PSI_POLL_PERIOD_LONG_MS, PSI_POLL_PERIOD_SHORT_MS, PSI_WINDOW_SIZE_MS, THRASHING_RESET_INTERVAL_MS, defaultLmkdProperties, zoneWatermarks,
} from "./lmkd.ts";
export type { KillReason, LmkdDeps, LmkdKill, LmkdProperties } from "./lmkd.ts";
export { LMKD, lmkdModule, oomKillerModule, setpropStep } from "./module.ts";
