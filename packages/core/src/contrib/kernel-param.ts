// Kernel: include/linux/init.h (struct obs_kernel_param, early_param, __setup), init/main.c (parse_early_param, do_early_param, unknown_bootoption, obsolete_checksetup), kernel/params.c (parse_args, parameq, parameqn), lib/cmdline.c (next_arg, get_option) (v6.1) — the boot command line reaching the code that parses it
/*
 * The kernel command line (a scenario's `machine.cmdline`, what /proc/cmdline shows) reaches the
 * subsystems as in 6.1: each one declares the parameters it implements, and the boot calls their
 * handlers. A module contributes one KernelParam per parameter (the kernel's `struct
 * obs_kernel_param`, made by `early_param()` or `__setup()`); the machine registers the line
 * under BOOT_COMMAND_LINE and runs the two passes of start_kernel():
 *
 *   parse_early_param()  in setup_arch(), after setup_machine_fdt(): every word goes to each
 *                        early_param() whose name equals the word's name (`-` and `_` are the
 *                        same), with the value after `=` (undefined for a bare word); a handler
 *                        that returns non-zero gets "Malformed early option '%s'".
 *   parse_args("Booting kernel")  right after "Kernel command line: …": each word that no
 *                        module_param() claims goes to unknown_bootoption() → obsolete_checksetup():
 *                        the __setup() handlers whose name is a prefix of the word ("slub_debug"
 *                        matches `slub_debug`, `slub_debug=FZ`, and `slub_debugX`), in link
 *                        order, with the rest of the word after the name, until one returns
 *                        non-zero. Early parameters are skipped there (done already).
 *
 * Both passes split words as next_arg() does (double quotes group spaces and are dropped) and
 * stop at `--`, after which the words belong to init. A handler writes the subsystem's boot
 * variable (memblock_debug, slub_debug, …) — in mmsim a field of the module's per-machine
 * service or options — and may print what the kernel prints there.
 *
 * Not modelled: module_param()s given as `module.param=value` (no module of mmsim has one),
 * the sysctl aliases of unknown_bootoption(), bootconfig, and the "Unknown kernel command line
 * parameters" line (the reference kernel implements hundreds of parameters mmsim has no
 * handler for, such as console=, so mmsim cannot tell which words the kernel would call unknown).
 */
import { token } from "../di/token.ts";

/**
 * One parameter a subsystem implements. Kernel: `struct obs_kernel_param`, declared with
 * `early_param(str, fn)` (early: true) or `__setup(str, fn)` (early: false).
 */
export interface KernelParam {
  /**
   * The name as declared: `"memblock"` (early_param: the whole name), `"slub_debug"` or
   * `"slub_min_order="` (__setup: a prefix of the word, with its `=` when the handler wants only
   * the value).
   */
  readonly str: string;
  readonly early: boolean;
  /**
   * The handler (`setup_func`). early_param: gets the value after `=`, undefined for a bare word;
   * returns 0, or non-zero for a malformed value. __setup: gets the rest of the word after `str`
   * (`"=FZ"` for `slub_debug=FZ` with str "slub_debug"; `""` for a bare `slub_debug`); returns
   * non-zero when it handled the word (1 in the kernel), 0 to let a later handler try.
   */
  setup(arg: string | undefined): number;
}
export const KernelParam = token<KernelParam>("KernelParam");

/** The kernel command line as the bootloader passed it. Kernel: `boot_command_line`; the machine registers it. */
export const BOOT_COMMAND_LINE = token<string>("BootCommandLine");

/** Kernel: `early_param(str, fn)`. */
export function earlyParam(str: string, setup: (val: string | undefined) => number): KernelParam {
  return { str, early: true, setup };
}

/** Kernel: `__setup(str, fn)`: `fn` gets the rest of the word after `str` and returns 1 when it handled it. */
export function setupParam(str: string, setup: (rest: string) => number): KernelParam {
  return { str, early: false, setup: (arg) => setup(arg ?? "") };
}

/** Kernel: `isspace()` of lib/ctype.c for the characters a command line holds. */
function isSpace(c: string | undefined): boolean {
  return c === " " || c === "\t" || c === "\n" || c === "\v" || c === "\f" || c === "\r";
}

function skipSpaces(s: string, pos: number): number {
  while (pos < s.length && isSpace(s[pos])) pos++;
  return pos;
}

/** One word of the command line. */
export interface CmdlineArg {
  readonly param: string;
  /** The text after the first `=` (quotes dropped), or undefined when the word has none. */
  readonly val: string | undefined;
}

/**
 * The word at `pos` and where the next one starts (trailing spaces skipped).
 * Kernel: `next_arg()` (lib/cmdline.c): a word ends at a space outside double quotes; a word
 * starting with `"` loses that quote and a closing one; a value starting with `"` loses it and a
 * closing one; an `=` at the very start of a word does not split it.
 */
export function nextArg(args: string, pos: number): CmdlineArg & { readonly next: number } {
  let start = pos;
  let inQuote = false;
  let quoted = false;
  if (args[start] === '"') {
    start++;
    inQuote = true;
    quoted = true;
  }
  let equals = 0;
  let i = 0;
  for (; start + i < args.length; i++) {
    const c = args[start + i];
    if (isSpace(c) && !inQuote) break;
    if (equals === 0 && c === "=") equals = i;
    if (c === '"') inQuote = !inQuote;
  }
  const word = args.slice(start, start + i);
  let cut = i; // where a closing quote is cut off (args[i-1] = '\0' in the kernel)
  let param: string;
  let val: string | undefined;
  let valStart = 0;
  if (equals !== 0) {
    valStart = equals + 1;
    if (word[valStart] === '"') {
      valStart++;
      if (word[i - 1] === '"') cut = i - 1;
    }
  }
  if (quoted && i > 0 && word[i - 1] === '"') cut = i - 1;
  if (equals === 0) {
    param = word.slice(0, cut);
    val = undefined;
  } else {
    param = word.slice(0, equals);
    val = word.slice(valStart, Math.max(valStart, cut));
  }
  let next = start + i;
  if (next < args.length) next++;
  return { param, val, next: skipSpaces(args, next) };
}

/**
 * Every word of a command line up to `--`. Kernel: `parse_args()` with no module parameters,
 * every word going to the `unknown` callback.
 * @returns the text after `--` (init's arguments), or undefined when there is none
 */
export function parseArgs(args: string, unknown: (param: string, val: string | undefined) => void): string | undefined {
  let pos = skipSpaces(args, 0);
  while (pos < args.length) {
    const a = nextArg(args, pos);
    pos = a.next;
    if (a.val === undefined && a.param === "--") return args.slice(pos);
    unknown(a.param, a.val);
  }
  return undefined;
}

/** `-` and `_` are the same in parameter names. Kernel: `dash2underscore()`. */
function dash2underscore(c: string | undefined): string | undefined {
  return c === "-" ? "_" : c;
}

/** The first `n` characters of two names agree (dashes = underscores). Kernel: `parameqn()`. */
export function parameqn(a: string, b: string, n: number): boolean {
  for (let i = 0; i < n; i++) if (dash2underscore(a[i]) !== dash2underscore(b[i])) return false;
  return true;
}

/** Two names are equal (dashes = underscores). Kernel: `parameq()`. */
export function parameq(a: string, b: string): boolean {
  return a.length === b.length && parameqn(a, b, a.length);
}

/** What the boot prints through: the kernel log (KernelLog fits). */
export interface ParamLog {
  prWarn(text: string): void;
}

/**
 * The early pass: each word to every early_param() of its name. Kernel: `parse_early_param()`
 * → `parse_early_options()` → `do_early_param()` (also giving `console=` to "earlycon").
 */
export function parseEarlyParam(cmdline: string, params: readonly KernelParam[], log: ParamLog): void {
  parseArgs(cmdline, (param, val) => {
    for (const p of params) {
      if ((p.early && parameq(param, p.str)) || (param === "console" && p.str === "earlycon")) {
        if (p.setup(val) !== 0) log.prWarn(`Malformed early option '${param}'`);
      }
    }
  });
}

/**
 * One word for the __setup() handlers. Kernel: `obsolete_checksetup()`.
 * @param line the word as `param=value` (repair_env_string() rejoins it)
 * @returns true when a handler took it, or it is an early parameter (handled before)
 */
export function obsoleteChecksetup(line: string, params: readonly KernelParam[]): boolean {
  let hadEarlyParam = false;
  for (const p of params) {
    const n = p.str.length;
    if (!parameqn(line, p.str, n)) continue;
    if (p.early) {
      // Already done in parse_early_param (needs an exact match on the name); keep looking, as a
      // name can have both an early_param and a __setup.
      if (line.length === n || line[n] === "=") hadEarlyParam = true;
    } else if (p.setup(line.slice(n)) !== 0) {
      return true;
    }
  }
  return hadEarlyParam;
}

/** Bootloader identifiers unknown_bootoption() drops. */
const BOOTLOADER_IDS = ["BOOT_IMAGE=", "kexec"];

/**
 * The __setup() pass of start_kernel(), right after "Kernel command line:". Kernel:
 * `parse_args("Booting kernel", …, unknown_bootoption)` → `repair_env_string()`, the bootloader
 * identifiers, `obsolete_checksetup()`.
 * @returns the words no handler took (the kernel passes them to init, or ignores a `module.param`)
 */
export function parseBootParams(cmdline: string, params: readonly KernelParam[]): string[] {
  const left: string[] = [];
  parseArgs(cmdline, (param, val) => {
    const line = val === undefined ? param : `${param}=${val}`;
    if (BOOTLOADER_IDS.some((id) => line.startsWith(id))) return;
    if (!obsoleteChecksetup(line, params)) left.push(line);
  });
  return left;
}

/**
 * The leading integer of a parameter value: an optional `-`, then a number in C notation
 * (0x… hex, 0… octal, else decimal), kept to an int. Kernel: `get_option()` (lib/cmdline.c).
 * @returns the value, or undefined when no digit follows (get_option returns 0 and leaves the variable)
 */
export function getOption(s: string): number | undefined {
  const m = /^(-?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/.exec(s);
  if (!m) return undefined;
  const body = m[2]!;
  const v = /^0[xX]/.test(body) ? Number.parseInt(body.slice(2), 16) : body.length > 1 && body.startsWith("0") ? Number.parseInt(body, 8) : Number.parseInt(body, 10);
  return (m[1] === "-" ? -v : v) | 0;
}
