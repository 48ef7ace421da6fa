// mmsim: an example out-of-tree module, loaded from a file — a memory balloon (cf. drivers/virtio/virtio_balloon.c: the guest gives pages back to the host and takes them again)
/*
 * What a package contributes to a machine, all four kinds in one file, with no change to
 * @mmsim/machine — copy it to start a module of your own:
 *
 *   - a workload step   `balloon_inflate: { pages, cpu }`: take order-0 pages from the page
 *                       allocator into the balloon (the host asked for them back);
 *   - a sysctl          `vm.balloon_deflate_pages`: how many pages the balloon thread gives
 *                       back each period (0: it keeps them);
 *   - a kernel thread   `balloond`, every BALLOON_PERIOD_NS of simulated time: deflates the
 *                       balloon by vm.balloon_deflate_pages pages (free_pages to the allocator);
 *   - a file            `/sys/kernel/debug/balloon/stats`: pages held, inflated and deflated, runs;
 *   - (and a figure for `mmsim compare`: the pages the balloon holds at the end.)
 *
 * It also counts what 6.1's balloon counts, through the machine's vmstat service (VM_STAT), so
 * /proc/vmstat shows it: balloon_page_enqueue() does __count_vm_event(BALLOON_INFLATE) per page
 * taken and balloon_page_list_dequeue() __count_vm_event(BALLOON_DEFLATE) per page given back
 * (mm/balloon_compaction.c, v6.1). 6.1 has no nr_balloon_pages counter (newer kernels do).
 *
 * Use it:   kernel: { modules: [./examples/balloon/balloon.mjs] }   (or --set kernel.modules=[…])
 * and see examples/scenarios/balloon.yaml. Everything reaches the kernel through @mmsim/core:
 * the PageAllocator interface, the VM_STAT service and the contribution tokens (KernelFile,
 * KernelThread).
 */
import {
  BALLOON_DEFLATE, BALLOON_INFLATE, CompareMetric, GFP_KERNEL, INT_MAX, KernelFile, KernelThread, NIL_PFN, PageAllocator, VM_STAT, cpuField,
  defineStep, defineSysctl, int, parseSysctlInt, resolveToken, token, z,
} from "@mmsim/core";
import { instanceCachingFactory } from "tsyringe";

/** The balloon thread's period: one second of simulated time (virtio_balloon works from a workqueue). */
export const BALLOON_PERIOD_NS = 1_000_000_000;

/** One machine's balloon: the pages it holds and its counters. */
export class Balloon {
  /**
   * @param {import("@mmsim/core").PageAllocator} pages
   * @param {import("@mmsim/core").VmStat} vmstat
   */
  constructor(pages, vmstat) {
    this.pages = pages;
    this.vmstat = vmstat;
    /** PFNs held, newest last. */
    this.pfns = [];
    this.inflated = 0;
    this.deflated = 0;
    this.failed = 0;
    this.runs = 0;
    /** vm.balloon_deflate_pages */
    this.deflatePages = 0;
  }

  /** fill_balloon(): take `n` pages (GFP_KERNEL here; the driver uses GFP_HIGHUSER_MOVABLE | __GFP_NOMEMALLOC). */
  inflate(n, cpu) {
    for (let i = 0; i < n; i++) {
      const pfn = this.pages.allocPages(GFP_KERNEL, 0, cpu);
      if (pfn === NIL_PFN) {
        this.failed++;
        return false;
      }
      this.pfns.push(pfn);
      this.inflated++;
      this.vmstat.countVmEvent(BALLOON_INFLATE); // balloon_page_enqueue_one()
    }
    return true;
  }

  /** leak_balloon(): give back up to `n` pages, newest first. */
  deflate(n, cpu) {
    for (let i = 0; i < n && this.pfns.length > 0; i++) {
      this.pages.freePages(this.pfns.pop(), 0, cpu);
      this.deflated++;
      this.vmstat.countVmEvent(BALLOON_DEFLATE); // balloon_page_list_dequeue()
    }
  }
}

/** The balloon of one machine (registered per machine container). */
export const BALLOON = token("example.Balloon");

/** vm.balloon_deflate_pages: an integer ≥ 0, as proc_dointvec_minmax with extra1 = SYSCTL_ZERO checks it. */
const deflateSysctl = defineSysctl({
  dir: "vm",
  procname: "balloon_deflate_pages",
  type: "integer",
  doc: "pages balloond gives back each second (example module)",
  parse: (v) => parseSysctlInt(v, 0, INT_MAX, "pages"),
  service: BALLOON,
  write: (b, v) => {
    if (typeof v !== "number" || v < 0) return -22; // -EINVAL
    b.deflatePages = v;
    return 0;
  },
  read: (b) => `${b.deflatePages}\n`,
});

/** balloon_inflate: { pages, cpu: 0 }. A failed page allocation is counted, not an error. */
const inflateStep = defineStep({
  kind: "balloon_inflate",
  doc: "- balloon_inflate: { pages, cpu: 0 }   (example module) take pages into the balloon",
  schema: z.strictObject({
    pages: int(1, INT_MAX, "a number of pages"),
    cpu: cpuField().default(0),
  }),
  make: (d, ctx) => ({ kind: "balloon_inflate", line: ctx.line, pages: d.pages, cpu: d.cpu }),
  check: (step, ctx) => ctx.checkCpu(step.cpu, ["cpu"]),
  run(step, ctx) {
    if (!ctx.resolve(BALLOON).inflate(step.pages, step.cpu)) ctx.failedAlloc("balloon");
  },
});

/** The example's module: its default export, as kernel.modules loads it. */
export default {
  slot: "balloon",
  name: "balloon",
  description: "example out-of-tree module: a memory balloon with a step, a sysctl, a kernel thread and a debugfs file",
  register(container) {
    container.register(BALLOON, { useFactory: instanceCachingFactory((c) => new Balloon(resolveToken(c, PageAllocator), resolveToken(c, VM_STAT))) });
    container.register(KernelThread, {
      useFactory: (c) => {
        const b = resolveToken(c, BALLOON);
        return {
          name: "balloond",
          periodNs: BALLOON_PERIOD_NS,
          perCpu: false,
          run: () => {
            b.runs++;
            b.deflate(b.deflatePages, 0);
          },
        };
      },
    });
    container.register(KernelFile, {
      useFactory: (c) => {
        const b = resolveToken(c, BALLOON);
        return {
          path: "/sys/kernel/debug/balloon/stats",
          read: () => `held ${b.pfns.length}\ninflated ${b.inflated}\ndeflated ${b.deflated}\nfailed ${b.failed}\nruns ${b.runs}\n`,
        };
      },
    });
    container.register(CompareMetric, {
      useFactory: (c) => ({ key: "balloonPages", rank: 200, label: "balloon pages held", sample: () => resolveToken(c, BALLOON).pfns.length }),
    });
  },
  steps: [inflateStep],
  sysctls: [deflateSysctl],
};
