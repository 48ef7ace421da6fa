// mmsim: records fired tracepoints for tests (cf. a trace_pipe reader)
import { TRACEPOINTS, type TraceBus, type TracepointId } from "../trace.ts";
import { formatTraceRecord } from "../trace-format.ts";

/** One recorded event, with its fields by name. */
export interface RecordedEvent {
  readonly name: string;
  readonly tsNs: number;
  readonly fields: Readonly<Record<string, number>>;
  /** The line the trace buffer prints after the timestamp: `name: TP_printk text`. */
  readonly text: string;
}

/** Attaches to a TraceBus and keeps every event it sees. */
export class TraceRecorder {
  readonly events: RecordedEvent[] = [];
  private readonly detach: () => void;

  constructor(bus: TraceBus, tracepoints?: readonly TracepointId[]) {
    this.detach = bus.attach((tp, tsNs, _a0, _a1, _a2, _a3, _a4, _a5, args) => {
      const info = TRACEPOINTS[tp]!;
      const fields: Record<string, number> = {};
      info.fields.forEach(([name], i) => (fields[name] = args[i]!));
      this.events.push({ name: info.name, tsNs, fields, text: formatTraceRecord(tp, args, bus) });
    }, tracepoints);
  }

  /** Events of one tracepoint, by kernel name. */
  named(name: string): RecordedEvent[] {
    return this.events.filter((e) => e.name === name);
  }

  /** Stops recording. */
  stop(): void {
    this.detach();
  }
}
