// mmsim: pid allocation against kernel/pid.c and lib/idr.c (v6.1)
import { EAGAIN, EINVAL } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { PID_MAX_DEFAULT, PidAllocator, RESERVED_PIDS } from "./pid.ts";

describe("PidAllocator (alloc_pid: idr_alloc_cyclic)", () => {
  it("starts at 1 and goes on from the last pid, not from the lowest free one", () => {
    const a = new PidAllocator(2);
    expect([a.allocPid(), a.allocPid(), a.allocPid()]).toEqual([1, 2, 3]);
    a.freePid(2);
    expect(a.allocPid()).toBe(4); // cyclic: 2 is not reused yet
    expect(a.nrPids).toBe(3);
  });

  it("pid_max is 32768 for few CPUs and 1024 per possible CPU beyond (pid_idr_init)", () => {
    expect(new PidAllocator(2).pidMax).toBe(PID_MAX_DEFAULT);
    expect(new PidAllocator(256).pidMax).toBe(262144);
    expect(new PidAllocator(2).pidMaxMin).toBe(RESERVED_PIDS + 1);
    expect(new PidAllocator(64).pidMaxMin).toBe(512);
  });

  it("wraps back to RESERVED_PIDS (300), not 1, and fails with -EAGAIN when all are taken", () => {
    const a = new PidAllocator(1);
    expect(a.setPidMax(400)).toBe(0);
    for (let i = 1; i < 400; i++) expect(a.allocPid()).toBe(i);
    expect(a.allocPid()).toBe(-EAGAIN);
    a.freePid(5);
    a.freePid(300);
    a.freePid(350);
    expect(a.allocPid()).toBe(300); // the wrap starts at 300: pid 5 stays free
    expect(a.allocPid()).toBe(350);
    expect(a.allocPid()).toBe(-EAGAIN);
  });

  it("kernel.pid_max accepts [pid_max_min, 4194304] only", () => {
    const a = new PidAllocator(1);
    expect(a.setPidMax(300)).toBe(-EINVAL);
    expect(a.setPidMax(4194305)).toBe(-EINVAL);
    expect(a.setPidMax(4194304)).toBe(0);
    expect(() => a.freePid(7)).toThrow(/pid 7 is not allocated/);
  });
});
