// mmsim: the DI token of the page side of every mm (no kernel counterpart): the machine registers its MmMemory under it, @mmsim/ksm finds it there
import { token } from "@mmsim/core";
import type { MmMemory } from "./memory.ts";

/** The page side of the machine's mms: MmMemory (with its Rmap). */
export const MM_MEMORY = token<MmMemory>("MmMemory");
