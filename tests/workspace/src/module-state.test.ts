// mmsim: no module-level mutable state in simulator code (issue 13 part 7): every machine in a process owns all of its state.
/*
 * Two machines in one process must not share anything that changes: a module-level `let`, a
 * module-level array that a function pushes to, or a scratch typed array would leak one machine's
 * run into another's (and survive an exception in a half-updated state). The TypeScript compiler
 * API parses every file under packages/<name>/src that is not a test (no type checking; scopes
 * are resolved, so a local that shadows a module-level name is not that name) and rejects:
 *   - a module-level `let` or `var`, and a static class field that is not `readonly`;
 *   - a module-level `const` (or static readonly field) bound to a mutable container (an array,
 *     Map, Set, WeakMap, typed array, ArrayBuffer, any other `new` object, a regexp with the g or y
 *     flag), unless it is frozen (`Object.freeze(…)`), or it is a load-time table (not exported,
 *     and every use inside a function only reads it: `T[i]`, `.length`, `.get()`, `for…of`, …),
 *     or ALLOWED names it with a reason;
 *   - a module-level `const` bound to an object literal that a function writes through;
 *   - a write through an imported binding (`imported.x = …`, `imported.push(…)`), which is how one
 *     module would change another's state.
 */
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");

/**
 * Module-level state that is allowed, each with the reason. Keys are `<path from the root>:<name>`.
 * An entry no longer needed fails the test, so the list stays true.
 */
const ALLOWED: ReadonlyMap<string, string> = new Map([
  [
    "packages/core/src/errors.ts:debugVm",
    "CONFIG_DEBUG_VM is a build option of the kernel, not a per-machine knob: one process is one kernel build. Only tests and benchmarks set it; simulator code only reads it.",
  ],
]);

/** Constructors whose instances are mutable containers. Any other `new X()` is an object with state too. */
const CONTAINER_CTORS = new Set([
  "Array", "Map", "Set", "WeakMap", "WeakSet", "WeakRef", "ArrayBuffer", "SharedArrayBuffer", "DataView", "Int8Array",
  "Uint8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array",
  "Float64Array", "BigInt64Array", "BigUint64Array",
]);
/** Calls that return a new array or object. */
const ARRAY_RETURNING_METHODS = new Set(["map", "filter", "slice", "concat", "flat", "flatMap", "split", "fill", "toSorted", "toReversed", "toSpliced", "with"]);
const ARRAY_FACTORIES = new Set(["from", "of", "keys", "values", "entries", "fromEntries", "assign", "create", "groupBy"]);
/** Methods that change their receiver. */
const MUTATING_METHODS = new Set([
  "push", "pop", "shift", "unshift", "splice", "sort", "reverse", "fill", "copyWithin", "set", "add", "delete", "clear",
]);
/** Uses that only read a table. */
const READ_PROPERTIES = new Set(["length", "size", "byteLength"]);
const READ_METHODS = new Set([
  "get", "has", "at", "includes", "indexOf", "lastIndexOf", "find", "findIndex", "findLast", "findLastIndex", "some",
  "every", "join", "slice", "map", "filter", "forEach", "reduce", "reduceRight", "keys", "values", "entries", "flat",
  "flatMap", "concat", "toString", "toSorted", "toReversed", "test", "exec",
]);

interface ModuleStateProblem {
  readonly file: string;
  readonly line: number;
  readonly name: string;
  readonly what: string;
}

type ContainerKind = "array" | "object" | "container" | "instance" | "regexp" | undefined;

function unwrap(e: ts.Expression): ts.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isTypeAssertionExpression(e) || ts.isNonNullExpression(e)) e = e.expression;
    else return e;
  }
}

function isFrozen(e: ts.Expression): boolean {
  const u = unwrap(e);
  return ts.isCallExpression(u) && ts.isPropertyAccessExpression(u.expression) && ts.isIdentifier(u.expression.expression) &&
    u.expression.expression.text === "Object" && u.expression.name.text === "freeze";
}

/** What kind of mutable container an initializer makes, or undefined for a value with no state. */
function containerKind(init: ts.Expression | undefined): ContainerKind {
  if (!init) return undefined;
  const e = unwrap(init);
  if (isFrozen(e)) return undefined;
  if (ts.isArrayLiteralExpression(e)) return "array";
  if (ts.isObjectLiteralExpression(e)) return "object";
  if (ts.isRegularExpressionLiteral(e)) return /\/[a-z]*[gy][a-z]*$/.test(e.text) ? "regexp" : undefined;
  if (ts.isNewExpression(e)) {
    const ctor = ts.isIdentifier(e.expression) ? e.expression.text : "";
    return CONTAINER_CTORS.has(ctor) ? "container" : "instance";
  }
  if (ts.isCallExpression(e)) {
    const callee = unwrap(e.expression);
    if (ts.isIdentifier(callee) && CONTAINER_CTORS.has(callee.text)) return "container"; // Array(n)
    if (ts.isPropertyAccessExpression(callee)) {
      const method = callee.name.text;
      const obj = unwrap(callee.expression);
      if (ts.isIdentifier(obj) && (obj.text === "Object" || obj.text === "Array" || CONTAINER_CTORS.has(obj.text)) && ARRAY_FACTORIES.has(method)) {
        return obj.text === "Object" && (method === "assign" || method === "create" || method === "fromEntries") ? "object" : "container";
      }
      if (ARRAY_RETURNING_METHODS.has(method)) return "container";
    }
  }
  return undefined;
}

function isFunctionLike(n: ts.Node): boolean {
  return ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n) ||
    ts.isConstructorDeclaration(n) || ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n) || ts.isClassStaticBlockDeclaration(n);
}

/** True when `n` runs after load: inside a function, or in an instance field's initializer. */
function runsAfterLoad(n: ts.Node): boolean {
  for (let p = n.parent; p; p = p.parent) {
    if (isFunctionLike(p)) return true;
    if (ts.isPropertyDeclaration(p) && !p.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) return true;
  }
  return false;
}

function isAssignmentTarget(n: ts.Node): boolean {
  const p = n.parent;
  if (ts.isBinaryExpression(p) && p.left === n && p.operatorToken.kind >= ts.SyntaxKind.FirstAssignment && p.operatorToken.kind <= ts.SyntaxKind.LastAssignment) return true;
  if ((ts.isPrefixUnaryExpression(p) || ts.isPostfixUnaryExpression(p)) && (p.operator === ts.SyntaxKind.PlusPlusToken || p.operator === ts.SyntaxKind.MinusMinusToken)) return true;
  if (ts.isDeleteExpression(p)) return true;
  // `[a[0], b] = …` and `({ x: a.y } = …)` write too.
  if ((ts.isArrayLiteralExpression(p) || ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p) || ts.isSpreadElement(p)) && isInDestructuringTarget(p)) return true;
  return false;
}

function isInDestructuringTarget(n: ts.Node): boolean {
  for (let p: ts.Node = n; p.parent; p = p.parent) {
    const q = p.parent;
    if (ts.isBinaryExpression(q) && q.left === p && q.operatorToken.kind === ts.SyntaxKind.EqualsToken) return true;
    if (!(ts.isArrayLiteralExpression(q) || ts.isObjectLiteralExpression(q) || ts.isPropertyAssignment(q) || ts.isShorthandPropertyAssignment(q) || ts.isSpreadElement(q) || ts.isParenthesizedExpression(q))) return false;
  }
  return false;
}

/** Walks up `x.a[i].b!` from the identifier `x`: the outermost access of the chain. */
function accessChainTop(id: ts.Node): ts.Node {
  let n = id;
  for (;;) {
    const p = n.parent;
    if ((ts.isPropertyAccessExpression(p) || ts.isElementAccessExpression(p)) && p.expression === n) n = p;
    else if (ts.isNonNullExpression(p) || ts.isParenthesizedExpression(p)) n = p;
    else return n;
  }
}

/** True when a use of the identifier `id` changes what it is bound to (through any path of properties). */
function writesThrough(id: ts.Identifier): boolean {
  const top = accessChainTop(id);
  if (top !== id && isAssignmentTarget(top)) return true;
  // x.push(…), x.a.set(…): the receiver is the chain without its last name.
  const p = top.parent;
  if (ts.isCallExpression(p) && p.expression === top && ts.isPropertyAccessExpression(top) && MUTATING_METHODS.has(top.name.text)) return true;
  // Object.assign(x, …), Object.defineProperty(x, …), Reflect.set(x, …)
  if (ts.isCallExpression(p) && p.arguments[0] === top && ts.isPropertyAccessExpression(p.expression)) {
    const o = p.expression.expression;
    const m = p.expression.name.text;
    if (ts.isIdentifier(o) && ((o.text === "Object" && /^(assign|defineProperty|defineProperties|setPrototypeOf)$/.test(m)) || (o.text === "Reflect" && /^(set|defineProperty|deleteProperty)$/.test(m)))) return true;
  }
  return false;
}

/** True when a use of the identifier `id` only reads the table it names (and lets no reference to it escape). */
function onlyReads(id: ts.Identifier): boolean {
  let n: ts.Node = id;
  while (ts.isNonNullExpression(n.parent) || ts.isParenthesizedExpression(n.parent)) n = n.parent;
  const p = n.parent;
  if (ts.isElementAccessExpression(p) && p.expression === n) {
    // T[i]: a read unless it is written (T[i] = v, T[i]++, T[i].x = v).
    return !writesThrough(id);
  }
  if (ts.isPropertyAccessExpression(p) && p.expression === n) {
    const name = p.name.text;
    if (READ_PROPERTIES.has(name)) return !isAssignmentTarget(p);
    return READ_METHODS.has(name) && ts.isCallExpression(p.parent) && p.parent.expression === p;
  }
  if (ts.isForOfStatement(p) && p.expression === n) return true;
  if (ts.isSpreadElement(p) && p.expression === n && ts.isArrayLiteralExpression(p.parent)) return true;
  if (ts.isBinaryExpression(p) && p.right === n && p.operatorToken.kind === ts.SyntaxKind.InKeyword) return true;
  if (ts.isTypeOfExpression(p)) return true;
  return false;
}

function hasModifier(n: ts.Node, kind: ts.SyntaxKind): boolean {
  return ts.canHaveModifiers(n) && (ts.getModifiers(n)?.some((m) => m.kind === kind) ?? false);
}

interface Candidate {
  readonly name: string;
  readonly decl: ts.Node;
  readonly kind: Exclude<ContainerKind, undefined>;
  exported: boolean;
  /** Uses after load that write through it, and uses after load that let a reference escape. */
  writes: number;
  escapes: number;
}

/** Adds the names a binding (`x`, `{ a, b: [c] }`) declares. */
function addBindingNames(name: ts.BindingName, out: Set<string>): void {
  if (ts.isIdentifier(name)) out.add(name.text);
  else for (const el of name.elements) if (!ts.isOmittedExpression(el)) addBindingNames(el.name, out);
}

function addStatementNames(statements: readonly ts.Statement[], out: Set<string>): void {
  for (const st of statements) {
    if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) addBindingNames(d.name, out);
    else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) out.add(st.name.text);
  }
}

const scopeNames = new WeakMap<ts.Node, ReadonlySet<string>>();
/** The names a scope below module level declares (parameters, block declarations, loop and catch variables). */
function namesDeclaredBy(n: ts.Node): ReadonlySet<string> {
  let names = scopeNames.get(n);
  if (names) return names;
  const out = new Set<string>();
  if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) || ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n)) {
    for (const p of n.parameters) addBindingNames(p.name, out);
    if (ts.isFunctionExpression(n) && n.name) out.add(n.name.text);
  } else if (ts.isBlock(n) || ts.isModuleBlock(n)) {
    addStatementNames(n.statements, out);
  } else if (ts.isCaseBlock(n)) {
    for (const c of n.clauses) addStatementNames(c.statements, out);
  } else if ((ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n)) && n.initializer && ts.isVariableDeclarationList(n.initializer)) {
    for (const d of n.initializer.declarations) addBindingNames(d.name, out);
  } else if (ts.isCatchClause(n) && n.variableDeclaration) {
    addBindingNames(n.variableDeclaration.name, out);
  } else if (ts.isClassExpression(n) && n.name) {
    out.add(n.name.text);
  }
  names = out;
  scopeNames.set(n, names);
  return names;
}

/** True when the identifier resolves to a module-level (or global) name: no scope around it declares the name. */
function resolvesAtModuleLevel(id: ts.Identifier): boolean {
  for (let p = id.parent; p && !ts.isSourceFile(p); p = p.parent) if (namesDeclaredBy(p).has(id.text)) return false;
  return true;
}

/** True when the identifier is a name being declared, or a property name, not a reference to a binding. */
function isNotAReference(n: ts.Identifier): boolean {
  const p = n.parent;
  if ((ts.isPropertyAccessExpression(p) && p.name === n) || (ts.isQualifiedName(p) && p.right === n)) return true;
  if ((ts.isPropertyAssignment(p) && p.name === n) || (ts.isBindingElement(p) && (p.name === n || p.propertyName === n))) return true;
  if ((ts.isLabeledStatement(p) || ts.isBreakOrContinueStatement(p)) && p.label === n) return true;
  if (ts.isMetaProperty(p)) return true;
  if ((ts.isVariableDeclaration(p) || ts.isParameter(p) || ts.isFunctionDeclaration(p) || ts.isFunctionExpression(p) || ts.isClassDeclaration(p) ||
    ts.isClassExpression(p) || ts.isPropertyDeclaration(p) || ts.isMethodDeclaration(p) || ts.isGetAccessorDeclaration(p) || ts.isSetAccessorDeclaration(p) ||
    ts.isEnumMember(p) || ts.isEnumDeclaration(p) || ts.isTypeParameterDeclaration(p)) && p.name === n) return true;
  return false;
}

type Source = { readonly file: string; readonly text: string };

/** Parses without parent links: forEachReference() sets them on the way down, where they are needed. */
function parse(s: Source): ts.SourceFile {
  return ts.createSourceFile(s.file, s.text, { languageVersion: ts.ScriptTarget.ES2022, jsDocParsingMode: ts.JSDocParsingMode.ParseNone }, false, ts.ScriptKind.TS);
}

/** Imported bindings of a file: local name → the name the module exports it as (undefined for a namespace). */
function importsOf(sf: ts.SourceFile): Map<string, string | undefined> {
  const imports = new Map<string, string | undefined>();
  for (const st of sf.statements) {
    if (!ts.isImportDeclaration(st) || !st.importClause || st.importClause.isTypeOnly) continue;
    const c = st.importClause;
    if (c.name) imports.set(c.name.text, "default");
    if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) imports.set(c.namedBindings.name.text, undefined);
    if (c.namedBindings && ts.isNamedImports(c.namedBindings)) {
      for (const el of c.namedBindings.elements) if (!el.isTypeOnly) imports.set(el.name.text, (el.propertyName ?? el.name).text);
    }
  }
  return imports;
}

/**
 * Calls `f` for every identifier that refers to a binding (not a declared name, a property name
 * or a type), with the parent links of it and its ancestors set (the checks walk upwards).
 */
function forEachReference(sf: ts.SourceFile, f: (id: ts.Identifier) => void): void {
  const visit = (n: ts.Node): void => {
    if (ts.isTypeNode(n) || ts.isImportDeclaration(n) || ts.isExportDeclaration(n) || ts.isInterfaceDeclaration(n) || ts.isTypeAliasDeclaration(n)) return;
    if (ts.isIdentifier(n)) {
      if (!isNotAReference(n)) f(n);
      return;
    }
    ts.forEachChild(n, (c) => {
      (c as { parent: ts.Node }).parent = n;
      visit(c);
    });
  };
  visit(sf);
}

/** Calls `onWrite` for every write through an imported binding of the file (scope-aware). */
function forEachImportWrite(sf: ts.SourceFile, imports: ReadonlyMap<string, string | undefined>, onWrite: (id: ts.Identifier, exported: string | undefined) => void): void {
  forEachReference(sf, (n) => {
    if (imports.has(n.text) && writesThrough(n) && resolvesAtModuleLevel(n)) onWrite(n, imports.get(n.text));
  });
}

/**
 * The module-level mutable state in a set of source files, each `{ file, text }` (file is the
 * path printed in problems). `outside` is code that is not the simulator (tests, benchmarks,
 * examples): it may keep state of its own, but when it writes through an object the simulator
 * exports (`debugVm.on = true`), that object is shared mutable state of the simulator.
 * Pure: reads nothing but its arguments, so fixtures can test it. Parsing only, with a scope walk
 * of its own (a local that shadows a module-level name is not that name): a type-checking program
 * over the workspace costs several times more.
 */
function findModuleState(sources: readonly Source[], allowed: ReadonlyMap<string, string> = new Map(), outside: readonly Source[] = []): { problems: ModuleStateProblem[]; allowedUsed: Set<string> } {
  const problems: ModuleStateProblem[] = [];
  const allowedUsed = new Set<string>();
  /** Exported names that some module writes through after importing them. */
  const writtenByImporters = new Set<string>();
  const parsed = sources.map((s) => ({ s, sf: parse(s) }));
  const exportedObjects = new Set<string>();
  for (const { sf } of parsed) {
    for (const st of sf.statements) {
      if (!ts.isVariableStatement(st) || !hasModifier(st, ts.SyntaxKind.ExportKeyword)) continue;
      for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && containerKind(d.initializer) === "object") exportedObjects.add(d.name.text);
    }
  }
  for (const o of outside) {
    // Only files that reach into an exported object (`name.` or `name[`) can write through one: parse just those.
    if (![...exportedObjects].some((name) => o.text.includes(name + ".") || o.text.includes(name + "["))) continue;
    const sf = parse(o);
    forEachImportWrite(sf, importsOf(sf), (_id, exported) => {
      if (exported) writtenByImporters.add(exported);
    });
  }

  for (const { s, sf } of parsed) {
    const lineOf = (n: ts.Node) => sf.getLineAndCharacterOfPosition(n.getStart(sf)).line + 1;
    const report = (n: ts.Node, name: string, what: string) => {
      const key = `${s.file}:${name}`;
      if (allowed.has(key)) allowedUsed.add(key);
      else problems.push({ file: s.file, line: lineOf(n), name, what });
    };
    const candidates = new Map<string, Candidate>();
    const statics: Candidate[] = [];

    // Module-level declarations: let/var, const containers, static fields.
    for (const st of sf.statements) {
      if (ts.isVariableStatement(st)) {
        const isConst = (st.declarationList.flags & ts.NodeFlags.Const) !== 0;
        for (const d of st.declarationList.declarations) {
          const name = d.name.getText(sf);
          if (!isConst) {
            const word = (st.declarationList.flags & ts.NodeFlags.Let) !== 0 ? "let" : "var";
            report(d, name, `module-level \`${word}\`: state every machine in the process shares; keep it in the machine's own state (an object the allocator owns)`);
          } else if (ts.isIdentifier(d.name)) {
            const kind = containerKind(d.initializer);
            if (kind) candidates.set(name, { name, decl: d, kind, exported: hasModifier(st, ts.SyntaxKind.ExportKeyword), writes: 0, escapes: 0 });
          }
        }
      }
      if (ts.isClassDeclaration(st)) {
        const cls = st.name?.text ?? "default";
        for (const m of st.members) {
          if (!ts.isPropertyDeclaration(m) || !hasModifier(m, ts.SyntaxKind.StaticKeyword)) continue;
          const name = `${cls}.${m.name.getText(sf)}`;
          if (!hasModifier(m, ts.SyntaxKind.ReadonlyKeyword)) report(m, name, "static field that is not readonly: state every machine in the process shares");
          else {
            // Reachable through the class by anyone: a static container must be frozen.
            const kind = containerKind(m.initializer);
            if (kind && kind !== "object") statics.push({ name, decl: m, kind, exported: true, writes: 0, escapes: 0 });
          }
        }
      }
      // `export { x }` and `export default x` export a const declared without `export`.
      if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause)) {
        for (const el of st.exportClause.elements) {
          const c = candidates.get((el.propertyName ?? el.name).text);
          if (c) c.exported = true;
        }
      }
      if (ts.isExportAssignment(st) && ts.isIdentifier(st.expression)) {
        const c = candidates.get(st.expression.text);
        if (c) c.exported = true;
      }
    }

    // Every reference to a candidate after load (does it write, or let the container escape?),
    // and every write through what this file imports (another module's state).
    const imports = importsOf(sf);
    forEachReference(sf, (n) => {
      const c = candidates.get(n.text);
      if (c && runsAfterLoad(n) && resolvesAtModuleLevel(n)) {
        if (writesThrough(n)) c.writes++;
        else if (!onlyReads(n)) c.escapes++;
      }
      if (imports.has(n.text) && writesThrough(n) && resolvesAtModuleLevel(n)) {
        report(n, n.text, `writes through the imported \`${n.text}\`: another module's state; pass the state in instead`);
      }
    });

    for (const c of [...candidates.values(), ...statics]) {
      if (c.kind === "object") {
        if (c.writes > 0) report(c.decl, c.name, "module-level object that a function writes to: state every machine in the process shares");
        else if (c.exported && writtenByImporters.has(c.name)) report(c.decl, c.name, "module-level object that importers write to: state every machine in the process shares");
        continue;
      }
      if (c.kind === "regexp") {
        report(c.decl, c.name, "module-level regexp with the g or y flag: its lastIndex is state every caller shares");
        continue;
      }
      if (!c.exported && c.writes === 0 && c.escapes === 0) continue; // a load-time table, only read
      const why = c.writes > 0 ? "a function writes to it" : c.exported ? "exported, so any importer could change it" : "a reference to it escapes (passed, returned or aliased)";
      const what = c.kind === "instance" ? "object" : c.kind === "array" ? "array" : "container";
      report(c.decl, c.name, `module-level ${what} that is not frozen (${why}): freeze it, keep it in the machine's state, or allow it with a reason`);
    }
  }
  return { problems, allowedUsed };
}

// ---------------------------------------------------------------------------------------------

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) files(full, out);
    else if (name.endsWith(".ts") && !name.endsWith(".test.ts") && !name.endsWith(".test-helpers.ts") && !name.endsWith(".d.ts")) out.push(full);
  }
  return out;
}

/** Simulator code: every package's src/, without its tests and test helpers. */
function simulatorSources(): Source[] {
  return readdirSync(join(root, "packages"))
    .flatMap((p) => files(join(root, "packages", p, "src")))
    .map((f) => ({ file: relative(root, f), text: readFileSync(f, "utf8") }));
}

/** Code around the simulator: tests and test helpers, benchmarks, the workspace suites, examples. */
function outsideSources(): Source[] {
  const all = (dir: string, out: string[] = []): string[] => {
    if (!existsSync(dir)) return out;
    for (const name of readdirSync(dir)) {
      const full = join(dir, name);
      if (name === "node_modules" || name === "dist") continue;
      if (statSync(full).isDirectory()) all(full, out);
      else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(full);
    }
    return out;
  };
  const pkgs = readdirSync(join(root, "packages"));
  const tests = pkgs.flatMap((p) => all(join(root, "packages", p, "src")).filter((f) => f.endsWith(".test.ts") || f.endsWith(".test-helpers.ts")));
  const benches = pkgs.flatMap((p) => all(join(root, "packages", p, "bench")));
  const suites = readdirSync(join(root, "tests")).flatMap((t) => all(join(root, "tests", t, "src")));
  const examples = all(join(root, "examples"));
  return [...tests, ...benches, ...suites, ...examples].map((f) => ({ file: relative(root, f), text: readFileSync(f, "utf8") }));
}

const fmt = (p: ModuleStateProblem) => `${p.file}:${p.line} ${p.name}: ${p.what}`;
const check = (text: string, file = "packages/x/src/x.ts") => findModuleState([{ file, text }]).problems.map((p) => `${p.name}: ${p.what.split(":")[0]}`);

/**
 * The whole-workspace check parses about 1.5 MB of TypeScript (every package's src/, and the
 * tests that reach into an exported object): about a second on an idle core, several times that
 * on a loaded 2-core CI machine, so it gets a limit of its own rather than vitest's 5 s.
 */
const WORKSPACE_SCAN_TIMEOUT_MS = 60_000;

describe("module-level mutable state (issue 13 part 7)", () => {
  it("simulator code keeps every piece of mutable state in a machine's own objects", { timeout: WORKSPACE_SCAN_TIMEOUT_MS }, () => {
    const sources = simulatorSources();
    expect(sources.length).toBeGreaterThan(50);
    const { problems, allowedUsed } = findModuleState(sources, ALLOWED, outsideSources());
    expect(problems.map(fmt)).toEqual([]);
    // An allow-list entry that no longer matches anything is stale.
    expect([...ALLOWED.keys()].filter((k) => !allowedUsed.has(k))).toEqual([]);
  });

  it("rejects a module-level let, var, or mutable static field", () => {
    expect(check("let lastCanSteal = false;\nexport function f(): boolean { return lastCanSteal; }")).toEqual(["lastCanSteal: module-level `let`"]);
    expect(check("var depth = 0;")).toEqual(["depth: module-level `var`"]);
    expect(check("export let counter = 0;")).toEqual(["counter: module-level `let`"]);
    expect(check("export class A { static count = 0; static readonly MAX = 4; }")).toEqual(["A.count: static field that is not readonly"]);
  });

  it("rejects a const container a function changes, exports unfrozen, or lets escape", () => {
    expect(check("const stack: number[] = [];\nexport function push(x: number): void { stack.push(x); }")).toEqual([
      "stack: module-level array that is not frozen (a function writes to it)",
    ]);
    expect(check("const scratch = new Int32Array(4);\nexport function f(i: number): void { scratch[i] = 1; }")).toEqual([
      "scratch: module-level container that is not frozen (a function writes to it)",
    ]);
    expect(check("const seen = new Map<string, number>();\nexport function f(k: string): void { seen.set(k, 1); }")).toEqual([
      "seen: module-level container that is not frozen (a function writes to it)",
    ]);
    expect(check("export const NAMES = [\"a\", \"b\"];")).toEqual(["NAMES: module-level array that is not frozen (exported, so any importer could change it)"]);
    expect(check("const T = new Int32Array(4);\nexport function f(): Int32Array { return T; }")).toEqual([
      "T: module-level container that is not frozen (a reference to it escapes (passed, returned or aliased))",
    ]);
    expect(check("const state = { on: false };\nexport function set(): void { state.on = true; }")).toEqual([
      "state: module-level object that a function writes to",
    ]);
    expect(check("const cache = new WeakMap<object, number>();\nexport function f(o: object): number | undefined { return cache.get(o); }\nexport function g(o: object): void { cache.set(o, 1); }")).toHaveLength(1);
    expect(check("const RE = /x/g;\nexport function f(s: string): boolean { return RE.test(s); }")).toEqual(["RE: module-level regexp with the g or y flag"]);
    expect(check("export class A { static readonly CACHE = new Map<string, number>(); }")).toEqual([
      "A.CACHE: module-level container that is not frozen (exported, so any importer could change it)",
    ]);
  });

  it("rejects writing through an imported binding", () => {
    expect(check("import { debugVm } from \"@mmsim/core\";\nexport function on(): void { debugVm.on = true; }")).toEqual([
      "debugVm: writes through the imported `debugVm`",
    ]);
    expect(check("import { TABLE } from \"./t.ts\";\nexport function f(): void { TABLE.push(1); }")).toEqual(["TABLE: writes through the imported `TABLE`"]);
    // An exported object that code outside the simulator (a test) switches is shared state too.
    const sim = { file: "packages/x/src/x.ts", text: "export const knob = { on: false };\nexport const fixed = { on: false };" };
    const test = { file: "packages/x/src/x.test.ts", text: "import { knob as k, fixed } from \"./x.ts\";\nk.on = true;\nconst on = fixed.on;\nfunction f(fixed: { on: boolean }): void { fixed.on = on; }" };
    expect(findModuleState([sim], new Map(), [test]).problems.map((p) => p.name)).toEqual(["knob"]);
  });

  it("accepts frozen tables, load-time tables only read, constants, and shadowing locals", () => {
    const ok = [
      "export const NAMES = Object.freeze([\"a\", \"b\"]);",
      "export const MODULE = { name: \"m\", register(): void {} };",
      "const FALLBACKS = Int32Array.from([1, 2, 3]);\nexport function f(i: number): number { return FALLBACKS[i]! + FALLBACKS.length; }",
      "const SHIFT = new Int32Array(4);\nfor (let lv = 0; lv < 4; lv++) SHIFT[lv] = 39 - 9 * lv;\nexport function s(l: number): number { return SHIFT[l]!; }",
      "const M = new Map([[\"a\", 1]]);\nexport function g(k: string): number | undefined { return M.has(k) ? M.get(k) : undefined; }\nexport function all(): string[] { return [...M.keys()]; }",
      "const stack: number[] = [];\nexport function f(): void { const stack = [1]; stack.push(2); }",
      "export const PAGE_SHIFT = 12;\nexport const re = /^x$/;\nexport const f = (x: number): number => x + 1;",
      "export class S { private readonly items: number[] = []; add(x: number): void { this.items.push(x); } }",
    ];
    for (const text of ok) expect(check(text), text).toEqual([]);
  });

  it("an allow-list entry with a reason lets one name through, and only that one", () => {
    const text = "export const debugVm = { on: false };\nlet other = 1;\nexport function f(): void { other++; }";
    const file = "packages/core/src/errors.ts";
    const test = { file: "packages/core/src/errors.test.ts", text: "import { debugVm } from \"./errors.ts\";\ndebugVm.on = true;" };
    const { problems, allowedUsed } = findModuleState([{ file, text }], ALLOWED, [test]);
    expect(problems.map((p) => p.name)).toEqual(["other"]);
    expect([...allowedUsed]).toEqual(["packages/core/src/errors.ts:debugVm"]);
  });
});
