// mmsim: @mmsim/oom public API — the `oom` policy slot's kernel OOM killer (mm/oom_kill.c, v6.1)
import "reflect-metadata";

export { OomKiller, nodeList } from "./oom-kill.ts";
export type { OomControl, OomKillerDeps } from "./oom-kill.ts";
export { OOM_KILLER, OOM_SYSCTLS, panicOnOomSysctl, oomKillAllocatingTaskSysctl, oomDumpTasksSysctl } from "./sysctls.ts";
export { oomKillerModule } from "./module.ts";
