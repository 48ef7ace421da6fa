// mmsim: the BootPageSink contract — what memblock may rely on from any page allocator's boot entry points
import { expect } from "vitest";
import type { BootPageSink } from "../policies/boot-page-sink.ts";
import { MAX_ORDER_NR_PAGES } from "../mmzone.ts";
import { describeContract, type ContractCase } from "./contract.ts";

/**
 * A BootPageSink under test, with the probes the contract reads. `freePages()` is what the
 * allocator counts as free (NR_FREE_PAGES), `basePfn`/`endPfn` the PFN range the subject was
 * built for (at least 4 MiB, starting at a 4 MiB-aligned PFN).
 */
export interface BootPageSinkSubject {
  readonly sink: BootPageSink;
  readonly basePfn: number;
  readonly endPfn: number;
  freePages(): number;
  /** Validated after each case when present. */
  readonly validatable?: unknown;
}

const cases: readonly ContractCase<BootPageSinkSubject>[] = Object.freeze([
  {
    name: "counts the pages of every block it is given",
    run(s) {
      const before = s.freePages();
      s.sink.memblockFreePages(s.basePfn, 10);
      s.sink.memblockFreePages(s.basePfn + 1024, 0);
      s.sink.memblockFreePages(s.basePfn + 1026, 1);
      expect(s.freePages() - before).toBe(1024 + 1 + 2);
    },
  },
  {
    name: "accepts every order from 0 to MAX_ORDER-1 at naturally aligned PFNs",
    run(s) {
      let pfn = s.basePfn;
      let total = 0;
      for (let order = 10; order >= 0; order--) {
        s.sink.memblockFreePages(pfn, order);
        pfn += 2 ** order;
        total += 2 ** order;
      }
      expect(s.freePages()).toBe(total);
      expect(total).toBe(MAX_ORDER_NR_PAGES * 2 - 1);
    },
  },
  {
    name: "a reserved range adds no free pages",
    run(s) {
      const before = s.freePages();
      s.sink.reserveBootmemRegion(s.basePfn * 4096, (s.basePfn + 16) * 4096);
      expect(s.freePages()).toBe(before);
    },
  },
]);

/**
 * Runs the BootPageSink contract against one implementation.
 * @param make builds a fresh subject for each case
 */
export function describeBootPageSink(implName: string, make: () => BootPageSinkSubject): void {
  describeContract("BootPageSink", implName, make, cases, (s) => s.validatable ?? s.sink);
}
