// mmsim: house rules that a grep can check over every package's src/ (STYLE C1, C4, C8, C11; determinism).
import { existsSync, readFileSync, readdirSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) files(full, out);
    else if (name.endsWith(".ts")) out.push(full);
  }
  return out;
}

const packages = readdirSync(join(root, "packages"));
const src = packages.flatMap((p) => files(join(root, "packages", p, "src")));
const lib = src.filter((f) => !f.endsWith(".test.ts"));

describe("house rules over packages/*/src", () => {
  it("every source file opens with `// Kernel:` or `// mmsim:` (C1)", () => {
    const bad = lib.filter((f) => !/^\/\/ (Kernel|mmsim): \S/.test(readFileSync(f, "utf8")));
    expect(bad.map((f) => relative(root, f))).toEqual([]);
  });

  it("simulator code reads no wall clock and no Math.random (determinism)", () => {
    const bad = lib.filter((f) => /Math\.random|Date\.now\(|new Date\(|performance\.now\(/.test(readFileSync(f, "utf8")));
    expect(bad.map((f) => relative(root, f))).toEqual([]);
  });

  it("no package touches tsyringe's global container or its registering decorators (C4)", () => {
    const re = /import[^;]*\b(container|singleton|registry|autoInjectable)\b[^;]*from ["']tsyringe["']/;
    // The composition root imports the root container only to make one child container per machine.
    const compositionRoot = join(root, "packages/machine/src/machine.ts");
    const bad = lib.filter((f) => f !== compositionRoot && re.test(readFileSync(f, "utf8")));
    expect(bad.map((f) => relative(root, f))).toEqual([]);
    if (lib.includes(compositionRoot)) {
      const text = readFileSync(compositionRoot, "utf8");
      expect(text).toMatch(/rootContainer\.createChildContainer\(\)/);
      expect(text).not.toMatch(/rootContainer\.(register|resolve)/);
    }
  });

  it("index.ts files re-export by name, never `export *` (C11)", () => {
    const bad = lib.filter((f) => f.endsWith("index.ts") && /export \*/.test(readFileSync(f, "utf8")));
    expect(bad.map((f) => relative(root, f))).toEqual([]);
  });

  it("every package.json has the exports, files and publishConfig that pack needs (C11)", () => {
    for (const p of packages) {
      const pj = JSON.parse(readFileSync(join(root, "packages", p, "package.json"), "utf8"));
      expect(pj.name, p).toBe(`@mmsim/${p}`);
      expect(pj.exports["."]["@mmsim/source"], p).toBe("./src/index.ts");
      expect(pj.publishConfig.exports["."]["@mmsim/source"], p).toBeUndefined();
      expect(pj.files, p).toContain("!dist/*.tsbuildinfo");
    }
  });

  it("the hot files and hot functions eslint.config.js puts under C8 exist, so the rules check what they name", () => {
    // Read the two lists from the config's text (importing it would load typescript-eslint).
    const config = readFileSync(join(root, "eslint.config.js"), "utf8");
    const block = (name: string) => config.match(new RegExp(`export const ${name} = [\\[{]([^]*?)\\n[\\]}];`))?.[1] ?? "";
    const strings = (text: string) => [...text.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => JSON.parse(`"${m[1]}"`) as string);
    const hotFiles = strings(block("HOT_FILES"));
    const hotFunctions = [...block("HOT_FUNCTIONS").matchAll(/^\s*"([^"]+)": \[(.*)\],$/gm)].map((m) => [m[1]!, strings(m[2]!)] as const);
    expect(hotFiles.length).toBeGreaterThan(10);
    expect(hotFunctions.length).toBeGreaterThan(5);
    expect(hotFiles.filter((f) => !existsSync(join(root, f)))).toEqual([]);
    const missing: string[] = [];
    for (const [file, names] of hotFunctions) {
      if (!existsSync(join(root, file))) {
        missing.push(file);
        continue;
      }
      // Function declarations and class methods: `function name(` / `  name(…): T {` (with modifiers).
      const text = readFileSync(join(root, file), "utf8");
      const declared = [...text.matchAll(/^(?:export )?function (\w+)|^ {2}(?:(?:private|protected|public|static|override|readonly|async) )*(\w+)\(.*\)(?:: [^{;]+)? \{$/gm)].map((m) => m[1] ?? m[2]!);
      for (const name of names) {
        const re = name.startsWith("/") ? new RegExp(name.slice(1, -1)) : new RegExp(`^${name}$`);
        if (!declared.some((d) => re.test(d))) missing.push(`${file}: ${name}`);
      }
    }
    expect(missing).toEqual([]);
  });
});
