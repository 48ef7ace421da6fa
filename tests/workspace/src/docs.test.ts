// mmsim: docs/architecture.md stays current with the code for the tables it marks *checked*.
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEFAULT_COSTS, MemMap } from "@mmsim/core";
import { describe, expect, it } from "vitest";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../..");
const doc = readFileSync(join(root, "docs/architecture.md"), "utf8");
const rows = (first: string) => doc.split("\n").filter((l) => l.startsWith(`| \`${first}\``));

describe("docs/architecture.md", () => {
  it("lists every cost-model constant with its default", () => {
    for (const [name, entry] of Object.entries(DEFAULT_COSTS)) {
      const row = rows(name);
      expect(row, name).toHaveLength(1);
      expect(row[0]!.split("|")[2]!.trim(), name).toBe(String(entry.ns));
    }
  });

  it("lists every MemMap field with its width, and the bytes per frame", () => {
    for (const f of MemMap.FIELDS) {
      const row = rows(f.name);
      expect(row, f.name).toHaveLength(1);
      expect(row[0]!.split("|")[3]!.trim(), f.name).toBe(String(f.bytes));
    }
    expect(doc).toContain(`**${MemMap.bytesPerFrame()} bytes per simulated 4 KiB frame**`);
  });
});
