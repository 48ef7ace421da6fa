// Kernel: drivers/block/virtio_blk.c (virtblk_probe), block/genhd.c (/proc/diskstats, /sys/block/<disk>/), fs/fs-writeback.c (the flusher's delayed work), init/do_mounts.c as a board's fstab would mount it (v6.1) — the machine's disk: a scenario's machine.disk as vda, mounted, with its files and flusher
/*
 * A scenario that declares `machine.disk` gets a virtio disk vda (254:0) holding an ext2 image of
 * the declared files, mounted at `machine.disk.mount` (default /mnt/disk) once the VFS exists at
 * the end of boot (@mmsim/filemap's attachDisk). This module adds what the machine serves for it:
 * /proc/diskstats and /sys/block/vda/ (stat, inflight, dev, size, queue/*), meminfo's Buffers
 * (the bdev mapping's pages), the flusher as a kernel thread woken when its delayed work is due
 * (wb.workAt, dirty_writeback_centisecs after the first inode is dirtied), and the disk's
 * validator. Machines without a disk register nothing, so their runs are unchanged.
 *
 * The I/O time a task waits for is charged to it by advancing the simulated clock inside its
 * step (the task engine can block a task only between steps): a read that misses takes the time
 * its bio needs to complete, a cached one none. Bios the task does not wait for (async
 * readahead, the flusher's writes) complete on the clock and are reaped before each step.
 */
import { CONTENT_ZERO_ID, contentFill, contentText } from "@mmsim/fault";
import {
  type CostModel, KernelFile, KernelThread, type SimClock, Validator, type ValidationSink, resolveToken,
} from "@mmsim/core";
import type { DiskContents } from "@mmsim/block";
import { type Disk, type Vfs, attachDisk } from "@mmsim/filemap";
import type { DependencyContainer } from "tsyringe";
import { SWAP } from "@mmsim/swap";
import type { DiskDeclaration } from "./scenario-types.ts";

/**
 * mmsim's view of the disk's cost to the tasks: `now_ns` (the simulated clock) and `iowait_ns`
 * (the time tasks spent waiting for the disk: reads that missed the page cache, fsync). A
 * learner compares two reads with it; the kernel's nearest figures are delayacct's blkio delay
 * and /proc/stat's iowait.
 */
export const DISK_DEBUG_FILE = "/sys/kernel/debug/mmsim/disk";

/** The /sys/block/vda/ files served (the device's attributes, block's sysfsFile). */
const SYSFS_FILES = Object.freeze([
  "stat", "inflight", "dev", "size", "ro", "removable", "queue/logical_block_size", "queue/physical_block_size", "queue/hw_sector_size",
  "queue/minimum_io_size", "queue/max_sectors_kb", "queue/max_hw_sectors_kb", "queue/max_segments", "queue/nr_requests", "queue/read_ahead_kb",
  "queue/rotational", "queue/scheduler", "queue/write_cache",
]);

/** 32-bit FNV-1a of a text's name: the id of its content identity. */
function textId(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * The content identity of page `index` of image file `ino` (the page-contents model): zeros, a
 * fill, a named text, or random bytes — a fixed identity per (inode, page), from ids at 2^40 and
 * above, which the machine's counter of random writes never reaches, so a page read twice (after
 * drop_caches) holds the same bytes and no two random pages are equal.
 */
export function diskContentOf(c: DiskContents, ino: number, index: number): number {
  switch (c.kind) {
    case "zero":
      return CONTENT_ZERO_ID;
    case "fill":
      return contentFill(c.value);
    case "text":
      return contentText(textId(c.text), c.compressibility);
    case "random":
      return ((2 ** 40 + ino * 2 ** 24 + index) * 512 + 256) * 8 + 2;
  }
}

/** The machine's disk, made at the end of boot. */
export class MachineDisk {
  disk: Disk | null = null;
  /** Simulated ns tasks have waited for the disk (reads that missed, fsync): the kernel's delayacct blkio_delay, summed. */
  iowaitNs = 0;

  constructor(
    readonly decl: DiskDeclaration,
    private readonly clock: SimClock,
    private readonly cost: CostModel,
  ) {}

  /** Its kernel files, the flusher thread and the validator (registered before boot; they act once the disk exists). */
  register(c: DependencyContainer): void {
    c.register(KernelFile, {
      useValue: {
        path: "/sys/block/vda/",
        list: () => (this.disk === null ? [] : SYSFS_FILES.map((f) => `/sys/block/vda/${f}`)),
        read: (path: string) => {
          if (this.disk === null) return undefined;
          const dev = this.reaped().dev;
          const f = path.slice("/sys/block/vda/".length);
          if (f === "stat") return dev.statFile(this.clock.now());
          if (f === "inflight") return dev.inflightFile(this.clock.now());
          return dev.sysfsFile(f);
        },
      },
    });
    c.register(KernelFile, {
      useValue: {
        path: DISK_DEBUG_FILE,
        read: () => (this.disk === null ? undefined : `now_ns ${this.clock.now()}\niowait_ns ${this.iowaitNs}\n`),
      },
    });
    c.register(KernelThread, {
      useValue: {
        name: "wb_workfn",
        periodNs: 0,
        perCpu: false,
        pending: () => this.disk !== null && this.disk.flusherPending(),
        run: () => {
          this.disk?.flusherRun();
        },
      },
    });
    c.register(Validator, {
      useValue: {
        name: "disk",
        validate: (sink: ValidationSink) => {
          if (this.disk === null) return;
          this.disk.dev.validate(sink);
          this.disk.wb.validate(sink);
        },
      },
    });
  }

  /** vda's line of /proc/diskstats ("" before boot made it). */
  diskstatsLine(): string {
    return this.disk === null ? "" : this.reaped().dev.diskstatsLine(this.clock.now());
  }

  /** Mounts the disk on the machine's VFS (the end of boot). */
  attach(vfs: Vfs, totalreservePages: () => number, nrCpus: number): void {
    const clock = this.clock;
    const r = attachDisk(vfs, this.decl.spec, this.cost, {
      now: () => clock.now(),
      wait: (ns) => {
        const d = ns - clock.now();
        if (d > 0) {
          clock.advance(d);
          this.iowaitNs += d;
        }
      },
      contentOf: diskContentOf,
      totalreservePages,
    }, this.decl.mount);
    if (typeof r === "number") throw new Error(`machine.disk: mounting the disk on ${this.decl.mount} failed (${r}): is a file in the way on the rootfs?`);
    r.nrCpus = nrCpus;
    this.disk = r;
  }

  /** Pages of the block device's page cache (meminfo Buffers). */
  nrBlockdevPages(): number {
    return this.disk?.nrBlockdevPages() ?? 0;
  }

  private reaped(): Disk {
    this.disk!.reap();
    return this.disk!;
  }
}

/**
 * /proc/diskstats: every disk, in the order its driver registered it — vda (virtio_blk probed the
 * board's disk at boot), zram0 (the zram module, loaded after boot), then swap disks hot-added by
 * the workload (vdb, …). Kernel: `diskstats_show` over block_class's devices. zram0 is always there
 * (as /sys/block/zram0 is), so every machine with swap has the file.
 */
export function diskstatsShow(disk: MachineDisk | undefined, c: DependencyContainer, now: number): string | undefined {
  let out = disk?.diskstatsLine() ?? "";
  if (c.isRegistered(SWAP, true)) {
    const made = resolveToken(c, SWAP);
    for (const z of made.zram) out += z.diskstatsLine();
    for (const d of made.disks) {
      d.reap();
      out += d.dev.diskstatsLine(now);
    }
  }
  return out === "" ? undefined : out;
}
