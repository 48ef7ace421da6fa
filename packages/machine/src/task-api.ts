// mmsim: the contract between the workload's task engine, the process module and the steps that fork, spawn, exit, wait and sleep (no kernel counterpart)
import { type StepBase, token } from "@mmsim/core";

/** What the process module provides so the engine can run tasks. */
export interface TaskHost {
  /** The first task (init), made when the workload starts. @returns its pid */
  init(): number;
  /** Makes `pid` the running task of `cpu` before one of its steps. Kernel: `context_switch()`. */
  switchTo(pid: number, cpu: number): void;
  /** The task ends with `code` (its program ran out, or an exit step). Kernel: `do_exit()`. */
  exit(pid: number, code: number): void;
  /** The parent of a task, for waking it when the task exits. */
  parentOf(pid: number): number | undefined;
  /** A SIGKILL is pending for the task (the OOM killer's): it dies instead of running its next step. Kernel: `fatal_signal_pending()`. */
  fatalSignalPending?(pid: number): boolean;
  /** Sets what the host calls when a task gets a SIGKILL (the engine wakes a blocked or sleeping victim to die). */
  setSigkillWaker?(wake: ((pid: number) => void) | null): void;
}

/** The machine's process module's TaskHost, when it has tasks. */
export const TASK_HOST = token<TaskHost>("TaskHost");

/** What steps may ask of the engine (fork, spawn, exit, wait, sleep). */
export interface TaskEngineApi {
  /** The running task's pid, and the CPU it runs on. */
  readonly currentPid: number;
  readonly currentCpu: number;
  /** Starts `steps` as the program of the task `pid` just made by the current one (fork, spawn). */
  start(pid: number, steps: readonly StepBase[]): void;
  /** Ends the current task after this step with `code`. */
  exitCurrent(code: number): void;
  /**
   * Blocks the current task; the step runs again when the task is woken (wait() for a child), or,
   * with a sleep() in the same step, when the sleep ends (a poll() with a timeout).
   */
  blockAndRetry(): void;
  /** Lets `ns` of simulated time pass for the current task (other tasks run meanwhile). */
  sleep(ns: number): void;
  /** True while `pid` has a program not yet finished. */
  isRunning(pid: number): boolean;
  /** The local time of a CPU (the running step's CPU: the machine's clock now). Kernel: `cpu_clock()`. */
  cpuClock(cpu: number): number;
}

/** The engine the machine registers for the steps of a running workload. */
export const TASK_ENGINE = token<TaskEngineApi>("TaskEngine");
