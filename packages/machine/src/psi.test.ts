// mmsim: PSI on a booted machine (issue 19 part 1) — direct reclaim marks the task's memstall on its CPU, /proc/pressure/* in 6.1's format, a trigger written by one task fires for its poll() while another thrashes
import { describe, expect, it } from "vitest";
import { Machine } from "./machine.ts";
import { loadScenario } from "./scenario.ts";

const LINE = /^(some|full) avg10=(\d+\.\d\d) avg60=(\d+\.\d\d) avg300=(\d+\.\d\d) total=(\d+)$/;

describe("pressure stall information", () => {
  it("a thrashing task's direct reclaim shows as memory some/full; a trigger written before the stall fires a watcher's poll()", () => {
    const m = Machine.create(
      loadScenario(
        `machine:\n  memory: 64M\n  cpus: 1\nworkload:\n` +
          `  - zram: { size: 8M }\n  - sleep: 1000\n` +
          `  - spawn: { as: watcher, path: /bin/watcher, steps: [ { write: { path: /proc/pressure/memory, value: "some 2000 1000000" } }, { poll: { path: /proc/pressure/memory, timeout: 5000 } } ] }\n` +
          `  - spawn: { as: hog, path: /bin/hog, steps: [ { sleep: 100 }, { mmap: { as: a, size: 36M } }, { access: { as: a, write: true, content: random } }, { access: { as: a, pages: 256 } } ] }\n` +
          `  - wait: { for: hog }\n  - wait: { for: watcher }\n  - sleep: 2100\n`,
        "psi.yaml",
      ),
    );
    m.boot();
    const before = m.readFile("/proc/pressure/memory")!;
    expect(before).toBe("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=0\n");
    const r = m.runWorkload();
    expect(r.panic).toBeUndefined();
    const mem = m.readFile("/proc/pressure/memory")!.trimEnd().split("\n").map((l) => LINE.exec(l)!);
    expect(mem.map((x) => x[1])).toEqual(["some", "full"]);
    const some = Number(mem[0]![5]);
    const full = Number(mem[1]![5]);
    expect(some).toBeGreaterThan(2000); // µs
    // one CPU: while the hog reclaims, nothing else runs — every stalled µs is full
    expect(full).toBe(some);
    // io and cpu: the files exist in the same format (no I/O wait is modelled)
    for (const f of ["/proc/pressure/io", "/proc/pressure/cpu"]) expect(m.readFile(f)!.trimEnd().split("\n").every((l) => LINE.test(l))).toBe(true);
    const syscalls = m.readFile("/sys/kernel/debug/mmsim/syscalls")!;
    expect(syscalls).toMatch(/poll \/proc\/pressure\/memory.*POLLPRI \(some 2000 1000000\) after \d+ ms/);
  }, 30_000);

  it("a trigger the kernel refuses is an error naming what to write", () => {
    const m = Machine.create(loadScenario(`machine:\n  memory: 64M\nworkload:\n  - write: { path: /proc/pressure/memory, value: "some 5000 100" }\n`, "psi.yaml"));
    m.boot();
    expect(() => m.runWorkload()).toThrow(/psi_trigger_create refuses "some 5000 100" \(EINVAL\): write "some\|full <threshold µs> <window µs>"/);
  });
});
