// mmsim: the layer rules of STYLE C12 hold for the real workspace, and the checker catches breaches.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { MECHANISM_ORDER, checkLayers, readWorkspacePackages } from "../../../tools/check-layers.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
type Pkg = { name: string; dir: string; tags: string[]; deps: string[]; imports: string[] };
const pkg = (name: string, tag: string, deps: string[] = [], imports: string[] = deps): Pkg => ({ name, dir: `packages/${name.slice(7)}`, tags: [tag], deps, imports });

describe("layer rules (STYLE C12)", () => {
  it("hold for every package of this workspace", () => {
    const pkgs = readWorkspacePackages(root) as Pkg[];
    expect(pkgs.map((p) => p.name)).toContain("@mmsim/core");
    expect(checkLayers(pkgs)).toEqual([]);
  });

  it("core depends on nothing in the repository", () => {
    const problems = checkLayers([pkg("@mmsim/core", "type:core", ["@mmsim/memblock"]), pkg("@mmsim/memblock", "type:mechanism", ["@mmsim/core"])]);
    expect(problems).toEqual(["@mmsim/core (type:core) must not depend on @mmsim/memblock (type:mechanism); type:core may depend on: nothing in the repository"]);
  });

  it("a policy depends only on core, and never on another policy", () => {
    const problems = checkLayers([
      pkg("@mmsim/core", "type:core"),
      pkg("@mmsim/buddy", "type:mechanism", ["@mmsim/core"]),
      pkg("@mmsim/slab", "type:policy", ["@mmsim/core"]),
      pkg("@mmsim/slub", "type:policy", ["@mmsim/core", "@mmsim/slab", "@mmsim/buddy"]),
    ]);
    expect(problems).toHaveLength(2);
    expect(problems[0]).toMatch(/@mmsim\/slub \(type:policy\) must not depend on @mmsim\/slab \(type:policy\)/);
    expect(problems[1]).toMatch(/must not depend on @mmsim\/buddy \(type:mechanism\)/);
  });

  it("only root and app may depend on policies", () => {
    const problems = checkLayers([
      pkg("@mmsim/core", "type:core"),
      pkg("@mmsim/slub", "type:policy", ["@mmsim/core"]),
      pkg("@mmsim/reclaim", "type:mechanism", ["@mmsim/slub"]),
      pkg("@mmsim/machine", "type:root", ["@mmsim/slub"]),
      pkg("@mmsim/cli", "type:app", ["@mmsim/machine", "@mmsim/slub"]),
    ]);
    expect(problems).toEqual([expect.stringMatching(/^@mmsim\/reclaim \(type:mechanism\) must not depend on @mmsim\/slub/)]);
  });

  it("flags a missing layer tag and an undeclared import", () => {
    const problems = checkLayers([
      { name: "@mmsim/x", dir: "packages/x", tags: [], deps: [], imports: [] },
      pkg("@mmsim/core", "type:core"),
      pkg("@mmsim/memblock", "type:mechanism", ["@mmsim/core"], ["@mmsim/core", "@mmsim/buddy"]),
    ]);
    expect(problems[0]).toMatch(/@mmsim\/x .*needs exactly one layer tag/);
    expect(problems[1]).toBe("@mmsim/memblock: src/ imports @mmsim/buddy but package.json does not declare it (add it to dependencies)");
  });

  it("procfs (type:fs) reads mechanisms, never a policy; the root may use it", () => {
    const problems = checkLayers([
      pkg("@mmsim/core", "type:core"),
      pkg("@mmsim/buddy", "type:mechanism", ["@mmsim/core"]),
      pkg("@mmsim/slub", "type:policy", ["@mmsim/core"]),
      pkg("@mmsim/procfs", "type:fs", ["@mmsim/core", "@mmsim/buddy", "@mmsim/slub"]),
      pkg("@mmsim/machine", "type:root", ["@mmsim/procfs", "@mmsim/buddy"]),
      pkg("@mmsim/reclaim", "type:mechanism", ["@mmsim/procfs"]),
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^@mmsim\/procfs \(type:fs\) must not depend on @mmsim\/slub \(type:policy\)/),
      expect.stringMatching(/^@mmsim\/reclaim \(type:mechanism\) must not depend on @mmsim\/procfs \(type:fs\)/),
    ]);
  });

  it("an analysis package (cachesim) depends on core only, and only the root and apps may use it", () => {
    const problems = checkLayers([
      pkg("@mmsim/core", "type:core"),
      pkg("@mmsim/buddy", "type:mechanism", ["@mmsim/core"]),
      pkg("@mmsim/cachesim", "type:analysis", ["@mmsim/core", "@mmsim/buddy"]),
      pkg("@mmsim/reclaim", "type:mechanism", ["@mmsim/core", "@mmsim/cachesim"]),
      pkg("@mmsim/machine", "type:root", ["@mmsim/cachesim"]),
      pkg("@mmsim/cli", "type:app", ["@mmsim/cachesim"]),
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^@mmsim\/cachesim \(type:analysis\) must not depend on @mmsim\/buddy \(type:mechanism\)/),
      expect.stringMatching(/^@mmsim\/reclaim \(type:mechanism\) must not depend on @mmsim\/cachesim \(type:analysis\)/),
    ]);
  });

  it("orders the mechanisms: a mechanism depends only on those before it, and each has a place", () => {
    expect(MECHANISM_ORDER.indexOf("@mmsim/rmap")).toBeLessThan(MECHANISM_ORDER.indexOf("@mmsim/reclaim"));
    expect(MECHANISM_ORDER.indexOf("@mmsim/migrate")).toBeLessThan(MECHANISM_ORDER.indexOf("@mmsim/compaction"));
    const problems = checkLayers([
      pkg("@mmsim/core", "type:core"),
      pkg("@mmsim/buddy", "type:mechanism", ["@mmsim/core"]),
      pkg("@mmsim/rmap", "type:mechanism", ["@mmsim/core", "@mmsim/buddy"]),
      pkg("@mmsim/reclaim", "type:mechanism", ["@mmsim/core", "@mmsim/rmap"]),
      pkg("@mmsim/vma", "type:mechanism", ["@mmsim/core", "@mmsim/reclaim"]),
      pkg("@mmsim/thp", "type:mechanism", ["@mmsim/core"]),
    ]);
    expect(problems).toEqual([
      expect.stringMatching(/^@mmsim\/vma must not depend on @mmsim\/reclaim: @mmsim\/reclaim comes after it in MECHANISM_ORDER .*reach it through an interface in core$/),
      "@mmsim/thp (type:mechanism) has no place in MECHANISM_ORDER (tools/check-layers.mjs): add it where its dependencies allow",
    ]);
  });
});
