// mmsim: workload steps as units — one definition per step kind, contributed by the package that owns the mechanism (no kernel counterpart)
/*
 * A workload step stands for what a program or an administrator does to the kernel (allocate
 * pages, kmalloc, mmap, write a sysctl). Each kind is one definition: its key in the scenario
 * file, its help line, the schema of its body, the cross-field checks the loader runs over the
 * whole workload, and what it does on a booted machine. The package that owns the mechanism
 * contributes it through its module's `steps`; the loader, `mmsim run --help` and the engine
 * iterate the registry, so adding a step touches only its package.
 *
 * What a step allocated is kept in one table of named handles (HandleTable), by family and
 * name: a later step (free, access, the `where` files) finds it there.
 */
import type { z } from "zod";
import { type Token, token } from "../di/token.ts";
import type { Prandom } from "../rng.ts";

/** A path below the step's body, for error messages: `["size"]`, `["cpus", 2]`. */
export type StepPath = readonly (string | number)[];

/** What every resolved step has: its kind, and its 1-based line in the scenario file. */
export interface StepBase {
  readonly kind: string;
  readonly line?: number;
}

/** The board a workload runs on, as far as the loader's checks need it. */
export interface StepMachineSpec {
  readonly memory: number;
  readonly cpus: number;
  readonly nodes: number;
}

/** What building a step from its parsed body may ask of the loader. */
export interface StepLoadContext {
  /** The step's 1-based line. */
  readonly line: number | undefined;
  /** An error at `sub` below the step's body (file:line:field), to throw. */
  error(sub: StepPath, problem: string): Error;
  /** Resolves nested steps (a repeat's body) at `sub` below this step's body. */
  steps(raw: readonly unknown[], sub: StepPath): StepBase[];
}

/** What the loader's cross-field pass offers each step, in file order, after overrides. */
export interface StepCheckContext {
  readonly machine: StepMachineSpec;
  /** Every step of the workload in file order, repeats' bodies included (a repeat comes after its body). */
  readonly all: readonly StepBase[];
  /** Throws when `cpu` is not a CPU of the machine (names `sub` and machine.cpus). */
  checkCpu(cpu: number, sub: StepPath): void;
  /** " (set on the command line)" when that machine field was overridden, else "". */
  note(machineField: "memory" | "cpus" | "nodes"): string;
  /** An error at `sub` below the step's body, to throw. */
  error(sub: StepPath, problem: string): Error;
  /** State the steps of one family share during the pass (the names defined so far), by key. */
  scratch<T>(key: string, init: () => T): T;
}

/** A buffer a handle holds, as the MMU sees it: for `access` and the `where` files. */
export interface HandleBuffer {
  /** What it is: "kmalloc", "vmalloc", "mmap (user malloc)". */
  readonly kind: string;
  /**
   * Where `addr` lives: "linear" = a physical address, reached through the linear map (__va);
   * "kernel" = a kernel virtual address (vmalloc space), in swapper_pg_dir; "user" = a virtual
   * address in the workload's process.
   */
  readonly space: "linear" | "kernel" | "user";
  readonly addr: number;
  readonly size: number;
}

/** What one step allocated under one name. */
export interface Handle {
  /** The step line that first made it, for messages. */
  readonly line?: number;
  /** The buffers it holds now, for access and where; absent for what has no address (pages). */
  buffers?(): readonly HandleBuffer[];
}

/**
 * The named handles of one machine's workload: family ("pages", "slab", "vm", "mmap") → name →
 * handle. The same name may be used by two families (a kmalloc and a vmalloc both named "buf").
 */
export class HandleTable {
  private readonly byFamily = new Map<string, Map<string, Handle>>();

  get<H extends Handle>(family: string, name: string): H | undefined {
    return this.byFamily.get(family)?.get(name) as H | undefined;
  }

  set(family: string, name: string, h: Handle): void {
    let f = this.byFamily.get(family);
    if (!f) this.byFamily.set(family, (f = new Map()));
    f.set(name, h);
  }

  delete(family: string, name: string): boolean {
    return this.byFamily.get(family)?.delete(name) ?? false;
  }

  /** Every handle of a family, in insertion order. */
  family<H extends Handle>(family: string): ReadonlyMap<string, H> {
    return (this.byFamily.get(family) ?? new Map<string, H>()) as unknown as ReadonlyMap<string, H>;
  }

  /** The buffers every family holds under `name`, in family registration order. */
  buffersOf(name: string): HandleBuffer[] {
    const out: HandleBuffer[] = [];
    for (const f of this.byFamily.values()) {
      const h = f.get(name);
      if (h?.buffers) out.push(...h.buffers());
    }
    return out;
  }

  /** The names that hold at least one buffer now, sorted. */
  bufferNames(): string[] {
    const names = new Set<string>();
    for (const f of this.byFamily.values()) for (const [n, h] of f) if (h.buffers && h.buffers().length > 0) names.add(n);
    return [...names].sort();
  }
}

/** What a running step may use of the machine. */
export interface StepRunContext {
  /** The scenario file, for errors. */
  readonly file: string;
  /** The machine's CPU count. */
  readonly nrCpus: number;
  /** 1-based index of this executed step (repeats expanded). */
  readonly index: number;
  /** The CPU the step runs on: its task's (a step's own `cpu` field, where it has one, overrides it). */
  readonly cpu: number;
  /** The workload's own random stream (separate from the kernel's). */
  readonly workloadRng: Prandom;
  readonly handles: HandleTable;
  /** A service of this machine (resolved by the machine, the composition root). */
  resolve<T>(tok: Token<T> | (abstract new (...args: never[]) => T)): T;
  /** True when a service is registered in this machine (e.g. a slab allocator). */
  isRegistered(tok: Token<unknown> | (abstract new (...args: never[]) => unknown)): boolean;
  /** Counts one allocation that returned the kernel's failure (NIL_PFN, NULL), under `as`. */
  failedAlloc(as: string): void;
  /** A ScenarioError for this step: `what` names the step and its handle ("free a"). */
  error(what: string, problem: string): Error;
  /** A file of the machine; undefined when it does not exist. */
  readFile(path: string): string | undefined;
  /** `echo value > path`; throws a ScenarioError when refused. */
  writeFile(path: string, value: string): void;
  /** Writes a sysctl through its handler; throws a ScenarioError when refused. */
  writeSysctl(name: string, value: number | readonly number[]): void;
  /** Every file the machine serves now. */
  listFiles(): readonly string[];
  /** Hands a shown file's text to the observer. */
  show(path: string, text: string): void;
  /** Records a failed expectation (the run goes on; the command exits 1). */
  failExpect(message: string): void;
  /** Records a passed expectation (an expect step, or a step's returns/errno check), for the count. */
  passExpect(): void;
  /** Lets simulated time pass. */
  advanceClock(ns: number): void;
  /** Per-machine state of a step family (counters, records), made on first use, by key. */
  state<T>(key: string, init: () => T): T;
}

/** One kind of workload step. `D` is the parsed body, `S` the resolved step. */
export interface WorkloadStepDef<S extends StepBase = StepBase, D = unknown> {
  /** The step's key in a scenario file (`alloc`). */
  readonly kind: string;
  /** Its line(s) in `mmsim run --help`, or "" when another kind's line documents it. */
  readonly doc: string;
  /** The body's schema (built from core's field schemas, so every step reports values alike). */
  readonly schema: z.ZodType<D, unknown>;
  /** The resolved step from the parsed body (defaults filled); throw ctx.error for a bad combination. */
  make(data: D, ctx: StepLoadContext): S;
  /** Cross-field checks, in file order over the whole workload, after overrides. */
  check?(step: S, ctx: StepCheckContext): void;
  /** Runs the step on a booted machine. */
  run(step: S, ctx: StepRunContext): void;
  /**
   * The files the step will read. Before the workload runs, each must exist after boot or lie in
   * a directory whose files appear during the run (`/sys/kernel/slab/`), so a typo fails before
   * the machine spends time on the steps before it.
   */
  reads?(step: S): readonly string[];
  /** Steps executed, repeats expanded (a repeat returns times × its body's count). Default 1. */
  count?(step: S): number;
  /**
   * Host operations one execution of the step performs — pages or objects it allocates, maps or
   * churns — for the loader's bound on a workload's host cost (MAX_WORKLOAD_OPS). Default 1.
   */
  cost?(step: S): number;
}

/** A definition with its types erased, as registries hold them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyStepDef = WorkloadStepDef<any, any>;

/** Declares a step definition with its types checked. */
export function defineStep<S extends StepBase, D>(def: WorkloadStepDef<S, D>): WorkloadStepDef<S, D> {
  return def;
}

/** Names of buffers the loader's pass has seen so far, per family (for `access` and its kin). */
function bufferNames(ctx: StepCheckContext): Map<string, Set<string>> {
  return ctx.scratch("buffers", () => new Map<string, Set<string>>());
}

/** Records, during the loader's pass, that a step makes a buffer `name` of `family`. */
export function declareBuffer(ctx: StepCheckContext, family: string, name: string): void {
  const m = bufferNames(ctx);
  let s = m.get(family);
  if (!s) m.set(family, (s = new Set()));
  s.add(name);
}

/** Records that a buffer is gone (munmap). @returns false when it was not declared */
export function forgetBuffer(ctx: StepCheckContext, family: string, name: string): boolean {
  return bufferNames(ctx).get(family)?.delete(name) ?? false;
}

/** True when some family declared buffer `name` (and did not forget it). */
export function hasBuffer(ctx: StepCheckContext, name: string, family?: string): boolean {
  for (const [f, s] of bufferNames(ctx)) if ((family === undefined || f === family) && s.has(name)) return true;
  return false;
}

/** One machine's workload state: the named handles and the step families' own records. */
export interface WorkloadState {
  readonly handles: HandleTable;
  readonly state: Map<string, unknown>;
}
/** The machine's workload state (registered by the machine; files and metrics read it). */
export const WORKLOAD_STATE = token<WorkloadState>("WorkloadState");

/** A family's record in a workload state, made on first use. */
export function workloadRecord<T>(ws: WorkloadState, key: string, init: () => T): T {
  if (!ws.state.has(key)) ws.state.set(key, init());
  return ws.state.get(key) as T;
}
