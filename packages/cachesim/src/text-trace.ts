// mmsim: libCacheSim's plain-text and CSV trace formats (no kernel counterpart; libCacheSim traceReader/generalReader/txt.c, csv.c)
/*
 * Plain text (`txt`): one object id per line; empty lines are skipped. CSV (`csv`): one request
 * per row, the columns named by libCacheSim's trace parameters (1-based), e.g.
 * `obj-id-col=5,time-col=2,obj-size-col=4,delimiter=,,has-header=true`:
 *
 *   obj-id-col (required for csv), time-col, obj-size-col (alias size-col), cnt-col (the row
 *   stands for that many requests), delimiter (one of , \t | : ; detected from the first line
 *   when not given, as libCacheSim does), has-header (detected likewise), obj-id-is-num.
 *
 * Object ids: as in libCacheSim's cachesim, an id is a string by default — two requests are for
 * the same object when the texts are equal (cachesim interns txt ids with g_quark and hashes csv
 * ids) — and mmsim numbers distinct strings 1, 2, 3, … in order of first appearance (that number
 * is the id an oracleGeneral file written from the trace holds). With obj-id-is-num=true an id
 * is parsed as C's strtoull(s, 0) does (decimal, 0x hex, 0 octal) into an exact uint64.
 * CSV fields follow libcsv's rules as libCacheSim uses them: a field may be double-quoted ("" is
 * a quote), and spaces and tabs around an unquoted field are dropped. Sizes default to 1; a
 * row of size 0 is skipped by a replay. Text formats have no next-access field (NaN): Belady
 * needs an oracleGeneral trace (`writeOracleGeneral` converts one).
 */
import { TraceFormatError } from "@mmsim/core";
import { TraceRecords } from "./trace-records.ts";

/** libCacheSim's trace parameters for csv and txt traces. */
export interface TextTraceParams {
  /** 1-based column of the object id (csv: required). */
  readonly objIdCol?: number;
  readonly timeCol?: number;
  readonly objSizeCol?: number;
  readonly cntCol?: number;
  /** One character; detected from the first line when absent. */
  readonly delimiter?: string;
  /** Detected from the first line when absent. */
  readonly hasHeader?: boolean;
  /** Parse ids as unsigned 64-bit numbers (default false: ids are strings). */
  readonly objIdIsNum?: boolean;
}

const KEYS: Record<string, keyof TextTraceParams> = {
  "obj-id-col": "objIdCol", "obj-id-field": "objIdCol", "time-col": "timeCol", "time-field": "timeCol",
  "obj-size-col": "objSizeCol", "obj-size-field": "objSizeCol", "size-col": "objSizeCol", "size-field": "objSizeCol",
  "cnt-col": "cntCol", "cnt-field": "cntCol", "delimiter": "delimiter", "has-header": "hasHeader", "header": "hasHeader",
  "obj-id-is-num": "objIdIsNum",
};

/**
 * Parses libCacheSim's `-t` trace-parameter string (`key=value` pairs separated by `,` or `;`;
 * `delimiter=,` and `delimiter=\t` as libCacheSim spells them).
 * @throws TraceFormatError naming the unknown key or bad value
 */
export function parseTextTraceParams(text: string, where = "<trace parameters>"): TextTraceParams {
  const out: Record<string, unknown> = {};
  let rest = text.trim();
  while (rest !== "") {
    const eq = rest.indexOf("=");
    if (eq < 0) throw new TraceFormatError("cachesim.parseTextTraceParams", where, 0, `expected key=value, got "${rest}"`);
    const key = rest.slice(0, eq).trim().replace(/_/g, "-").toLowerCase();
    rest = rest.slice(eq + 1);
    let value: string;
    if (key === "delimiter") {
      // the value is one character (or \t), which may itself be , or ;
      if (rest.startsWith("\\t")) {
        value = "\t";
        rest = rest.slice(2);
      } else {
        value = rest[0] ?? ",";
        rest = rest.slice(1);
      }
    } else {
      const m = /^[^,;]*/.exec(rest)!;
      value = m[0].trim();
      rest = rest.slice(m[0].length);
    }
    rest = rest.replace(/^[,; ]+/, "");
    const field = KEYS[key];
    if (field === undefined) {
      throw new TraceFormatError("cachesim.parseTextTraceParams", where, 0, `unknown trace parameter "${key}" (known: ${Object.keys(KEYS).join(", ")})`);
    }
    if (field === "delimiter") out[field] = value;
    else if (field === "hasHeader" || field === "objIdIsNum") {
      if (!/^(true|1|yes|y|false|0|no|n)$/i.test(value)) throw new TraceFormatError("cachesim.parseTextTraceParams", where, 0, `${key}: expected true or false, got "${value}"`);
      out[field] = /^(true|1|yes|y)$/i.test(value);
    } else {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 1) throw new TraceFormatError("cachesim.parseTextTraceParams", where, 0, `${key}: expected a 1-based column number, got "${value}"`);
      out[field] = n;
    }
  }
  return out as TextTraceParams;
}

/** libCacheSim's csv_detect_delimiter: the most frequent of \t , | : in the first line, weighted 4, 3, 2, 1. */
export function detectDelimiter(firstLine: string): string {
  const cands = ["\t", ",", "|", ":"];
  let best = "";
  let max = 0;
  for (let i = 0; i < cands.length; i++) {
    const count = firstLine.split(cands[i]!).length - 1;
    const score = count * (4 - i);
    if (score > max) {
      max = score;
      best = cands[i]!;
    }
  }
  return best;
}

/**
 * libCacheSim's csv_detect_header: the first line is a header unless it has more digits than
 * letters (its second test, fewer digits than letters other than a-f, only confirms "header").
 */
export function detectHeader(firstLine: string): boolean {
  let digits = 0;
  let letters = 0;
  for (const c of firstLine.slice(0, 1023)) {
    if (c >= "0" && c <= "9") digits++;
    else if ((c >= "A" && c <= "Z") || (c >= "a" && c <= "z")) letters++;
  }
  return !(digits > letters);
}

/** strtoull(s, &end, 0) over the whole (trimmed) text, as a uint64 bigint; undefined when it is not a number. */
export function parseUint64C(text: string): bigint | undefined {
  const s = text.trim();
  const m = /^\+?(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m) return undefined;
  const t = m[1]!;
  let v: bigint;
  if (t.length > 1 && (t[1] === "x" || t[1] === "X")) v = BigInt(t);
  else if (t.length > 1 && t[0] === "0") v = BigInt(`0o${t.slice(1)}`);
  else v = BigInt(t);
  // strtoull saturates at ULLONG_MAX
  return v > 0xffffffffffffffffn ? 0xffffffffffffffffn : v;
}

/**
 * Parses text traces line by line into TraceRecords. Strings are decoded per line, so text
 * traces replay slower than oracleGeneral (convert large ones once).
 */
export class TextTraceParser {
  private pending = "";
  private readonly decoder = new TextDecoder("utf-8");
  private line = 0;
  /** Records parsed so far. */
  records = 0;
  private readonly ids = new Map<string, number>();
  private started = false;
  private delimiter = ",";
  private objIdCol = 1;
  /** Requests still to emit for the current row (cnt-col). */
  private repeat = 0;
  private readonly rowRec = { ts: 0, lo: 0, hi: 0, size: 1 };

  constructor(
    readonly file: string,
    readonly kind: "csv" | "txt",
    readonly params: TextTraceParams,
    readonly out: TraceRecords,
  ) {
    if (kind === "csv") {
      if (params.objIdCol === undefined) {
        throw new TraceFormatError("cachesim.readTrace", file, 0, "a csv trace needs its object-id column: give the trace parameter obj-id-col=N (1-based; e.g. --trace-params obj-id-col=5,time-col=2,obj-size-col=4)");
      }
      this.objIdCol = params.objIdCol;
    }
  }

  /** Feeds a chunk of bytes; complete lines go into `out` through `emit`, which the caller drains when full. */
  *feed(chunk: Uint8Array | undefined): Generator<TraceRecords> {
    const text = chunk === undefined ? this.pending + this.decoder.decode() : this.pending + this.decoder.decode(chunk, { stream: true });
    let start = 0;
    for (;;) {
      const nl = text.indexOf("\n", start);
      if (nl < 0) break;
      yield* this.row(text.slice(start, nl));
      start = nl + 1;
    }
    this.pending = text.slice(start);
    if (chunk === undefined && this.pending !== "") {
      const last = this.pending;
      this.pending = "";
      yield* this.row(last);
    }
  }

  private *row(line: string): Generator<TraceRecords> {
    this.line++;
    if (this.kind === "txt") {
      if (line === "") return;
      this.setId(line, 1);
      this.rowRec.size = 1;
      this.rowRec.ts = 0;
      this.repeat = 1;
    } else {
      if (!this.started) {
        this.started = true;
        this.delimiter = this.params.delimiter ?? (detectDelimiter(line) || ",");
        const header = this.params.hasHeader ?? detectHeader(line);
        if (header) return;
      }
      if (line === "" || line === "\r") return;
      const fields = splitCsv(line.endsWith("\r") ? line.slice(0, -1) : line, this.delimiter);
      const p = this.params;
      const id = fields[this.objIdCol - 1];
      if (id === undefined) this.fail(`has ${fields.length} fields, and obj-id-col is ${this.objIdCol}`);
      this.setId(id, this.objIdCol);
      this.rowRec.ts = p.timeCol !== undefined ? this.num(fields[p.timeCol - 1], "time-col", true) : 0;
      this.rowRec.size = p.objSizeCol !== undefined ? this.num(fields[p.objSizeCol - 1], "obj-size-col", false) : 1;
      this.repeat = p.cntCol !== undefined ? this.num(fields[p.cntCol - 1], "cnt-col", false) : 1;
    }
    const out = this.out;
    while (this.repeat > 0) {
      const i = out.count;
      out.timestamp[i] = this.rowRec.ts;
      out.idLo[i] = this.rowRec.lo;
      out.idHi[i] = this.rowRec.hi;
      out.size[i] = this.rowRec.size;
      out.nextAccess[i] = NaN;
      out.count++;
      this.records++;
      this.repeat--;
      if (out.count === out.capacity) yield out;
    }
  }

  private setId(text: string, col: number): void {
    if (this.params.objIdIsNum) {
      const v = parseUint64C(text);
      if (v === undefined) this.fail(`the object id "${text}" (column ${col}) is not a number, and obj-id-is-num is true (set it false to compare ids as strings)`);
      this.rowRec.lo = Number(v & 0xffffffffn);
      this.rowRec.hi = Number(v >> 32n);
      return;
    }
    let id = this.ids.get(text);
    if (id === undefined) {
      id = this.ids.size + 1;
      this.ids.set(text, id);
    }
    this.rowRec.lo = id >>> 0;
    this.rowRec.hi = Math.floor(id / 4294967296);
  }

  private num(field: string | undefined, what: string, float: boolean): number {
    if (field === undefined) this.fail(`has no column for ${what}`);
    const t = field.trim();
    const v = float ? Number.parseFloat(t) : Number(parseUint64C(t) ?? NaN);
    if (!Number.isFinite(v) || v < 0) this.fail(`${what} is "${field}", not a non-negative number`);
    return float ? Math.min(Math.floor(v), 0xffffffff) : Math.min(v, 0xffffffff);
  }

  private fail(problem: string): never {
    throw new TraceFormatError("cachesim.readTrace", this.file, this.line, `line ${this.line} (record ${this.records + 1}): ${problem}`);
  }
}

/** Splits one CSV line as libcsv does for libCacheSim (quotes, "" escapes, unquoted fields trimmed of spaces and tabs). */
export function splitCsv(line: string, delim: string): string[] {
  if (line.indexOf('"') < 0) {
    const parts = line.split(delim);
    for (let i = 0; i < parts.length; i++) parts[i] = trimSpaces(parts[i]!, delim);
    return parts;
  }
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (i < line.length && (line[i] === " " || line[i] === "\t") && line[i] !== delim) i++;
    if (line[i] === '"') {
      let s = "";
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) {
          s += line.slice(i);
          i = line.length;
          break;
        }
        s += line.slice(i, q);
        if (line[q + 1] === '"') {
          s += '"';
          i = q + 2;
        } else {
          i = q + 1;
          break;
        }
      }
      const d = line.indexOf(delim, i);
      out.push(s);
      if (d < 0) break;
      i = d + 1;
    } else {
      const d = line.indexOf(delim, i);
      out.push(trimSpaces(d < 0 ? line.slice(i) : line.slice(i, d), delim));
      if (d < 0) break;
      i = d + 1;
    }
  }
  return out;
}

function trimSpaces(s: string, delim: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s[a] === " " || s[a] === "\t") && s[a] !== delim) a++;
  while (b > a && (s[b - 1] === " " || s[b - 1] === "\t") && s[b - 1] !== delim) b--;
  return s.slice(a, b);
}
