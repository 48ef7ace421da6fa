// Kernel: include/linux/list.h — doubly linked circular lists, over Int32Array links (STYLE C7)
/*
 * A list is a set of slots in a pair of link arrays (`next`, `prev`), usually MemMap.lruNext/
 * lruPrev. The head is a slot of its own (a sentinel after the pages), so every list is circular
 * and add/del need no branch, as with the kernel's `struct list_head`. An entry that is on no
 * list has NIL (-1) links: list_del() writes them, as the kernel writes LIST_POISON1/2.
 *
 * Hot code: plain functions over numbers; no allocation, no closures.
 * Invariant (checked by listCheck): for every slot s on a list, next[prev[s]] == s and
 * prev[next[s]] == s, and walking next from the head returns to it.
 */
import { NIL_PAGE } from "./mm-types.ts";

/** Makes `head` an empty list. Kernel: `INIT_LIST_HEAD()`. */
export function listInit(next: Int32Array, prev: Int32Array, head: number): void {
  next[head] = head;
  prev[head] = head;
}

/** Inserts `entry` right after `head` (stack order). Kernel: `list_add()`. */
export function listAdd(next: Int32Array, prev: Int32Array, entry: number, head: number): void {
  const first = next[head]!;
  next[entry] = first;
  prev[entry] = head;
  prev[first] = entry;
  next[head] = entry;
}

/** Inserts `entry` right before `head` (queue order). Kernel: `list_add_tail()`. */
export function listAddTail(next: Int32Array, prev: Int32Array, entry: number, head: number): void {
  const last = prev[head]!;
  next[entry] = head;
  prev[entry] = last;
  next[last] = entry;
  prev[head] = entry;
}

/** Unlinks `entry` and poisons its links (NIL). Kernel: `list_del()`. */
export function listDel(next: Int32Array, prev: Int32Array, entry: number): void {
  const n = next[entry]!;
  const p = prev[entry]!;
  next[p] = n;
  prev[n] = p;
  next[entry] = NIL_PAGE;
  prev[entry] = NIL_PAGE;
}

/** Unlinks `entry` and makes it an empty list of its own. Kernel: `list_del_init()`. */
export function listDelInit(next: Int32Array, prev: Int32Array, entry: number): void {
  const n = next[entry]!;
  const p = prev[entry]!;
  next[p] = n;
  prev[n] = p;
  next[entry] = entry;
  prev[entry] = entry;
}

/** Moves `entry` from its list to right after `head`. Kernel: `list_move()`. */
export function listMove(next: Int32Array, prev: Int32Array, entry: number, head: number): void {
  const n = next[entry]!;
  const p = prev[entry]!;
  next[p] = n;
  prev[n] = p;
  listAdd(next, prev, entry, head);
}

/** Moves `entry` from its list to right before `head`. Kernel: `list_move_tail()`. */
export function listMoveTail(next: Int32Array, prev: Int32Array, entry: number, head: number): void {
  const n = next[entry]!;
  const p = prev[entry]!;
  next[p] = n;
  prev[n] = p;
  listAddTail(next, prev, entry, head);
}

/** True when the list has no entries. Kernel: `list_empty()`. */
export function listEmpty(next: Int32Array, head: number): boolean {
  return next[head] === head;
}

/** True when the list has exactly one entry. Kernel: `list_is_singular()`. */
export function listIsSingular(next: Int32Array, prev: Int32Array, head: number): boolean {
  const first = next[head]!;
  return first !== head && first === prev[head];
}

/** True when `entry` is the last one before `head`. Kernel: `list_is_last()`. */
export function listIsLast(next: Int32Array, entry: number, head: number): boolean {
  return next[entry] === head;
}

/** First entry, or NIL if empty. Kernel: `list_first_entry_or_null()`. */
export function listFirst(next: Int32Array, head: number): number {
  const first = next[head]!;
  return first === head ? NIL_PAGE : first;
}

/** Last entry, or NIL if empty. Kernel: `list_last_entry()` (with an emptiness check). */
export function listLast(prev: Int32Array, head: number): number {
  const last = prev[head]!;
  return last === head ? NIL_PAGE : last;
}

/** True when `entry` is linked into some list (its links are not NIL). */
export function listLinked(next: Int32Array, entry: number): boolean {
  return next[entry] !== NIL_PAGE;
}

/**
 * Joins the entries of `list` right after `head`, and leaves `list` empty.
 * Kernel: `list_splice_init()`.
 */
export function listSpliceInit(next: Int32Array, prev: Int32Array, list: number, head: number): void {
  const first = next[list]!;
  if (first === list) return;
  const last = prev[list]!;
  const at = next[head]!;
  prev[first] = head;
  next[head] = first;
  next[last] = at;
  prev[at] = last;
  next[list] = list;
  prev[list] = list;
}

/**
 * Joins the entries of `list` right before `head` (at the tail), and leaves `list` empty.
 * Kernel: `list_splice_tail_init()`.
 */
export function listSpliceTailInit(next: Int32Array, prev: Int32Array, list: number, head: number): void {
  const first = next[list]!;
  if (first === list) return;
  const last = prev[list]!;
  const at = prev[head]!;
  prev[first] = at;
  next[at] = first;
  next[last] = head;
  prev[head] = last;
  next[list] = list;
  prev[list] = list;
}
