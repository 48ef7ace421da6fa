// mmsim: open a trace in any of libCacheSim's formats and stream it as batches of records (no kernel counterpart; libCacheSim traceReader/reader.c)
import { TraceFormatError } from "@mmsim/core";
import { OracleGeneralParser } from "./oracle-general.ts";
import { TextTraceParser, type TextTraceParams, parseTextTraceParams } from "./text-trace.ts";
import { traceBytes } from "./trace-bytes.ts";
import { DEFAULT_BATCH, TraceRecords } from "./trace-records.ts";

/** The trace formats mmsim reads (libCacheSim's names; `oracleGeneralBin` is an alias). */
export const TRACE_FORMATS = Object.freeze(["oracleGeneral", "csv", "txt"] as const);
export type TraceFormat = (typeof TRACE_FORMATS)[number];

/** How to read a trace. */
export interface TraceReadOptions {
  /** The format; detected from the file name when absent (as libCacheSim's detect_trace_type). */
  readonly format?: TraceFormat;
  /** csv/txt parameters, as an object or libCacheSim's `-t` string. */
  readonly params?: TextTraceParams | string;
  /** Records per batch (default 65536). */
  readonly batch?: number;
}

/**
 * The format a file name implies, as libCacheSim's detect_trace_type reads names
 * (`…oracleGeneral…`, `.csv`, `.txt`, with or without `.zst`), or undefined.
 */
export function detectTraceFormat(path: string): TraceFormat | undefined {
  const name = path.replace(/^.*[/\\]/, "").toLowerCase();
  if (name.includes("oraclegeneral")) return "oracleGeneral";
  if (/\.csv(\.zst)?$/.test(name)) return "csv";
  if (/\.txt(\.zst)?$/.test(name)) return "txt";
  return undefined;
}

/** Parses a format name (case-insensitive; `oracleGeneralBin` is oracleGeneral). */
export function parseTraceFormat(text: string): TraceFormat {
  const t = text.toLowerCase();
  if (t === "oraclegeneral" || t === "oraclegeneralbin") return "oracleGeneral";
  if (t === "csv" || t === "txt") return t;
  throw new TraceFormatError("cachesim.parseTraceFormat", "<options>", 0, `unknown trace format "${text}" (known: ${TRACE_FORMATS.join(", ")})`);
}

/** The format to read `path` with: the given one, or the one its name implies. */
export function traceFormatOf(path: string, format: TraceFormat | undefined): TraceFormat {
  const f = format ?? detectTraceFormat(path);
  if (f === undefined) {
    throw new TraceFormatError(
      "cachesim.readTrace", path, 0,
      `cannot tell the trace format from the file name: name it (oracleGeneral, csv or txt), e.g. --format oracleGeneral, or rename the file to *.oracleGeneral.bin, *.csv or *.txt`,
    );
  }
  return f;
}

/**
 * Streams the records of a trace in batches. The yielded TraceRecords is reused for every
 * batch: use it before asking for the next. Memory is one batch plus the read buffers,
 * whatever the trace's length (plus, for string ids of csv/txt, one map entry per distinct id).
 * @throws TraceFormatError (file, record or line, what is wrong) on an unreadable or misformatted trace
 */
export async function* readTrace(path: string, options: TraceReadOptions = {}): AsyncGenerator<TraceRecords> {
  const format = traceFormatOf(path, options.format);
  const out = new TraceRecords(options.batch ?? DEFAULT_BATCH);
  if (format === "oracleGeneral") {
    const p = new OracleGeneralParser(path, out);
    for await (const chunk of traceBytes(path)) {
      let pos = 0;
      while (pos < chunk.length) {
        pos = p.parse(chunk, pos);
        if (out.count === out.capacity) {
          yield out;
          out.first += out.count;
          out.count = 0;
        }
      }
    }
    p.finish();
    if (out.count > 0) yield out;
    return;
  }
  const params = typeof options.params === "string" ? parseTextTraceParams(options.params) : (options.params ?? {});
  const p = new TextTraceParser(path, format, params, out);
  const drain = function* (g: Generator<TraceRecords>) {
    for (const full of g) {
      yield full;
      full.first += full.count;
      full.count = 0;
    }
  };
  for await (const chunk of traceBytes(path)) yield* drain(p.feed(chunk));
  yield* drain(p.feed(undefined));
  if (out.count > 0) yield out;
}
