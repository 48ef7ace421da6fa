import { describe, expect, it } from "vitest";
import { SimClock } from "./clock.ts";
import { TraceRecorder } from "./testing/trace-recorder.ts";
import { NR_TRACEPOINTS, TP_MM_PAGE_ALLOC, TP_MM_PAGE_FREE, TRACEPOINTS, TraceBus, tracepointByName } from "./trace.ts";

describe("TraceBus", () => {
  it("is off until a handler attaches, and off again after it detaches", () => {
    const bus = new TraceBus();
    expect(bus.on).toBe(false);
    const detach = bus.attach(() => {});
    expect(bus.on).toBe(true);
    detach();
    detach();
    expect(bus.on).toBe(false);
  });

  it("delivers fields by kernel name with the simulated time", () => {
    const clock = new SimClock();
    const bus = new TraceBus(clock);
    const rec = new TraceRecorder(bus, [TP_MM_PAGE_ALLOC]);
    clock.advance(1500);
    bus.emit(TP_MM_PAGE_ALLOC, 0x40000, 3, 0xcc0, 0, 0, 0);
    bus.emit(TP_MM_PAGE_FREE, 0x40000, 3, 0, 0, 0, 0); // not subscribed
    expect(rec.events).toEqual([{ name: "mm_page_alloc", tsNs: 1500, fields: { pfn: 0x40000, order: 3, gfp_flags: 0xcc0, migratetype: 0 } }]);
    expect(bus.enabled(TP_MM_PAGE_FREE)).toBe(false);
    rec.stop();
    expect(bus.on).toBe(false);
  });

  it("has dense ids and unique kernel names", () => {
    expect(TRACEPOINTS.length).toBe(NR_TRACEPOINTS);
    TRACEPOINTS.forEach((t, i) => expect(t.id).toBe(i));
    expect(new Set(TRACEPOINTS.map((t) => t.name)).size).toBe(NR_TRACEPOINTS);
    expect(tracepointByName("mm_page_alloc_extfrag")?.system).toBe("kmem");
    expect(tracepointByName("nope")).toBeUndefined();
  });
});
