// mmsim: the vmalloc service's DI token (no kernel counterpart; mm/vmalloc.c's globals are one per kernel)
import { token } from "@mmsim/core";
import type { Vmalloc } from "./vmalloc.ts";

/** The machine's vmalloc service. Kernel: mm/vmalloc.c's globals. */
export const VMALLOC = token<Vmalloc>("Vmalloc");
