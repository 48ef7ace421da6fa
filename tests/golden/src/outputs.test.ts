// mmsim: golden outputs of mmsim, byte for byte with the exit status: the five boards of the captures, then the default board's extras
/*
 * One file, not one per board: on a 2-core machine vitest runs one worker, and each test file
 * would load the whole simulator again.
 */
import { describe } from "vitest";
import { BOARDS, LARGE_BOARD, boardCases, defaultBoardCases, largeBoardCases } from "./cases.ts";
import { goldenSuite } from "./suite.ts";

for (const board of BOARDS) {
  describe(`golden outputs, board ${board.name} (${board.options.join(" ")})`, () => {
    goldenSuite(boardCases(board));
  });
}

describe(`golden outputs, the large board ${LARGE_BOARD.name} (${LARGE_BOARD.options.join(" ")})`, () => {
  goldenSuite(largeBoardCases());
});

describe("golden outputs, default board: help, example scenarios, policies, compare, sysfs, --after, pt walk, sysctls", () => {
  goldenSuite(defaultBoardCases());
});
