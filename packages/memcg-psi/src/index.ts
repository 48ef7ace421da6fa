// mmsim: public surface of @mmsim/memcg-psi (no kernel counterpart)
export {
  MAX_RECLAIM_RETRIES, MEMCG_CHARGE_BATCH, MEMCG_HIGH, MEMCG_LOW, MEMCG_MAX, MEMCG_NR_MEMORY_EVENTS, MEMCG_OOM, MEMCG_OOM_GROUP_KILL, MEMCG_OOM_KILL, MEMCG_SWAP_FAIL,
  MEMCG_SWAP_HIGH, MEMCG_SWAP_MAX, MEM_CGROUP_ID_MAX, MemCgroup, MemcgController, pageCounterMemparse, tunable,
} from "./memcontrol.ts";
export type { MemcgDeps } from "./memcontrol.ts";
export { PAGE_COUNTER_MAX, PageCounter, effectiveProtection, pageCounterCharge, pageCounterTryCharge, pageCounterUncharge } from "./page-counter.ts";
export { CGROUP_ROOT, cgroupFiles, listCgroupFiles, readCgroupFile, writeCgroupFile } from "./cgroupfs.ts";
export { MEMCG_STEPS, cgroupMkdirStep, cgroupRmdirStep } from "./steps.ts";
export { MEMCG } from "./token.ts";
export { memcgModule } from "./module.ts";
