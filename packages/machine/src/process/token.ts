// mmsim: the DI token of the machine's processes (no kernel counterpart)
import { token } from "@mmsim/core";
import type { Processes } from "./processes.ts";

/** The machine's tasks and their mechanisms (made at the first use after boot). */
export const PROCESSES = token<Processes>("Processes");

/** The page side of the machine's mms: @mmsim/fault's MmMemory (with its Rmap); the token is fault's, so @mmsim/ksm finds it. */
export { MM_MEMORY } from "@mmsim/fault";
