// mmsim: records fired tracepoints for tests (cf. a trace_pipe reader)
import { TRACEPOINTS, type TraceBus, type TracepointId } from "../trace.ts";

/** One recorded event, with its fields by name. */
export interface RecordedEvent {
  readonly name: string;
  readonly tsNs: number;
  readonly fields: Readonly<Record<string, number>>;
}

/** Attaches to a TraceBus and keeps every event it sees. */
export class TraceRecorder {
  readonly events: RecordedEvent[] = [];
  private readonly detach: () => void;

  constructor(bus: TraceBus, tracepoints?: readonly TracepointId[]) {
    this.detach = bus.attach((tp, tsNs, a0, a1, a2, a3, a4, a5) => {
      const info = TRACEPOINTS[tp]!;
      const args = [a0, a1, a2, a3, a4, a5];
      const fields: Record<string, number> = {};
      info.fields.forEach(([name], i) => (fields[name] = args[i]!));
      this.events.push({ name: info.name, tsNs, fields });
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
