// mmsim: house rules that a grep can check over every package's src/ (STYLE C1, C4, C11; determinism).
import { readFileSync, readdirSync, statSync } from "node:fs";
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
});
