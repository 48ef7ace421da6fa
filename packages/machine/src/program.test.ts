// mmsim: ProgramCursor walks a program as the recursive engine does
import type { StepBase } from "@mmsim/core";
import { describe, expect, it } from "vitest";
import { ProgramCursor } from "./program.ts";

const s = (name: string): StepBase => ({ kind: "label", line: 1, name }) as StepBase;
const rep = (times: number, steps: StepBase[]): StepBase => ({ kind: "repeat", line: 1, times, steps }) as StepBase;

function names(steps: StepBase[]): string[] {
  const c = new ProgramCursor(steps);
  const out: string[] = [];
  for (let x = c.next(); x !== undefined; x = c.next()) out.push((x as unknown as { name: string }).name);
  return out;
}

describe("ProgramCursor", () => {
  it("expands nested repeats in order", () => {
    expect(names([s("a"), rep(2, [s("b"), rep(3, [s("c")]), s("d")]), s("e")])).toEqual(["a", "b", "c", "c", "c", "d", "b", "c", "c", "c", "d", "e"]);
  });
  it("skips empty bodies and ends", () => {
    expect(names([rep(5, []), s("x")])).toEqual(["x"]);
    expect(names([])).toEqual([]);
  });
});
