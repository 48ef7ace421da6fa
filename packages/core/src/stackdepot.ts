// Kernel: lib/stackdepot.c (v6.1) — stack_depot_want_early_init() and the hash table stack_depot_early_init() takes from memblock
/*
 * A subsystem that will save stack traces from early boot on (SLUB's owner tracking, slub_debug
 * with U) asks for the stack depot while the command line is parsed; mm_init() then allocates
 * the depot's hash table from memblock, before mem_init() hands memory to the page allocator:
 * `stackdepot hash table entries: 65536 (order: 7, 524288 bytes, linear)` on the 1 GiB board.
 * mmsim records no stack traces (SLUB's tracks print "stack trace missing"), but the table is
 * memory the real kernel reserves, so the machine allocates it as the kernel does.
 */
import { token } from "./di/token.ts";

/** Buckets per 2^STACK_HASH_SCALE bytes of low memory, and the table's bounds (log2 of entries). Kernel: lib/stackdepot.c. */
export const STACK_HASH_SCALE = 14;
export const STACK_HASH_ORDER_MIN = 12;
export const STACK_HASH_ORDER_MAX = 20;
/** sizeof(struct stack_record *): the size of one bucket. */
export const STACK_HASH_BUCKET_SIZE = 8;

/** The stack depot's boot state of one machine. */
export class StackDepot {
  /** Kernel: `__stack_depot_want_early_init`. */
  earlyInitWanted = false;
  /** Kernel: `stack_depot_disable` (the early_param `stack_depot_disable=`). */
  disabled = false;

  /** Kernel: `stack_depot_want_early_init()`: mm_init() will allocate the hash table from memblock. */
  wantEarlyInit(): void {
    this.earlyInitWanted = true;
  }

  /** Kernel: the test at the top of `stack_depot_early_init()`. */
  earlyInitNeeded(): boolean {
    return this.earlyInitWanted && !this.disabled;
  }
}

/** The machine's stack depot (registered by the machine, asked for by slub_debug's handler). */
export const STACK_DEPOT = token<StackDepot>("StackDepot");

/**
 * `stack_depot_disable=`: kstrtobool's y, t, 1, on or n, f, 0, off. Kernel: `is_stack_depot_disabled()`
 * (an early_param; the machine registers it).
 */
export function isStackDepotDisabled(depot: StackDepot, str: string | undefined, log: { prInfo(text: string): void }): number {
  const v = kstrtobool(str);
  if (v !== undefined) {
    depot.disabled = v;
    if (v) log.prInfo("Stack Depot is disabled");
  }
  return 0;
}

/** Kernel: `kstrtobool()` (lib/kstrtox.c). @returns the value, or undefined for -EINVAL */
function kstrtobool(s: string | undefined): boolean | undefined {
  if (s === undefined) return undefined;
  switch (s[0]) {
    case "y": case "Y": case "t": case "T": case "1": return true;
    case "n": case "N": case "f": case "F": case "0": return false;
    case "o": case "O":
      if (s[1] === "n" || s[1] === "N") return true;
      if (s[1] === "f" || s[1] === "F") return false;
      return undefined;
    default: return undefined;
  }
}
