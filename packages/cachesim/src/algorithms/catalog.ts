// mmsim: the built-in cache algorithms by name, and loading a user's from a file (no kernel counterpart)
import { pathToFileURL } from "node:url";
import { ConfigError } from "@mmsim/core";
import { type CacheAlgorithmFactory, isCacheAlgorithmFactory } from "../cache-algorithm.ts";
import { arc } from "./arc.ts";
import { belady } from "./belady.ts";
import { clock } from "./clock.ts";
import { fifo } from "./fifo.ts";
import { lirs } from "./lirs.ts";
import { lru } from "./lru.ts";
import { s3fifo } from "./s3fifo.ts";
import { sieve } from "./sieve.ts";
import { twoQ } from "./twoq.ts";

/** The built-in algorithms, in the order tables list them. */
export const CACHE_ALGORITHMS: readonly CacheAlgorithmFactory[] = Object.freeze([lru, fifo, clock, arc, twoQ, s3fifo, sieve, lirs, belady]);

/** Other spellings `--algo` accepts (libCacheSim's among them). */
const ALIASES: Readonly<Record<string, string>> = Object.freeze({
  twoq: "2q", "s3-fifo": "s3fifo", opt: "belady", "fifo-reinsertion": "clock", "second-chance": "clock",
});

/** The built-in algorithm of a name (case-insensitive, aliases such as twoq, s3-fifo, opt), or undefined. */
export function builtinAlgorithm(name: string): CacheAlgorithmFactory | undefined {
  const n = name.toLowerCase();
  const canonical = ALIASES[n] ?? n;
  return CACHE_ALGORITHMS.find((a) => a.name === canonical);
}

/** Whether an `--algo` entry names a file rather than a built-in algorithm. */
export function isAlgorithmPath(name: string): boolean {
  return /[/\\]/.test(name) || /\.(m?js|cjs)$/.test(name);
}

/**
 * The algorithm an `--algo` entry names: a built-in one, or the default export of a module file
 * (an absolute path, or one the caller has resolved) that is a CacheAlgorithmFactory.
 * @throws ConfigError for an unknown name, or a file that does not export one
 */
export async function resolveAlgorithm(name: string): Promise<CacheAlgorithmFactory> {
  if (!isAlgorithmPath(name)) {
    const a = builtinAlgorithm(name);
    if (!a) {
      throw new ConfigError("cachesim.resolveAlgorithm", "<command line>", "--algo", `one of ${CACHE_ALGORITHMS.map((x) => x.name).join(", ")}, or a module file (./my-cache.mjs)`, `"${name}"`);
    }
    return a;
  }
  let mod: { default?: unknown };
  try {
    mod = (await import(pathToFileURL(name).href)) as { default?: unknown };
  } catch (e) {
    throw new ConfigError("cachesim.resolveAlgorithm", name, "--algo", "a module file whose default export is a CacheAlgorithmFactory", `a file that does not load: ${(e as Error).message}`);
  }
  if (!isCacheAlgorithmFactory(mod.default)) {
    throw new ConfigError(
      "cachesim.resolveAlgorithm", name, "--algo",
      "a default export with name, description and create(capacity) (a CacheAlgorithmFactory; see examples/mru-cache)",
      mod.default === undefined ? "no default export" : `a default export without them (${typeof mod.default})`,
    );
  }
  return mod.default;
}
