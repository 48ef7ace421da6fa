// mmsim: DI tokens (no kernel counterpart; cf. VS Code's createDecorator<T>(id))
/*
 * A token is `Symbol.for("mmsim:<Name>")`: two loaded copies of @mmsim/core (source through the
 * @mmsim/source condition and dist through Node) agree on it. The service type travels with the
 * token as a phantom property, so `container.resolve(tok)` is typed without a cast at the call.
 */

/** A DI token that carries the type of the service registered under it. */
export type Token<T> = symbol & { readonly __service?: T };

/**
 * Makes the token of one service or pluggable slot.
 * @param description the interface name, e.g. `"KmemCacheAllocator"`; unique across the repository
 */
export function token<T>(description: string): Token<T> {
  return Symbol.for(`mmsim:${description}`) as Token<T>;
}

/** The service type a token stands for. */
export type TokenType<K> = K extends Token<infer T> ? T : never;

/**
 * Resolves a token with its service type (tsyringe's resolve() cannot infer it from a symbol).
 * For the composition root and tests; nothing else resolves (STYLE C5).
 */
export function resolveToken<T>(container: { resolve<R>(token: symbol): R }, tok: Token<T>): T {
  return container.resolve<T>(tok);
}
