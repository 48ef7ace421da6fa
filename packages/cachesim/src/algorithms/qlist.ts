// mmsim: circular doubly-linked queues over Int32Array links, with sentinel slots (no kernel counterpart; cf. include/linux/list.h)
/*
 * The kernel's list_head over typed arrays, as core's list.ts has it for struct page: slot `h`
 * (0 ≤ h < heads) is the sentinel of queue h, slot heads + obj is object obj, `next[h]` is
 * the queue's head (the newest) and `prev[h]` its tail (the oldest). An object slot with
 * prev = -1 is on no queue. libCacheSim's q_head/q_tail lists map one to one: its "prepend to
 * head" is qAddHead, its q_tail is prev[h], its `obj->queue.prev` (towards the head) is
 * prev[x] — the sentinel there means the object is the head.
 */

/** Links `x` at the head of queue `h`. */
export function qAddHead(next: Int32Array, prev: Int32Array, h: number, x: number): void {
  const first = next[h]!;
  next[x] = first;
  prev[x] = h;
  prev[first] = x;
  next[h] = x;
}

/** Unlinks `x` (prev[x] becomes -1). */
export function qDel(next: Int32Array, prev: Int32Array, x: number): void {
  const n = next[x]!;
  const p = prev[x]!;
  next[p] = n;
  prev[n] = p;
  prev[x] = -1;
}

/** Moves `x` to the head of queue `h`. */
export function qMoveHead(next: Int32Array, prev: Int32Array, h: number, x: number): void {
  const n = next[x]!;
  const p = prev[x]!;
  next[p] = n;
  prev[n] = p;
  const first = next[h]!;
  next[x] = first;
  prev[x] = h;
  prev[first] = x;
  next[h] = x;
}

/** Empty queues 0 … heads-1, object slots unlinked, for `slots` slots. */
export function qAlloc(heads: number, slots: number): { next: Int32Array<ArrayBuffer>; prev: Int32Array<ArrayBuffer> } {
  const next = new Int32Array(slots);
  const prev = new Int32Array(slots).fill(-1);
  for (let h = 0; h < heads; h++) {
    next[h] = h;
    prev[h] = h;
  }
  return { next, prev };
}

/**
 * Walks queue h: the links must close, and there must be `count` members, each satisfying
 * `member(obj)`; returns the problems found.
 */
export function qCheck(next: Int32Array, prev: Int32Array, heads: number, h: number, count: number, name: string, member: (obj: number) => boolean): string[] {
  const problems: string[] = [];
  let n = 0;
  let x = next[h]!;
  let last = h;
  while (x !== h) {
    if (prev[x] !== last) {
      problems.push(`${name}: broken link before object ${x - heads}`);
      break;
    }
    if (!member(x - heads)) problems.push(`${name}: object ${x - heads} is on the queue but not marked as on it`);
    n++;
    if (n > next.length) {
      problems.push(`${name}: the queue does not close`);
      break;
    }
    last = x;
    x = next[x]!;
  }
  if (prev[h] !== last) problems.push(`${name}: the tail link is wrong`);
  if (n !== count) problems.push(`${name}: ${n} objects on the queue, counter says ${count}`);
  return problems;
}
