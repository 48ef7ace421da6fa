// mmsim: the DI token of the machine's memory controller (no kernel counterpart)
import { token } from "@mmsim/core";
import type { MemcgController } from "./memcontrol.ts";

/** The machine's memory controller (cgroup v2's memory css tree and the charges). */
export const MEMCG = token<MemcgController>("MemcgController");
