// mmsim: run by tools/pack-smoke.sh in an app that pins its own tsyringe 4.8.0 and reflect-metadata 0.1.14 and installs @mmsim/machine with plain npm
/*
 * The bug this guards against: with tsyringe as an exact-pinned dependency of every @mmsim
 * package, such an app got a nested tsyringe per package, and boot() threw
 * `TypeInfo not known for "Memblock"` (the class was decorated in one copy and resolved in
 * another). With tsyringe a peer dependency the app's own copy is the only one.
 */
import "reflect-metadata";
import { container } from "tsyringe";
import { createRequire } from "node:module";
import assert from "node:assert/strict";
import { Machine, loadScenarioFile, DEFAULT_SCENARIO_FILE } from "@mmsim/machine";
import { MEMBLOCK } from "@mmsim/memblock";

const require = createRequire(import.meta.url);
assert.equal(require("tsyringe/package.json").version, "4.8.0");

// The host uses tsyringe itself, in its own container.
const hostScope = container.createChildContainer();
hostScope.register("greeting", { useValue: "host" });

const m = Machine.create(loadScenarioFile(DEFAULT_SCENARIO_FILE, {}));
m.boot();
const memory = m.log.dmesg().split("\n").find((l) => l.includes("Memory: "));
assert.match(memory ?? "", /Memory: 98324K\/1048576K available/);
m.runWorkload();
// mmsim registers into its machine's child container only, never into the app's global one.
assert.equal(container.isRegistered(MEMBLOCK, true), false);
assert.equal(hostScope.resolve("greeting"), "host");
console.log(`tsyringe 4.8.0 (the app's): boot ok, ${memory.replace(/^\[[^\]]*\]\s*/, "").slice(0, 38)}…`);
