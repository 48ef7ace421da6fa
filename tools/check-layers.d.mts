// mmsim: types of tools/check-layers.mjs, for the workspace tests that import it
/** One workspace package as the layer checker sees it. */
export interface LayerPackage {
  name: string;
  dir: string;
  tags: string[];
  /** @mmsim/* names in dependencies and peerDependencies. */
  deps: string[];
  /** @mmsim/* names imported by src/. */
  imports: string[];
}
export declare const LAYERS: readonly string[];
export declare const ALLOWED: Readonly<Record<string, readonly string[]>>;
/** One message per broken rule; empty when the layers hold. */
export declare function checkLayers(pkgs: readonly LayerPackage[]): string[];
/** Reads every packages/*\/package.json of the workspace at `root`. */
export declare function readWorkspacePackages(root: string): LayerPackage[];
/** The mechanisms in dependency order: a mechanism may depend only on those before it. */
export declare const MECHANISM_ORDER: readonly string[];
