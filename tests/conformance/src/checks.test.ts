// mmsim: tests of the comparator itself — it must catch what differs, and only excuse what it names
import { describe, expect, it } from "vitest";
import {
  type Fixture, type SimulatedBoard, UNNAMED_LATER_BOOT_KB, conformanceChecks, dmesgLines, findFixture, laterBootUse, loggedLaterAllocations, memAvailableEstimates,
  parseMemoryLine, parseMeminfo, parseZoneinfo, pcpListKb, shapeOf, summarize,
} from "./index.ts";

const ref = findFixture({ name: "virt-1g-2cpu" });

/** A "simulated" board that prints exactly what the capture printed, with edits. */
function echoBoard(fixture: Fixture, edit: (path: string, text: string) => string = (_p, t) => t): SimulatedBoard {
  return {
    dmesg: () => edit("dmesg", fixture.file("dmesg")!),
    readFile(path) {
      if (path.startsWith("/proc/sys/vm/")) {
        const name = path.slice("/proc/sys/vm/".length);
        const line = fixture.file("/proc/sys/vm")!.split("\n").find((l) => l.startsWith(`${name}: `));
        return line === undefined ? undefined : edit(path, `${line.slice(name.length + 2)}\n`);
      }
      const slab = /^\/sys\/kernel\/slab\/([^/]+)\/(\w+)$/.exec(path);
      if (slab) {
        const line = fixture.file("/sys/kernel/slab/kmalloc-all")!.split("\n").find((l) => l.startsWith(`${slab[1]} `));
        const m = line && new RegExp(` ${slab[2]}=(\\S*)`).exec(line);
        return m ? `${m[1]}\n` : undefined;
      }
      const t = fixture.file(path);
      return t === undefined ? undefined : edit(path, t);
    },
  };
}

describe("conformanceChecks", () => {
  it("passes the capture compared with itself", () => {
    const checks = conformanceChecks(echoBoard(ref), ref, ["min_free_kbytes", "lowmem_reserve_ratio"]);
    expect(summarize(checks).failed).toBe(0);
    expect(checks.find((c) => c.item === "lowmem_reserve_ratio")?.real).toBe("256 256 32 0");
  });

  it("fails an exact figure that differs by one page", () => {
    const board = echoBoard(ref, (p, t) => (p === "/proc/zoneinfo" ? t.replace(/(\n +min +)5632/, "$15633") : t));
    const bad = conformanceChecks(board, ref, []).filter((c) => !c.ok);
    expect(bad.map((c) => [c.kind, c.item, c.mmsim, c.real])).toEqual([["exact", "Node 0 DMA min", "5633", "5632"]]);
  });

  it("excuses a watermark only when the what-if boot with the real managed counts gives the real value", () => {
    const board = echoBoard(ref, (p, t) => (p === "/proc/zoneinfo" ? t.replace(/(\n +min +)5632/, "$15633") : t));
    const fixed = conformanceChecks(board, ref, [], () => echoBoard(ref));
    expect(fixed.find((c) => c.item === "Node 0 DMA min")).toMatchObject({ kind: "known", ok: true, mmsim: "5633" });
    const still = conformanceChecks(board, ref, [], () => board);
    expect(still.find((c) => c.item === "Node 0 DMA min")).toMatchObject({ kind: "exact", ok: false });
  });

  it("excuses min_free_kbytes only when the what-if boot gives the real value, and boots it once", () => {
    const off = (t: string) => t.replace(/^min_free_kbytes: 22528$/m, "min_free_kbytes: 22529");
    const board = echoBoard(ref, (p, t) => (p === "/proc/sys/vm/min_free_kbytes" ? "22529\n" : p === "/proc/sys/vm" ? off(t) : t));
    let boots = 0;
    const whatIf = (b: SimulatedBoard) => () => {
      boots++;
      return b;
    };
    const fixed = conformanceChecks(board, ref, ["min_free_kbytes"], whatIf(echoBoard(ref)));
    expect(fixed.find((c) => c.item === "min_free_kbytes")).toMatchObject({ kind: "known", ok: true, mmsim: "22529", real: "22528" });
    const still = conformanceChecks(board, ref, ["min_free_kbytes"], whatIf(board));
    expect(still.find((c) => c.item === "min_free_kbytes")).toMatchObject({ kind: "exact", ok: false });
    expect(boots).toBe(2);
  });

  it("fails a close figure outside its tolerance and passes one inside", () => {
    const off = (k: number) => echoBoard(ref, (p, t) => (p === "dmesg" ? t.replace(/(\d+)K reserved/, (_m, n: string) => `${Number(n) + k}K reserved`) : t));
    const at = (k: number) => conformanceChecks(off(k), ref, []).find((c) => c.item === "Memory: reserved")!;
    expect(at(200)).toMatchObject({ ok: true, delta: 200 });
    expect(at(2000)).toMatchObject({ ok: false, delta: 2000 });
  });

  it("fails a file whose lines are missing or out of order", () => {
    const board = echoBoard(ref, (p, t) => (p === "/proc/meminfo" ? t.replace(/^Cached:.*\n/m, "") : t));
    const bad = conformanceChecks(board, ref, []).filter((c) => !c.ok);
    expect(bad[0]).toMatchObject({ kind: "shape", file: "/proc/meminfo", item: "line 5", mmsim: "SwapCached: # kB", real: "Cached: # kB" });
  });

  it("reports a line mmsim does not print as missing", () => {
    const board = echoBoard(ref, (p, t) => (p === "dmesg" ? t.replace(/^.*Policy zone.*\n/m, "") : t));
    expect(conformanceChecks(board, ref, []).find((c) => c.item.startsWith("Policy zone"))).toMatchObject({ ok: false, mmsim: "(missing)" });
  });
});

describe("later-boot use", () => {
  it("counts the hash tables and DMA pools the real log reports after the Memory: line, in whole pages", () => {
    const lines = dmesgLines(ref.file("dmesg")!);
    const logged = loggedLaterAllocations(lines);
    // Dentry and Inode-cache come from memblock before `Memory:`; MPTCP's 24576 bytes are 6 pages.
    expect(logged.some((a) => a.line.startsWith("Dentry cache"))).toBe(false);
    expect(logged.find((a) => a.line.startsWith("MPTCP token"))?.kb).toBe(24);
    expect(logged.filter((a) => a.line.startsWith("DMA: preallocated")).map((a) => a.kb)).toEqual([128, 128, 128]);
    expect(logged.find((a) => a.line.startsWith("VFS: Dquot-cache"))?.kb).toBe(4);
    expect(logged.reduce((s, a) => s + a.kb, 0)).toBe(1220);
  });

  it("adds the pages on every CPU's per-CPU lists (zoneinfo count), real − mmsim", () => {
    expect(pcpListKb(ref.file("/proc/zoneinfo"))).toBe((1830 + 459) * 4);
    const sim = ref.file("/proc/zoneinfo")!.replace(/count: 459/, "count: 0");
    const later = laterBootUse(
      { meminfo: ref.file("/proc/meminfo"), zoneinfo: sim, dmesg: dmesgLines(ref.file("dmesg")!) },
      { meminfo: ref.file("/proc/meminfo")!, zoneinfo: ref.file("/proc/zoneinfo"), dmesg: dmesgLines(ref.file("dmesg")!) },
    );
    // The same log on both sides: nothing logged is missing from mmsim's; the same meminfo: nothing there either.
    expect(later).toEqual({ meminfo: 0, pcpLists: 459 * 4, logged: 0, early: 0, total: 459 * 4 });
  });

  it("recomputes si_mem_available's estimates from meminfo and the low watermarks", () => {
    const m = parseMeminfo(ref.file("/proc/meminfo")!);
    // No file LRU; KReclaimable 8028 kB = 2007 pages, less min(1003, low 7040) = 1004 pages.
    expect([m.get("Active(file)"), m.get("Inactive(file)"), m.get("KReclaimable")]).toEqual([0, 0, 8028]);
    expect(memAvailableEstimates(m, ref.file("/proc/zoneinfo"))).toBe(1004 * 4);
    // and with them, free − totalreserve (high 8448 pages) gives the real MemAvailable
    expect(m.get("MemFree")! - 8448 * 4 + memAvailableEstimates(m, ref.file("/proc/zoneinfo"))).toBe(m.get("MemAvailable"));
  });

  it("makes a figure out of tolerance only by the unnamed remainder a known difference, and fails one beyond it", () => {
    // On the 256 MiB capture 0.5 % of MemFree + later-boot use is ~1.1 MiB, less than UNNAMED_LATER_BOOT_KB.
    const small = findFixture({ name: "virt-256m-2cpu" });
    const free = (k: number) => echoBoard(small, (p, t) => (p === "/proc/meminfo" ? t.replace(/^(MemFree: +)(\d+)/m, (_m, a: string, n: string) => `${a}${Number(n) + k}`) : t));
    const at = (k: number) => conformanceChecks(free(k), small, []).find((c) => c.item === "MemFree + later-boot use")!;
    expect(at(1000)).toMatchObject({ kind: "close", ok: true, delta: 1000 });
    expect(at(1500)).toMatchObject({ kind: "known", ok: true, mmsim: String(207936 + 1500) });
    expect(at(1500).reason).toMatch(/fixed cost of the real boot/);
    expect(at(UNNAMED_LATER_BOOT_KB + 4)).toMatchObject({ kind: "close", ok: false });
    expect(at(-1500)).toMatchObject({ kind: "close", ok: false });
  });
});

describe("parsers", () => {
  it("read zoneinfo zones, watermarks and pcp per CPU", () => {
    const dma = parseZoneinfo(ref.file("/proc/zoneinfo")!).find((z) => z.zone === "DMA")!;
    expect([dma.fields.get("min"), dma.fields.get("spanned"), dma.pcp.length, dma.pcp[1]]).toEqual(["5632", "262144", 2, { cpu: 1, count: "459", high: "3520", batch: "63" }]);
  });
  it("read the Memory: line and line shapes", () => {
    expect(parseMemoryLine("Memory: 98324K/1048576K available (13248K kernel code, 54976K reserved, 65536K cma-reserved)")).toEqual(
      new Map([["available", 98324], ["total", 1048576], ["kernel code", 13248], ["reserved", 54976], ["cma-reserved", 65536]]),
    );
    expect(shapeOf("Node 0, zone      DMA   1   2")).toBe("Node #, zone DMA # #");
  });
  it("find a fixture by RAM and CPUs, and say which exist when none matches", () => {
    expect(findFixture({ memBytes: 4 * 2 ** 30, smp: 4 }).name).toBe("linux-6.1-arm64/virt-4g-4cpu");
    expect(() => findFixture({ memBytes: 3 * 2 ** 30, smp: 2 })).toThrow(/--mem\/--smp: expected a board with a real capture: .*virt-1g-2cpu \(--mem 1G --smp 2\).*got a board with 3072 MiB and 2 CPUs/);
  });
});
