// mmsim: a Vfs over a page-allocator double for the package's tests, and user buffers that carry content identities
import { VmStat } from "@mmsim/core";
import { CollectingSink, FakePageAllocator } from "@mmsim/core/testing";
import { expect } from "vitest";
import { type UserBuffer } from "./fs.ts";
import { FilesStruct } from "./file.ts";
import { vfsInit } from "./namespace.ts";
import { type MappingUnmapper, type Vfs } from "./vfs.ts";
import { validateFilemap } from "./validate.ts";

/** A booted Vfs over `nrPages` frames (256 MiB by default); pid 1 has an empty fd table. */
export function testVfs(opts: { nrPages?: number; totalramPages?: number; unmapper?: MappingUnmapper } = {}) {
  const pages = new FakePageAllocator(0x40000, opts.nrPages ?? 65536);
  const vmstat = new VmStat(1);
  const total = opts.totalramPages ?? opts.nrPages ?? 65536;
  const vfs = vfsInit({ mem: pages.mem, pages, vmstat, totalramPages: () => total, unmapper: opts.unmapper });
  const files = new FilesStruct();
  vfs.files.set(1, files);
  return { vfs, pages, vmstat, files, mem: pages.mem };
}

/** Fails the test on any broken invariant of the page cache or the VFS. */
export function expectValid(vfs: Vfs): void {
  const sink = new CollectingSink();
  validateFilemap(vfs, sink);
  expect(sink.problems).toEqual([]);
}

/** A user buffer whose every byte holds `identity` (a write's source), recording what reads land in it. */
export class TestBuffer implements UserBuffer {
  readonly landed: [number, number, number][] = [];
  faultAt = Number.POSITIVE_INFINITY;
  constructor(public identity = 0) {}
  readContent(off: number): number {
    return off >= this.faultAt ? -1 : this.identity;
  }
  writeContent(off: number, bytes: number, identity: number): boolean {
    if (off >= this.faultAt) return false;
    this.landed.push([off, bytes, identity]);
    return true;
  }
}
