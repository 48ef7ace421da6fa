// mmsim: a Vfs and a Swap over a page-allocator double for the package's tests
import { CostModel, KernelLog, Prandom, SimClock, VmStat, type ValidationSink } from "@mmsim/core";
import { CollectingSink, FakePageAllocator } from "@mmsim/core/testing";
import { FilesStruct, vfsInit, validateFilemap } from "@mmsim/filemap";
import { expect } from "vitest";
import { Swap } from "./swapfile.ts";
import { validateSwap } from "./validate.ts";
import { Zram } from "./zram-drv.ts";

/** A booted Vfs, its Swap with zram0 (and zram1), over `nrPages` frames (256 MiB by default). */
export function testSwap(opts: { nrPages?: number; nrCpus?: number } = {}) {
  const pages = new FakePageAllocator(0x40000, opts.nrPages ?? 65536);
  const vmstat = new VmStat(1);
  const total = opts.nrPages ?? 65536;
  const vfs = vfsInit({ mem: pages.mem, pages, vmstat, totalramPages: () => total });
  const files = new FilesStruct();
  vfs.files.set(1, files);
  const clock = new SimClock();
  const cost = new CostModel();
  const log = new KernelLog(clock);
  const nrCpus = opts.nrCpus ?? 2;
  const swap = new Swap({ mem: pages.mem, pages, vmstat, vfs, clock, cost, rng: new Prandom(42), log, nrCpus });
  const env = { mem: pages.mem, pages, vmstat, clock, cost, contents: () => vfs.contents, cpu: () => swap.cpu(), nrCpus };
  const zram0 = new Zram(0, env);
  const zram1 = new Zram(1, env);
  swap.registerDevice(zram0);
  swap.registerDevice(zram1);
  vfs.swap = swap;
  return { vfs, pages, vmstat, files, mem: pages.mem, swap, zram0, zram1, clock, log };
}

/** zram `z` sized, mkswap'd and swapped on with `flags`. */
export function zramSwapon(swap: Swap, z: Zram, size: string, flags = 0): void {
  expect(z.setDisksize(size)).toBe(0);
  expect(swap.mkswap(z.path)).toBe(0);
  expect(swap.swapon(z.path, flags)).toBe(0);
}

/** Fails the test on any broken invariant of swap or the page cache. */
export function expectValid(swap: Swap): void {
  const sink: ValidationSink & { problems: unknown[] } = new CollectingSink();
  validateSwap(swap, sink);
  validateFilemap(swap.vfs, sink);
  expect(sink.problems).toEqual([]);
}
