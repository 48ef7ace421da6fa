// mmsim: tokens of core's single-implementation services (STYLE C3: a class may be its own service)
import type { SimClock } from "../clock.ts";
import type { CostModel } from "../cost-model.ts";
import type { MemMap } from "../mm-types.ts";
import type { KernelLog } from "../printk.ts";
import type { Rng } from "../rng.ts";
import type { SlabCommon } from "../slab-common.ts";
import type { TraceBus } from "../trace.ts";
import type { VmStat } from "../vmstat-counters.ts";
import { token } from "./token.ts";

/** The machine's simulated clock. */
export const SIM_CLOCK = token<SimClock>("SimClock");
/** The machine's cost model. */
export const COST_MODEL = token<CostModel>("CostModel");
/** The machine's kernel log (dmesg). */
export const KERNEL_LOG = token<KernelLog>("KernelLog");
/** The machine's tracepoint bus. */
export const TRACE_BUS = token<TraceBus>("TraceBus");
/** The machine's mem_map (struct page for every frame), sized at boot. */
export const MEM_MAP = token<MemMap>("MemMap");
/** The machine's seeded random source. */
export const RNG = token<Rng>("Rng");
/** The machine's slab layer (mm/slab_common.c over the chosen allocator), made at kmem_cache_init. */
export const SLAB_COMMON = token<SlabCommon>("SlabCommon");
/**
 * The machine's vmstat counters (mm/vmstat.c): zone, node and event counters as typed arrays
 * that every subsystem updates and procfs renders. @mmsim/buddy's module registers it.
 */
export const VM_STAT = token<VmStat>("VmStat");
