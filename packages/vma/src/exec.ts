// Kernel: fs/exec.c (bprm_mm_init, __bprm_mm_init, copy_strings, begin_new_exec, exec_mmap, setup_new_exec, setup_arg_pages, shift_arg_pages), fs/binfmt_elf.c (load_elf_binary, elf_map, set_brk, padzero, create_elf_tables), mm/util.c (arch_pick_mmap_layout, mmap_base, arch_mmap_rnd, randomize_stack_top, arch_randomize_brk, randomize_page), mm/mmap.c (insert_vm_struct, __install_special_mapping), arch/arm64/kernel/vdso.c (__setup_additional_pages), arch/arm64/kernel/process.c (arch_align_stack) (v6.1) — execve of a static arm64 ELF
/*
 * What execve() leaves in a new mm, in the kernel's order:
 *
 *   bprm_mm_init      a one-page stack VMA at STACK_TOP_MAX (VM_STACK_FLAGS |
 *                     VM_STACK_INCOMPLETE_SETUP), total_vm = stack_vm = 1
 *   copy_strings      filename, envp, argv copied below STACK_TOP_MAX - 8; the VMA grows down
 *                     over the pages written (get_arg_page → expand_stack), faulted in
 *   begin_new_exec    exec_mmap: the old mm's RSS batch is folded, the task switches to the
 *                     new mm, the old one is mmput (the point of no return); comm = basename
 *   setup_new_exec    arch_pick_mmap_layout: mmap_base = PAGE_ALIGN(STACK_TOP - gap - rnd) with
 *                     gap = rlimit(STACK) + stack_guard_gap (+ STACK_RND_MASK pages when
 *                     randomizing) clamped to [128 MiB, STACK_TOP / 6 * 5]
 *   setup_arg_pages   stack_top = randomize_stack_top(STACK_TOP); the VMA is moved there
 *                     (shift_arg_pages), then grown by 128 KiB (stack_expand)
 *   PT_LOAD segments  elf_map: MAP_PRIVATE | MAP_FIXED_NOREPLACE of the file pages that hold
 *                     each segment; set_brk: the bss beyond the file pages (vm_brk_flags);
 *                     start_brk = brk = the bss end; padzero clears the rest of the last file page
 *   vvar, vdso        __setup_additional_pages: get_unmapped_area of 3 pages, top-down from
 *                     mmap_base: [vvar] (2 pages: VVAR_NR_PAGES with CONFIG_TIME_NS), [vdso] (1)
 *   create_elf_tables platform string, AT_RANDOM bytes, auxv, envp, argv, argc: mm->start_stack
 *   brk               with randomize_va_space 2: start_brk = brk = randomize_page(brk, 1 GiB)
 *
 * With kernel.randomize_va_space 0 on the reference (48-bit VA, 8 MiB stack rlimit):
 * mmap_base = 2^48 - 128 MiB, [vvar] at 0xfffff7ffd000, [vdso] at 0xfffff7fff000, and the stack
 * [0xfffffffdf000, 0x1000000000000) for a program whose strings fit one page. The random
 * offsets come from the machine's seeded RNG in the kernel's order (mmap rnd, stack rnd,
 * arch_align_stack, brk rnd), masked as the kernel masks get_random_long().
 *
 * The mm/mmap.c pieces are this package's own, through the machine's MmapContext: elf_map is
 * do_mmap (MAP_PRIVATE | MAP_FIXED_NOREPLACE), set_brk is vm_brk_flags, the stack grows by
 * expand_stack, [vvar]/[vdso] are placed by get_unmapped_area, and the commit charges go to
 * the context's VmOvercommit; the stack guard gap, RLIMIT_STACK and mmap_min_addr are the
 * context's. PROT_BTI (an image with the BTI property) maps to nothing on the reference
 * Cortex-A57, as arch_calc_vm_prot_bits does without system_supports_bti(). Not modelled: dynamic ELFs (an interpreter, ET_DYN load bias), personality
 * flags other than ADDR_NO_RANDOMIZE, the temporary charge of argument pages to the old mm
 * (acct_arg_size, undone before exec returns), and the page-cache side of the ELF's file pages
 * (padzero's write fault needs the files mechanism: `ExecEnv.fileBackedFaults`).
 */
import { ArgumentError, E2BIG, EFAULT, ENOMEM, type Rng, describeValue } from "@mmsim/core";
import { freePgdRange, vmGetPageProt } from "@mmsim/hw-arm64";
import { type MmEnv, mmAlloc, mmput, syncMmRss } from "./fork.ts";
import type { MmapContext } from "./mmap-context.ts";
import { type MmStruct, type TaskStruct, VmAreaStruct, type VmFile, type VmSpecialMapping } from "./mm-types.ts";
import { vmStatAccount } from "./mm-util.ts";
import { doMmap, expandStack, getUnmappedArea, vmBrkFlags } from "./mmap.ts";
import {
  MAP_FIXED_NOREPLACE, MAP_PRIVATE, PROT_EXEC, PROT_READ, PROT_WRITE, VM_ACCOUNT, VM_ARCH_1, VM_DONTEXPAND, VM_EXEC, VM_MAYEXEC, VM_MAYREAD, VM_MAYWRITE, VM_PFNMAP,
  VM_RAND_READ, VM_READ, VM_SEQ_READ, VM_SHARED, VM_SOFTDIRTY, VM_STACK, VM_WRITE,
} from "./vm-flags.ts";

const PAGE_SIZE = 4096;
const PAGE_SHIFT = 12;
const SZ_128K = 128 * 1024;
const SZ_128M = 128 * 1024 * 1024;
/** arch_randomize_brk's range for a 64-bit task: SZ_1G = 2^30 (randomize_page draws 2^(30-12) pages). */
const BRK_RND_SHIFT = 30;
const pageAlign = (x: number): number => Math.ceil(x / PAGE_SIZE) * PAGE_SIZE;
const pageStart = (x: number): number => Math.floor(x / PAGE_SIZE) * PAGE_SIZE;
const pageOffset = (x: number): number => x % PAGE_SIZE;

// --- ELF program headers (include/uapi/linux/elf.h) ------------------------------------------

/** p_flags bits. Kernel: `PF_X`, `PF_W`, `PF_R`. */
export const PF_X = 0x1;
export const PF_W = 0x2;
export const PF_R = 0x4;

/** One PT_LOAD program header (what `readelf -lW` prints for a LOAD line). */
export interface ElfLoadSegment {
  readonly vaddr: number;
  readonly offset: number;
  readonly filesz: number;
  readonly memsz: number;
  /** PF_R | PF_W | PF_X. */
  readonly flags: number;
}

/** A static arm64 ELF executable (ET_EXEC, no PT_INTERP) as load_elf_binary sees it. */
export interface ProgramImage {
  /** The path execve() was given (bprm->filename: AT_EXECFN, comm's basename, maps' path). */
  readonly path: string;
  /** The file's device (major, minor) and inode number, as maps prints them. */
  readonly dev: readonly [number, number];
  readonly ino: number;
  /** e_entry. */
  readonly entry: number;
  /** e_phnum (AT_PHNUM; only the PT_LOAD ones are in `segments`). */
  readonly phnum: number;
  /** The PT_LOAD headers in file order. */
  readonly segments: readonly ElfLoadSegment[];
  /** PT_GNU_STACK's p_flags (PF_R | PF_W: a non-executable stack); undefined when there is none (EXSTACK_DEFAULT). */
  readonly gnuStack?: number;
  /**
   * PT_GNU_RELRO: the range the C runtime makes read-only after its relocations (glibc's
   * _dl_protect_relro calls mprotect(PROT_READ) before main); exec itself maps it writable.
   */
  readonly relro?: { readonly vaddr: number; readonly memsz: number };
  /** The ELF has the GNU property AArch64 BTI (PROT_BTI on its executable segments: VM_ARM64_BTI on a CPU with BTI; nothing on the reference Cortex-A57). */
  readonly bti?: boolean;
}

/**
 * The probes' `layout` program (tests/conformance/fixtures/process/bin/layout: `gcc -static -O1`,
 * glibc 2.36, GNU ld 2.40): its program headers as `readelf -lW` prints them. A small static
 * binary: 507 KiB of text and rodata, 23 KiB of data, 471 KiB of bss (glibc's static buffers
 * and the probe's own). Device 00:02 and inode 22 are the capture board's (its tmpfs root).
 */
export const LAYOUT_PROBE_IMAGE: ProgramImage = Object.freeze({
  path: "/bin/layout",
  dev: Object.freeze([0, 2] as const),
  ino: 22,
  entry: 0x400580,
  phnum: 6,
  segments: Object.freeze([
    Object.freeze({ vaddr: 0x400000, offset: 0, filesz: 0x07ea8c, memsz: 0x07ea8c, flags: PF_R | PF_X }),
    Object.freeze({ vaddr: 0x48c580, offset: 0x08c580, filesz: 0x005ab0, memsz: 0x07b4e8, flags: PF_R | PF_W }),
  ]),
  gnuStack: PF_R | PF_W,
  relro: Object.freeze({ vaddr: 0x48c580, memsz: 0x3a80 }),
});

/** GNU ld's aarch64 MAXPAGESIZE: segments are congruent to their file offsets modulo 64 KiB. */
export const ELF_MAXPAGESIZE = 0x10000;
/** ld's default text address for aarch64 (`-Ttext-segment`). */
export const ELF_EXEC_BASE = 0x400000;

/**
 * A static ELF laid out as GNU ld lays out `-static -z norelro` on aarch64: text (with the ELF
 * and program headers) at 0x400000 from file offset 0; the data segment right after it in the
 * file, at vaddr = offset + 0x400000 + MAXPAGESIZE (DATA_SEGMENT_ALIGN); bss after the data.
 * @throws ArgumentError for a size that is not an integer ≥ 0 (text must be > 0)
 */
export function staticElfImage(opts: { path: string; textSize: number; dataSize: number; bssSize: number; dev?: readonly [number, number]; ino?: number }): ProgramImage {
  const { path, textSize, dataSize, bssSize } = opts;
  for (const [k, v] of [["textSize", textSize], ["dataSize", dataSize], ["bssSize", bssSize]] as const) {
    if (!Number.isSafeInteger(v) || v < 0 || (k === "textSize" && v === 0)) throw new ArgumentError("vma.staticElfImage", k, k === "textSize" ? "an integer > 0 (bytes)" : "an integer ≥ 0 (bytes)", describeValue(v));
  }
  const segments: ElfLoadSegment[] = [{ vaddr: ELF_EXEC_BASE, offset: 0, filesz: textSize, memsz: textSize, flags: PF_R | PF_X }];
  if (dataSize + bssSize > 0) {
    const offset = textSize;
    const vaddr = ELF_EXEC_BASE + ELF_MAXPAGESIZE + offset;
    segments.push({ vaddr, offset, filesz: dataSize, memsz: dataSize + bssSize, flags: PF_R | PF_W });
  }
  return { path, dev: opts.dev ?? [0, 2], ino: opts.ino ?? 0, entry: ELF_EXEC_BASE + 0x580, phnum: segments.length + 1, segments, gnuStack: PF_R | PF_W };
}

/**
 * Checks an image as load_elf_binary's header checks would, with errors naming the field.
 * @throws ArgumentError for a malformed image (load_elf_binary would return -ENOEXEC or -EINVAL)
 */
export function checkProgramImage(image: ProgramImage, taskSize: number): void {
  const site = "vma.exec";
  if (typeof image.path !== "string" || image.path.length === 0) throw new ArgumentError(site, "image.path", "a non-empty path", describeValue(image.path));
  if (image.segments.length === 0) throw new ArgumentError(site, "image.segments", "at least one PT_LOAD segment", "none");
  let prevEnd = 0;
  image.segments.forEach((s, i) => {
    const where = `image.segments[${i}]`;
    for (const k of ["vaddr", "offset", "filesz", "memsz", "flags"] as const) {
      const v = s[k];
      if (!Number.isSafeInteger(v) || v < 0) throw new ArgumentError(site, `${where}.${k}`, "an integer ≥ 0", describeValue(v));
    }
    if (s.filesz > s.memsz) throw new ArgumentError(site, `${where}.filesz`, `at most memsz (${s.memsz}): load_elf_binary rejects p_filesz > p_memsz with -EINVAL`, String(s.filesz));
    if (pageOffset(s.vaddr) !== pageOffset(s.offset)) throw new ArgumentError(site, `${where}.offset`, `congruent to vaddr modulo the page size (vaddr 0x${s.vaddr.toString(16)})`, `0x${s.offset.toString(16)}`);
    if (s.vaddr + s.memsz > taskSize) throw new ArgumentError(site, `${where}.memsz`, `a segment below TASK_SIZE 0x${taskSize.toString(16)}`, `ends at 0x${(s.vaddr + s.memsz).toString(16)}`);
    if (pageStart(s.vaddr) < prevEnd) throw new ArgumentError(site, `${where}.vaddr`, `a page above the previous segment's last page (0x${prevEnd.toString(16)}): elf_map's MAP_FIXED_NOREPLACE would fail with -EEXIST`, `0x${s.vaddr.toString(16)}`);
    prevEnd = pageAlign(s.vaddr + s.memsz);
  });
}

// --- sysctls and limits -----------------------------------------------------------------------

/** The knobs exec reads. */
export interface ExecSysctl {
  /** kernel.randomize_va_space: 0 none, 1 mmap/stack/vdso, 2 also brk. */
  randomizeVaSpace: 0 | 1 | 2;
  /** vm.mmap_rnd_bits (CONFIG_ARCH_MMAP_RND_BITS = 18; the sysctl allows 18…33 with 48-bit VA). */
  mmapRndBits: number;
  /**
   * vm.legacy_va_layout (bottom-up mmap from TASK_UNMAPPED_BASE). An unlimited RLIMIT_STACK
   * (MmapContext.rlimit.stack = Infinity) selects it too; stack_guard_gap, RLIMIT_STACK and
   * mmap_min_addr are the MmapContext's.
   */
  legacyVaLayout: boolean;
}

/** The reference kernel's values. */
export const DEFAULT_EXEC_SYSCTL: Readonly<ExecSysctl> = Object.freeze({
  randomizeVaSpace: 2,
  mmapRndBits: 18,
  legacyVaLayout: false,
});

/** arm64 STACK_RND_MASK for a 64-bit task with 4 KiB pages: 0x3ffff pages (1 GiB). */
export const STACK_RND_MASK = 0x3ffff;
/** Kernel: `VVAR_NR_PAGES` (the data page and the time-namespace page, CONFIG_TIME_NS). */
export const VVAR_NR_PAGES = 2;
/** Pages of the 64-bit vDSO text in 6.1 arm64 (vdso_info[VDSO_ABI_AA64].vdso_pages). */
export const VDSO_PAGES = 1;
/** VM_DATA_DEFAULT_FLAGS on arm64 without MTE: VM_DATA_FLAGS_TSK_EXEC (READ_IMPLIES_EXEC is not set for a 64-bit ELF). */
export const VM_DATA_DEFAULT_FLAGS = VM_READ | VM_WRITE | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC;
/** Kernel: `VM_STACK_FLAGS` = VM_STACK | VM_STACK_DEFAULT_FLAGS | VM_ACCOUNT. */
export const VM_STACK_FLAGS = VM_STACK | VM_DATA_DEFAULT_FLAGS | VM_ACCOUNT;
/** Kernel: `VM_STACK_INCOMPLETE_SETUP` (cleared at the end of setup_arg_pages). */
export const VM_STACK_INCOMPLETE_SETUP = VM_RAND_READ | VM_SEQ_READ;
/** Kernel: `VM_ARM64_BTI`. */
export const VM_ARM64_BTI = VM_ARCH_1;
/** MAX_ARG_STRLEN: one argument or environment string is at most 32 pages. */
export const MAX_ARG_STRLEN = 32 * PAGE_SIZE;
/** ARG_MAX (the floor of bprm_stack_limits). */
const ARG_MAX = 131072;
/** _STK_LIM (8 MiB): bprm_stack_limits caps arguments at 3/4 of it. */
const STK_LIM = 8 * 1024 * 1024;

/** The arguments of execve(). */
export interface ExecArgs {
  readonly argv: readonly string[];
  readonly envp: readonly string[];
}

/** What exec needs besides the mm machinery. */
export interface ExecEnv extends MmEnv {
  /** The machine's seeded random source (get_random_long for the ASLR offsets). */
  readonly rng: Rng;
  /** TASK_SIZE (= STACK_TOP = STACK_TOP_MAX for a 64-bit task): 2^48 on the reference. */
  readonly taskSize: number;
  /** The frames the [vvar] and [vdso] fault handlers map (vdso_data_store and the vDSO text in the kernel image). */
  readonly vdso?: { readonly vvarPages: Int32Array; readonly vdsoPages: Int32Array };
  /** True once file-backed private faults are implemented: padzero's write then faults the last data page. */
  readonly fileBackedFaults?: boolean;
}

/** Where exec put things (mm fields, plus what only the ELF loader knows). */
export interface ExecResult {
  readonly mm: MmStruct;
  /** mm->context.vdso (AT_SYSINFO_EHDR). */
  readonly vdsoBase: number;
  /** The offsets drawn (0 without randomization), for tests and learners. */
  readonly mmapRnd: number;
  readonly stackRnd: number;
  readonly brkRnd: number;
}

/** get_random_long() & ((1 << bits) - 1), for bits ≤ 52 (two 32-bit draws, low word first). */
function randomBits(rng: Rng, bits: number): number {
  const lo = rng.nextU32();
  if (bits <= 32) return bits === 32 ? lo : lo & ((1 << bits) - 1) >>> 0;
  const hi = rng.nextU32();
  return (hi % 2 ** (bits - 32)) * 4294967296 + lo;
}

/**
 * Kernel: `mmap_base()` (mm/util.c) for the top-down layout.
 * @param rnd the random offset in bytes (arch_mmap_rnd), 0 without PF_RANDOMIZE
 */
export function mmapBase(stackTop: number, rnd: number, rlimitStack: number, stackGuardGap: number, randomize: boolean): number {
  let gap = rlimitStack;
  let pad = stackGuardGap;
  if (randomize) pad += STACK_RND_MASK * PAGE_SIZE;
  // Values close to RLIM_INFINITY can overflow: gap + pad > gap.
  if (Number.isFinite(gap)) gap += pad;
  const maxGap = Math.floor(stackTop / 6) * 5;
  if (gap < SZ_128M) gap = SZ_128M;
  else if (gap > maxGap) gap = maxGap;
  return pageAlign(stackTop - gap - rnd);
}

/** Execve state while the image loads. Kernel: `struct linux_binprm` (the parts used). */
interface Bprm {
  mm: MmStruct;
  vma: VmAreaStruct;
  p: number;
  argc: number;
  envc: number;
  argBytes: number;
  envBytes: number;
}

/**
 * Replaces the task's address space with a new image. Kernel: `do_execve()` →
 * `load_elf_binary()` for a static ET_EXEC.
 * @returns the layout, or a negative errno: before the point of no return (-ENOMEM, -E2BIG,
 *   -EEXIST …) the task keeps its old mm; `pointOfNoReturn` says when it did not (the kernel
 *   then kills the task with SIGSEGV, which the caller does)
 * @throws ArgumentError for a malformed image or arguments
 */
export function doExecve(env: ExecEnv, task: TaskStruct, image: ProgramImage, args: ExecArgs, sysctl: Readonly<ExecSysctl>, mmId: number, noRandomize = false): ExecResult | { errno: number; pointOfNoReturn: boolean } {
  const stackTopMax = env.taskSize;
  const ctx = env.mmap;
  checkProgramImage(image, stackTopMax);
  // bprm_mm_init()
  const mmOrErr = mmAlloc(env, mmId);
  if (typeof mmOrErr === "number") return { errno: mmOrErr, pointOfNoReturn: false };
  const mm = mmOrErr;
  const vma = new VmAreaStruct(mm, stackTopMax - PAGE_SIZE, stackTopMax, VM_SOFTDIRTY | VM_STACK_FLAGS | VM_STACK_INCOMPLETE_SETUP, vmGetPageProt(VM_STACK_FLAGS), 0);
  let err = insertVmStruct(env, mm, vma);
  if (err !== 0) {
    mmput(env, mm);
    return { errno: err, pointOfNoReturn: false };
  }
  mm.stackVm = mm.totalVm = 1;
  const bprm: Bprm = { mm, vma, p: vma.vmEnd - 8, argc: args.argv.length, envc: args.envp.length, argBytes: 0, envBytes: 0 };
  err = copyStrings(env, bprm, image.path, args);
  if (err !== 0) {
    mmput(env, mm);
    return { errno: err, pointOfNoReturn: false };
  }

  // begin_new_exec() → exec_mmap(): the point of no return.
  const oldMm = task.mm;
  if (oldMm !== null) syncMmRss(task, oldMm);
  task.mm = mm;
  if (oldMm !== null) mmput(env, oldMm);
  const base = image.path.slice(image.path.lastIndexOf("/") + 1);
  task.comm = base.slice(0, 15); // __set_task_comm: TASK_COMM_LEN 16
  const fail = (errno: number) => ({ errno, pointOfNoReturn: true });

  const randomize = sysctl.randomizeVaSpace !== 0 && !noRandomize; // PF_RANDOMIZE
  // setup_new_exec() → arch_pick_mmap_layout()
  const mmapRnd = randomize ? randomBits(env.rng, sysctl.mmapRndBits) * PAGE_SIZE : 0;
  const legacy = sysctl.legacyVaLayout || !Number.isFinite(ctx.rlimit.stack);
  mm.mmapBase = legacy ? pageAlign(stackTopMax / 4) + mmapRnd : mmapBase(stackTopMax, mmapRnd, ctx.rlimit.stack, ctx.stackGuardGap, randomize);
  mm.legacyMmapLayout = legacy;
  mm.taskSize = stackTopMax;

  // setup_arg_pages(bprm, randomize_stack_top(STACK_TOP), executable_stack)
  const stackRnd = randomize ? (env.rng.nextU32() & STACK_RND_MASK) * PAGE_SIZE : 0;
  const exStack = image.gnuStack === undefined ? "default" : (image.gnuStack & PF_X) !== 0 ? "enable" : "disable";
  err = setupArgPages(env, bprm, pageAlign(stackTopMax) - stackRnd, exStack, randomize);
  if (err !== 0) return fail(err);

  // The PT_LOAD loop.
  const file: VmFile = { path: image.path, dev: image.dev, ino: image.ino };
  let startCode = Number.MAX_SAFE_INTEGER;
  let endCode = 0;
  let startData = 0;
  let endData = 0;
  let elfBss = 0;
  let elfBrk = 0;
  let bssProt = 0;
  for (const seg of image.segments) {
    if (elfBrk > elfBss) {
      // A PT_LOAD with p_memsz > p_filesz before this one: map its bss now.
      err = setBrk(ctx, mm, elfBss, elfBrk, bssProt);
      if (err !== 0) return fail(err);
      padzero(env, mm, elfBss, elfBrk);
    }
    let prot = makeProt(seg.flags);
    if (image.bti === true && (prot & PROT_EXEC) !== 0) prot |= PROT_BTI; // arch_elf_adjust_prot
    err = elfMap(ctx, mm, file, seg, prot);
    if (err !== 0) return fail(err);
    let k = seg.vaddr;
    if ((seg.flags & PF_X) !== 0 && k < startCode) startCode = k;
    if (startData < k) startData = k;
    k = seg.vaddr + seg.filesz;
    if (k > elfBss) elfBss = k;
    if ((seg.flags & PF_X) !== 0 && endCode < k) endCode = k;
    if (endData < k) endData = k;
    k = seg.vaddr + seg.memsz;
    if (k > elfBrk) {
      bssProt = prot;
      elfBrk = k;
    }
  }
  err = setBrk(ctx, mm, elfBss, elfBrk, bssProt);
  if (err !== 0) return fail(err);
  if (elfBss !== elfBrk) padzero(env, mm, elfBss, elfBrk);

  // ARCH_SETUP_ADDITIONAL_PAGES: arch_setup_additional_pages() → __setup_additional_pages().
  const vdsoBase = setupAdditionalPages(env, mm);
  if (vdsoBase < 0) return fail(vdsoBase);

  // create_elf_tables()
  const stringsLow = bprm.p;
  createElfTables(bprm, image, randomize, env.rng);
  const tablesPage = pageStart(bprm.p);
  if (tablesPage < pageStart(stringsLow)) {
    // The auxv and pointer arrays spill below the strings' pages: put_user faults them in.
    err = ctx.pageOps.populate(bprm.vma, tablesPage, pageStart(stringsLow), true);
    if (err !== 0) return fail(-EFAULT);
  }
  mm.endCode = endCode;
  mm.startCode = startCode === Number.MAX_SAFE_INTEGER ? 0 : startCode;
  mm.startData = startData;
  mm.endData = endData;
  mm.startStack = bprm.p;
  let brkRnd = 0;
  if (randomize && sysctl.randomizeVaSpace > 1) {
    // arch_randomize_brk() → randomize_page(mm->brk, SZ_1G): brk is page aligned.
    brkRnd = randomBits(env.rng, BRK_RND_SHIFT - PAGE_SHIFT) * PAGE_SIZE;
    mm.brk = mm.startBrk = mm.brk + brkRnd;
  }
  task.state = "R (running)";
  return { mm, vdsoBase, mmapRnd, stackRnd, brkRnd };
}

// --- the pieces ------------------------------------------------------------------------------

/** PROT_BTI (arm64 mman.h). */
const PROT_BTI = 0x10;

/** Kernel: `make_prot()` (binfmt_elf.c). */
function makeProt(pFlags: number): number {
  let prot = 0;
  if ((pFlags & PF_R) !== 0) prot |= PROT_READ;
  if ((pFlags & PF_W) !== 0) prot |= PROT_WRITE;
  if ((pFlags & PF_X) !== 0) prot |= PROT_EXEC;
  return prot;
}

/**
 * Links a new VMA into the mm, charging its commit if VM_ACCOUNT; an anonymous VMA's vm_pgoff
 * becomes its first page number. Kernel: `insert_vm_struct()`.
 * @returns 0, -ENOMEM (commit refused)
 */
function insertVmStruct(env: MmEnv, mm: MmStruct, vma: VmAreaStruct): number {
  if (mm.mt.intersection(vma.vmStart, vma.vmEnd) !== null) return -ENOMEM;
  if ((vma.vmFlags & VM_ACCOUNT) !== 0 && env.mmap.overcommit.vmEnoughMemory(mm, vma.pages()) !== 0) return -ENOMEM;
  if (vma.isAnonymous()) vma.vmPgoff = vma.vmStart / PAGE_SIZE;
  mm.mt.insert(vma);
  mm.mapCount++;
  return 0;
}

/** Kernel: `bprm_stack_limits()` + `copy_strings()`: the strings below bprm->p, the stack VMA grown over them and faulted in. */
function copyStrings(env: ExecEnv, bprm: Bprm, filename: string, args: ExecArgs): number {
  const rlimitStack = env.mmap.rlimit.stack;
  let limit = Math.floor(STK_LIM / 4) * 3;
  if (Number.isFinite(rlimitStack)) limit = Math.min(limit, Math.floor(rlimitStack / 4));
  limit = Math.max(limit, ARG_MAX);
  const ptrSize = (bprm.argc + bprm.envc) * 8;
  if (limit <= ptrSize) return -E2BIG;
  limit -= ptrSize;
  const enc = new TextEncoder();
  const size = (s: string) => enc.encode(s).length + 1;
  let total = 0;
  for (const s of args.envp) {
    const n = size(s);
    if (n > MAX_ARG_STRLEN) return -E2BIG;
    bprm.envBytes += n;
  }
  for (const s of args.argv) {
    const n = size(s);
    if (n > MAX_ARG_STRLEN) return -E2BIG;
    bprm.argBytes += n;
  }
  total = bprm.envBytes + bprm.argBytes;
  if (total > limit) return -E2BIG;
  // copy_string_kernel(bprm->filename), then envp, then argv, each below the last.
  bprm.p -= size(filename) + total;
  const low = pageStart(bprm.p);
  if (low < bprm.vma.vmStart) {
    // get_arg_page → get_user_pages_remote → expand_stack
    const err = expandStack(env.mmap, bprm.vma, low);
    if (err !== 0) return err;
  }
  // The pages written (copy_strings' kmap of each get_arg_page).
  const err = env.mmap.pageOps.populate(bprm.vma, low, bprm.vma.vmEnd, true);
  return err === 0 ? 0 : -EFAULT;
}

/** Kernel: `setup_arg_pages()` (the !CONFIG_STACK_GROWSUP branch). */
function setupArgPages(env: ExecEnv, bprm: Bprm, stackTopIn: number, exStack: "default" | "enable" | "disable", randomize: boolean): number {
  const ctx = env.mmap;
  const mm = bprm.mm;
  const vma = bprm.vma;
  // arch_align_stack(): a random sub-page offset when randomizing, then 16-byte alignment.
  let stackTop = stackTopIn;
  if (randomize) stackTop -= env.rng.nextU32() & (PAGE_SIZE - 1);
  stackTop = Math.floor(stackTop / 16) * 16;
  stackTop = pageAlign(stackTop);
  if (stackTop < ctx.mmapMinAddr || vma.vmEnd - vma.vmStart >= stackTop - ctx.mmapMinAddr) return -ENOMEM;
  const stackShift = vma.vmEnd - stackTop;
  bprm.p -= stackShift;
  mm.argStart = bprm.p;
  let vmFlags = VM_STACK_FLAGS;
  if (exStack === "enable") vmFlags |= VM_EXEC;
  else if (exStack === "disable") vmFlags &= ~VM_EXEC;
  vmFlags |= mm.defFlags | VM_STACK_INCOMPLETE_SETUP;
  // mprotect_fixup(vma, vm_start, vm_end, vm_flags)
  if (vmFlags !== vma.vmFlags) {
    const protChanged = (vmFlags ^ vma.vmFlags) & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED);
    vma.vmFlags = vmFlags;
    vma.vmPageProt = vmGetPageProt(vmFlags);
    if (protChanged !== 0) ctx.pageOps.changeProtection(vma, vma.vmStart, vma.vmEnd);
  }
  if (stackShift !== 0) {
    const err = shiftArgPages(env, vma, stackShift);
    if (err !== 0) return err;
  }
  // mprotect_fixup is overkill to remove the temporary stack flags
  vma.vmFlags &= ~VM_STACK_INCOMPLETE_SETUP;
  const stackSize = vma.vmEnd - vma.vmStart;
  const rlim = Number.isFinite(ctx.rlimit.stack) ? pageStart(ctx.rlimit.stack) : Number.MAX_SAFE_INTEGER;
  const stackExpand = Math.min(rlim, stackSize + SZ_128K);
  const stackBase = vma.vmEnd - stackExpand;
  mm.startStack = bprm.p;
  return expandStack(ctx, vma, stackBase) === 0 ? 0 : -EFAULT;
}

/**
 * Moves the argument pages down by `shift` (the stack randomization): the VMA covers both
 * ranges, the PTEs move (move_page_tables), the tables left above are freed, the VMA shrinks.
 * Kernel: `shift_arg_pages()`.
 */
function shiftArgPages(env: ExecEnv, vma: VmAreaStruct, shift: number): number {
  const mm = vma.vmMm;
  const oldStart = vma.vmStart;
  const oldEnd = vma.vmEnd;
  const length = oldEnd - oldStart;
  const newStart = oldStart - shift;
  const newEnd = oldEnd - shift;
  if (mm.mt.findVma(newStart) !== vma) return -EFAULT;
  vma.vmStart = newStart; // vma_adjust(vma, new_start, old_end)
  mm.mt.updated(vma);
  if (env.mmap.pageOps.movePageTables(vma, oldStart, vma, newStart, length) !== length) return -ENOMEM;
  const next = mm.mt.findVma(oldEnd);
  const ceiling = next !== null ? next.vmStart : 0; // USER_PGTABLES_CEILING = 0
  if (mm.pgtables !== null) {
    if (newEnd > oldStart) freePgdRange(env.pgtableAlloc, mm.pgtables, newEnd, oldEnd, newEnd, ceiling);
    else freePgdRange(env.pgtableAlloc, mm.pgtables, oldStart, oldEnd, newEnd, ceiling);
  }
  vma.vmEnd = newEnd; // vma_adjust(vma, new_start, new_end)
  mm.mt.updated(vma);
  return 0;
}

/**
 * Maps the file pages holding one PT_LOAD segment. Kernel: `elf_map()` → `vm_mmap(MAP_PRIVATE |
 * MAP_FIXED_NOREPLACE)` → `do_mmap()`.
 * @returns 0, -EEXIST (the range is taken), -ENOMEM (commit)
 */
function elfMap(ctx: MmapContext, mm: MmStruct, file: VmFile, seg: ElfLoadSegment, prot: number): number {
  const addr = pageStart(seg.vaddr);
  const size = pageAlign(seg.filesz + pageOffset(seg.vaddr));
  const off = seg.offset - pageOffset(seg.vaddr);
  if (size === 0) return 0; // mmap() of zero length is refused: elf_map maps nothing
  const got = doMmap(ctx, mm, file, addr, size, prot, MAP_PRIVATE | MAP_FIXED_NOREPLACE, off / PAGE_SIZE);
  return got < 0 ? got : 0;
}

/**
 * The bss pages beyond the file: an anonymous mapping (vm_brk_flags), and start_brk = brk = its
 * page-aligned end. Kernel: `set_brk()`.
 */
function setBrk(ctx: MmapContext, mm: MmStruct, start: number, end: number, prot: number): number {
  start = pageAlign(start);
  end = pageAlign(end);
  if (end > start) {
    const err = vmBrkFlags(ctx, mm, start, end - start, (prot & PROT_EXEC) !== 0 ? VM_EXEC : 0);
    if (err !== 0) return err;
  }
  mm.startBrk = mm.brk = end;
  return 0;
}

/**
 * Zeroes the end of the last file page of a segment with bss (clear_user: a write fault on a
 * private file page, which COWs it). Kernel: `padzero()`. Needs the files mechanism
 * (ExecEnv.fileBackedFaults); the kernel ignores its failure in the loop and fails exec with
 * -EFAULT after it, which here cannot happen without file pages.
 */
function padzero(env: ExecEnv, mm: MmStruct, elfBss: number, _elfBrk: number): void {
  if (pageOffset(elfBss) === 0 || env.fileBackedFaults !== true) return;
  const page = pageStart(elfBss);
  const vma = mm.mt.lookup(page);
  if (vma !== null) env.mmap.pageOps.populate(vma, page, page + PAGE_SIZE, true);
}

/**
 * [vvar] and [vdso]: one get_unmapped_area of both, then two special mappings. Kernel:
 * `__setup_additional_pages()` (arm64 vdso.c) → `_install_special_mapping()`.
 * @returns the vDSO text's address (mm->context.vdso), or a negative errno
 */
function setupAdditionalPages(env: ExecEnv, mm: MmStruct): number {
  const vdsoTextLen = VDSO_PAGES * PAGE_SIZE;
  const len = vdsoTextLen + VVAR_NR_PAGES * PAGE_SIZE;
  let base = getUnmappedArea(env.mmap, mm, null, 0, len, 0, 0);
  if (base < 0) return base;
  const vvar = new VmAreaStruct(mm, base, base + VVAR_NR_PAGES * PAGE_SIZE, 0, vmGetPageProt(VM_READ), 0);
  installSpecialMapping(mm, vvar, VM_READ | VM_MAYREAD | VM_PFNMAP, { name: "[vvar]", pages: env.vdso?.vvarPages ?? new Int32Array(0) });
  base += VVAR_NR_PAGES * PAGE_SIZE;
  // gp_flags: VM_ARM64_BTI only when the CPU has BTI (the reference Cortex-A57 has not).
  const vdso = new VmAreaStruct(mm, base, base + vdsoTextLen, 0, vmGetPageProt(VM_READ), 0);
  installSpecialMapping(mm, vdso, VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC, { name: "[vdso]", pages: env.vdso?.vdsoPages ?? new Int32Array(0) });
  return base;
}

/** Kernel: `__install_special_mapping()`: flags | def_flags | VM_DONTEXPAND | VM_SOFTDIRTY, vm_pgoff 0 (not anonymous: it has vm_ops). */
function installSpecialMapping(mm: MmStruct, vma: VmAreaStruct, vmFlags: number, sm: VmSpecialMapping): void {
  vma.vmFlags = vmFlags | mm.defFlags | VM_DONTEXPAND | VM_SOFTDIRTY;
  vma.vmPageProt = vmGetPageProt(vma.vmFlags);
  vma.vmSpecial = sm;
  mm.mt.insert(vma);
  mm.mapCount++;
  vmStatAccount(mm, vma.vmFlags, vma.pages());
}

/** Auxiliary vector entries create_elf_tables writes for a static arm64 ELF (ARCH_DLINFO's 2, the 15 generic, AT_HWCAP2, AT_EXECFN, AT_PLATFORM). */
const AUXV_ENTRIES = 20;
/** ELF_PLATFORM on little-endian arm64. */
const ELF_PLATFORM = "aarch64";

/**
 * Lays out the initial stack below the strings: platform string, 16 AT_RANDOM bytes, auxv
 * (with AT_NULL), envp, argv, argc; sets arg_end, env_start, env_end. Kernel: `create_elf_tables()`.
 */
function createElfTables(bprm: Bprm, _image: ProgramImage, randomize: boolean, rng: Rng): void {
  const mm = bprm.mm;
  let p = bprm.p;
  // arch_align_stack(p)
  if (randomize) p -= rng.nextU32() & (PAGE_SIZE - 1);
  p = Math.floor(p / 16) * 16;
  p -= ELF_PLATFORM.length + 1; // u_platform = STACK_ALLOC(p, len)
  p -= 16; // u_rand_bytes = STACK_ALLOC(p, sizeof(k_rand_bytes)); get_random_bytes is not drawn from the RNG
  const eiIndex = AUXV_ENTRIES * 2 + 2;
  const sp = p - eiIndex * 8; // STACK_ADD(p, ei_index)
  const items = bprm.argc + 1 + (bprm.envc + 1) + 1;
  bprm.p = Math.floor((sp - items * 8) / 16) * 16; // STACK_ROUND(sp, items)
  mm.argEnd = mm.argStart + bprm.argBytes;
  mm.envStart = mm.argEnd;
  mm.envEnd = mm.envStart + bprm.envBytes;
}
