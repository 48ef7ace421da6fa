// mmsim: the swap workload steps — swapon, swapoff, mkswap, and zram (what util-linux's swapon/swapoff/mkswap and zramctl do through the kernel's syscalls and sysfs; no kernel counterpart)
/*
 *   - mkswap: { path: /dev/zram0 }                       a version-1 swap header over the whole device
 *   - swapon: { path: /dev/zram0, priority: 100, discard: pages, expect: EBUSY }
 *   - swapoff: { path: /dev/zram0, expect: ENOMEM }
 *   - zram: { size: 512M, priority: 100, algorithm: lzo-rle }   = the capture tool's --zram 512M:
 *       comp_algorithm, disksize, mkswap /dev/zram0, swapon /dev/zram0
 *   - swap_disk: { size: 1G, rotational: true, priority: 10, swapon: true }   a blank virtio disk
 *       plugged into the board (QEMU's `device_add virtio-blk-pci`: virtblk_probe names it vdb after
 *       the machine's vda, vda on a machine without machine.disk), then mkswap and swapon on it
 *       (swapon: false leaves that to later steps; rotational: false is `echo 0 >
 *       /sys/block/vdb/queue/rotational` before swapon)
 *
 * A failing swapon/swapoff stops the run with the errno and the man page's reason, unless the
 * step says which errno it expects (`expect`), as a test of the failure would.
 */
import { errname, type StepRunContext, MISSING, absPath, checked, defineStep, describeValue, int, sizeField, z } from "@mmsim/core";
import { SWAP, type SwapService } from "./token.ts";
import { SWAP_FLAG_DISCARD, SWAP_FLAG_DISCARD_ONCE, SWAP_FLAG_DISCARD_PAGES, SWAP_FLAG_PREFER, SWAP_FLAG_PRIO_MASK } from "./swapfile.ts";
import { ZRAM_BACKENDS } from "./zram-drv.ts";

/** What each errno of swapon(2)/swapoff(2) means (their man pages). */
const REASONS: Readonly<Record<string, string>> = {
  "-EBUSY": "the device is already in use as a swap area (or otherwise claimed)",
  "-EINVAL": "not a swap area: no swap signature (run mkswap first), bad flags, or (swapoff) not an active swap area",
  "-ENOENT": "no such device or file",
  "-EPERM": "MAX_SWAPFILES (23) swap areas are already in use",
  "-ENOMEM": "not enough memory: swapoff must bring every swapped page back into RAM",
  "-EINTR": "swapoff could not reach every entry of the area (no page table or shmem file mmsim can walk holds them)",
};

/** The errno a step expects: a name (EBUSY, ENOMEM, …), or 0 for success written as a number or a string. */
const errnoField = checked<string>((v) => {
  if (v === 0 || v === "0") return { ok: "0" };
  if (typeof v === "string" && /^E[A-Z]+$/.test(v)) return { ok: v };
  return `expected an errno name like EBUSY or ENOMEM, or 0 for success, got ${describeValue(v)}`;
});

function finish(ctx: StepRunContext, what: string, err: number, expect: string | undefined): void {
  const got = err === 0 ? "0" : errname(err).slice(1);
  if (expect !== undefined) {
    if (got !== expect) ctx.failExpect(`${what}: expected ${expect}, got ${got === "0" ? "success" : got}`);
    else ctx.passExpect();
    return;
  }
  if (err !== 0) throw ctx.error(what, `${what} failed: ${errname(err)} (${REASONS[errname(err)] ?? "see the man page"})`);
}

function swapOf(ctx: StepRunContext): SwapService {
  return ctx.resolve(SWAP);
}

interface MkswapStep {
  readonly kind: "mkswap";
  readonly line?: number;
  readonly path: string;
}
export const mkswapStep = defineStep({
  kind: "mkswap",
  doc: "- mkswap: { path: /dev/zram0 }   writes a swap header over the whole device (util-linux mkswap: version 1, last_page = size/4K − 1)",
  schema: z.strictObject({ path: absPath }),
  make: (d, ctx): MkswapStep => ({ kind: "mkswap", line: ctx.line, path: d.path }),
  run(step: MkswapStep, ctx) {
    const err = swapOf(ctx).swap.mkswap(step.path);
    if (typeof err === "string") throw ctx.error(`mkswap ${step.path}`, err);
  },
});

interface SwaponStep {
  readonly kind: "swapon";
  readonly line?: number;
  readonly path: string;
  readonly flags: number;
  readonly expect?: string;
}
export const swaponStep = defineStep({
  kind: "swapon",
  doc: "- swapon: { path: /dev/zram0, priority: 100, discard: once|pages|both, expect: EBUSY }   swapon(2); priority 0..32767 (default: -2, -3, … in order)",
  schema: z.strictObject({
    path: absPath,
    priority: int(0, SWAP_FLAG_PRIO_MASK, "a priority 0..32767").optional(),
    discard: checked<string>((v) => (v === "once" || v === "pages" || v === "both" ? { ok: v } : `expected once, pages or both, got ${String(v)}`)).optional(),
    expect: errnoField.optional(),
  }),
  make(d, ctx): SwaponStep {
    let flags = 0;
    if (d.priority !== undefined) flags |= SWAP_FLAG_PREFER | d.priority;
    if (d.discard !== undefined) flags |= SWAP_FLAG_DISCARD | (d.discard === "once" ? SWAP_FLAG_DISCARD_ONCE : d.discard === "pages" ? SWAP_FLAG_DISCARD_PAGES : 0);
    return { kind: "swapon", line: ctx.line, path: d.path, flags, expect: d.expect };
  },
  run(step: SwaponStep, ctx) {
    finish(ctx, `swapon ${step.path}`, swapOf(ctx).swap.swapon(step.path, step.flags), step.expect);
  },
});

interface SwapoffStep {
  readonly kind: "swapoff";
  readonly line?: number;
  readonly path: string;
  readonly expect?: string;
}
export const swapoffStep = defineStep({
  kind: "swapoff",
  doc: "- swapoff: { path: /dev/zram0, expect: ENOMEM }   swapoff(2): every page on the area is read back first",
  schema: z.strictObject({ path: absPath, expect: errnoField.optional() }),
  make: (d, ctx): SwapoffStep => ({ kind: "swapoff", line: ctx.line, path: d.path, expect: d.expect }),
  run(step: SwapoffStep, ctx) {
    finish(ctx, `swapoff ${step.path}`, swapOf(ctx).swap.swapoff(step.path), step.expect);
  },
});

interface ZramStep {
  readonly kind: "zram";
  readonly line?: number;
  readonly size: number;
  readonly priority?: number;
  readonly algorithm?: string;
}
export const zramStep = defineStep({
  kind: "zram",
  doc: "- zram: { size: 512M, priority: 100, algorithm: lzo-rle }   zram0 as swap (the capture tool's --zram): comp_algorithm, disksize, mkswap, swapon",
  schema: z.strictObject({
    size: sizeField,
    priority: int(0, SWAP_FLAG_PRIO_MASK, "a priority 0..32767").optional(),
    algorithm: checked<string>((v) => (typeof v === "string" && ZRAM_BACKENDS.includes(v) ? { ok: v } : `expected one of ${ZRAM_BACKENDS.join(", ")}`)).optional(),
  }),
  make(d, ctx): ZramStep {
    if (d.size === undefined) throw ctx.error(["size"], MISSING);
    return { kind: "zram", line: ctx.line, size: d.size, priority: d.priority, algorithm: d.algorithm };
  },
  run(step: ZramStep, ctx) {
    const s = swapOf(ctx);
    const z0 = s.zram[0]!;
    if (step.algorithm !== undefined) finish(ctx, "echo > /sys/block/zram0/comp_algorithm", z0.writeAttr("comp_algorithm", step.algorithm) as number, undefined);
    finish(ctx, "echo > /sys/block/zram0/disksize", z0.setDisksize(String(step.size)), undefined);
    const err = s.swap.mkswap(z0.path);
    if (typeof err === "string") throw ctx.error("mkswap /dev/zram0", err);
    finish(ctx, "swapon /dev/zram0", s.swap.swapon(z0.path, step.priority !== undefined ? SWAP_FLAG_PREFER | step.priority : 0), undefined);
  },
});

interface SwapDiskStep {
  readonly kind: "swap_disk";
  readonly line?: number;
  readonly size: number;
  readonly rotational: boolean;
  readonly priority?: number;
  readonly swapon: boolean;
}
export const swapDiskStep = defineStep({
  kind: "swap_disk",
  doc: "- swap_disk: { size: 1G, rotational: true, priority: 10, swapon: true }   a blank virtio disk (vdb after the machine's vda) as swap: device_add, mkswap, swapon",
  schema: z.strictObject({
    size: sizeField,
    rotational: checked<boolean>((v) => (typeof v === "boolean" ? { ok: v } : `expected true or false, got ${String(v)}`)).optional(),
    priority: int(0, SWAP_FLAG_PRIO_MASK, "a priority 0..32767").optional(),
    swapon: checked<boolean>((v) => (typeof v === "boolean" ? { ok: v } : `expected true or false, got ${String(v)}`)).optional(),
  }),
  make(d, ctx): SwapDiskStep {
    if (d.size === undefined) throw ctx.error(["size"], MISSING);
    if (d.size % 4096 !== 0 || d.size < 40 * 1024) throw ctx.error(["size"], `a whole number of 4 KiB pages, at least 40K (mkswap's minimum), got ${d.size} bytes`);
    return { kind: "swap_disk", line: ctx.line, size: d.size, rotational: d.rotational ?? true, priority: d.priority, swapon: d.swapon ?? true };
  },
  run(step: SwapDiskStep, ctx) {
    const s = swapOf(ctx);
    const disk = s.addDisk(step.size, step.rotational);
    if (!step.swapon) return;
    const err = s.swap.mkswap(disk.path);
    if (typeof err === "string") throw ctx.error(`mkswap ${disk.path}`, err);
    finish(ctx, `swapon ${disk.path}`, s.swap.swapon(disk.path, step.priority !== undefined ? SWAP_FLAG_PREFER | step.priority : 0), undefined);
  },
});

export const SWAP_STEPS = Object.freeze([mkswapStep, swaponStep, swapoffStep, zramStep, swapDiskStep]);
