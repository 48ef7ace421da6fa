// Kernel: lib/list_debug.c (CONFIG_DEBUG_LIST) — whole-list checks for validate(); not for hot code
import { NIL_PAGE } from "./mm-types.ts";

/**
 * Counts the entries by walking the list. Not for hot code. Kernel: `list_count_nodes()`.
 * @param limit stop after this many (a corrupt, non-closing list); returns limit + 1 then
 */
export function listCount(next: Int32Array, head: number, limit = 0x7fffffff): number {
  let n = 0;
  for (let s = next[head]!; s !== head; s = next[s]!) {
    if (++n > limit || s === NIL_PAGE) return limit + 1;
  }
  return n;
}

/**
 * Checks a list's links and reports the first inconsistency. Not for hot code.
 * Kernel: `__list_add_valid()` / `__list_del_entry_valid()` (CONFIG_DEBUG_LIST), for a whole list.
 * @param limit most entries expected (a walk longer than this is reported as not closed)
 * @returns null if consistent, otherwise a description
 */
export function listCheck(next: Int32Array, prev: Int32Array, head: number, limit: number): string | null {
  let n = 0;
  let p = head;
  for (let s = next[head]!; s !== head; s = next[s]!) {
    if (s < 0 || s >= next.length) return `slot ${p} has next ${s}, outside the link arrays`;
    if (prev[s] !== p) return `slot ${s} has prev ${prev[s]}, expected ${p}`;
    if (++n > limit) return `list does not close after ${limit} entries`;
    p = s;
  }
  if (prev[head] !== p) return `head ${head} has prev ${prev[head]}, expected ${p}`;
  return null;
}
