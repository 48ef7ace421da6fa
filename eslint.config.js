// mmsim: lint rules that carry STYLE.md's conventions (C1 headers, C2 no enums, C4 no global container, C8 hot files)
import js from "@eslint/js";
import tseslint from "typescript-eslint";

/** C1: the first line of every src file names its kernel counterpart, or says it has none. */
const headerRule = {
  meta: { type: "problem", messages: { header: "The first line must be `// Kernel: <path>` or `// mmsim: <what>` (STYLE C1)." }, schema: [] },
  create(context) {
    return {
      Program(node) {
        const first = context.sourceCode.getText().split("\n", 1)[0] ?? "";
        if (!/^\/\/ (Kernel|mmsim): \S/.test(first)) context.report({ node, loc: { line: 1, column: 0 }, messageId: "header" });
      },
    };
  },
};

/** C8: what hot files must not contain. Each package lists its hot files below. */
export const HOT_FILES = [
  // buddy: the order-0 pcp fast path (__alloc_pages → rmqueue_pcplist / free_unref_page) and the buddy lists under it
  "packages/buddy/src/page-alloc.ts", "packages/buddy/src/alloc-pages.ts", "packages/buddy/src/free-area.ts", "packages/buddy/src/pageblock-flags.ts",
  "packages/buddy/src/mmzone.ts", "packages/buddy/src/page-alloc-state.ts",
  "packages/core/src/clock.ts",
  "packages/core/src/list.ts", "packages/slab/src/slab-alloc.ts", "packages/slab/src/cache-reap.ts", "packages/slub/src/slub-alloc.ts", "packages/slub/src/slab-freelist.ts",
  "packages/hw-arm64/src/walk.ts", "packages/vmalloc/src/kva.ts", "packages/vmalloc/src/rbtree.ts", "packages/vmalloc/src/vmap-block.ts",
  "packages/vmalloc/src/vmap-pgtable.ts",
];
const hotSyntax = [
  { selector: "ForOfStatement", message: "hot file: no for…of (STYLE C8)" },
  { selector: "SpreadElement", message: "hot file: no spread (STYLE C8)" },
  { selector: "ArrowFunctionExpression", message: "hot file: no closures (STYLE C8)" },
  // A class method's function is made once, with the class: not a closure.
  { selector: "FunctionExpression:not(MethodDefinition > FunctionExpression)", message: "hot file: no closures (STYLE C8)" },
  { selector: "TemplateLiteral", message: "hot file: no template strings (STYLE C8)" },
  { selector: "ObjectExpression", message: "hot file: no object literals (STYLE C8)" },
  { selector: "ArrayExpression", message: "hot file: no array literals (STYLE C8)" },
  { selector: "TryStatement", message: "hot file: no try (STYLE C8)" },
  { selector: "CallExpression[callee.property.name=/^(map|filter|forEach|reduce)$/]", message: "hot file: no map/filter/forEach/reduce (STYLE C8)" },
];
/**
 * C8 for files where a hot path sits beside boot, validation or reporting code (a class whose
 * constructor checks its configuration, a module that also holds a name table): the rules hold
 * inside the named functions and methods. Each package lists them here, file by file.
 */
export const HOT_FUNCTIONS = {
  // buddy: the PageAllocator entry points the machine calls for every page (argument checks, then page-alloc.ts)
  "packages/buddy/src/buddy-allocator.ts": ["allocPages", "freePages"],
  // core helpers on the order-0 pcp fast path: gfp_zone/gfp_migratetype, page flag tests, pfn_to_page, the trace static key
  "packages/core/src/gfp.ts": ["gfpZone", "gfpMigratetype", "gfpflagsAllowBlocking", "gfpCompactionAllowed", "gfpHasIo", "gfpHasFs", "gfpZonelist"],
  "packages/core/src/page-flags.ts": ["/^(test|set|clear|testAndSet|testAndClear|testClear|testSet)?Page[A-Z]\\w*$/", "/^page[A-Z]\\w*$/"],
  "packages/core/src/mm-types.ts": ["pfnToPage", "pageToPfn", "pfnValid"],
  "packages/core/src/trace.ts": ["enabled", "emit", "emitArgs", "deliver"],
  // SLUB and SLAB: kmem_cache_alloc/kmem_cache_free as the allocators expose them (the work is in slub-alloc.ts, slab-alloc.ts)
  "packages/slub/src/slub.ts": ["kmemCacheAlloc", "kmemCacheFree"],
  "packages/slab/src/slab.ts": ["kmemCacheAlloc", "kmemCacheFree"],
  "packages/slab/src/kmem-cache.ts": ["allocSlot", "freeSlotPut"],
  "packages/slub/src/struct-slab.ts": ["allocSlab", "freeSlab"],
  "packages/core/src/slab-common.ts": ["kmalloc", "kfree", "kmallocIndex", "kmallocType"],
  // hw-arm64: the TLB translate path (Mmu.translate → CpuTlb/Tlb lookup and fill; the walk is walk.ts)
  "packages/hw-arm64/src/mmu.ts": ["translate", "faultWithoutWalk"],
  "packages/hw-arm64/src/tlb.ts": ["lookup", "insert", "hash", "victim", "link", "remove"],
  "packages/hw-arm64/src/pgtable-hwdef.ts": ["levelShift"],
  // cachesim: each algorithm's replay loop and what it calls per request, the id table, the trace decoder
  "packages/cachesim/src/algorithms/lru.ts": ["replay"],
  "packages/cachesim/src/algorithms/fifo.ts": ["replay"],
  "packages/cachesim/src/algorithms/clock.ts": ["replay"],
  "packages/cachesim/src/algorithms/sieve.ts": ["replay"],
  "packages/cachesim/src/algorithms/belady.ts": ["replay", "siftUp", "siftDown"],
  "packages/cachesim/src/algorithms/arc.ts": ["replay", "find", "ghostHitNow", "insert", "evict", "replace", "evictMissOnAllQueues", "moveTail", "dropTail"],
  "packages/cachesim/src/algorithms/twoq.ts": ["replay", "evict", "dropTail"],
  "packages/cachesim/src/algorithms/s3fifo.ts": ["replay", "evict", "evictSmall", "evictMain"],
  "packages/cachesim/src/algorithms/lirs.ts": ["replay", "inS", "inQ", "find", "canInsert", "evict", "insert", "prune", "hitResidentHirInS", "hitResidentHirInQ", "evictLir", "evictHir", "limitStack", "sInsert", "qInsert", "nhRemove"],
  "packages/cachesim/src/algorithms/qlist.ts": ["qAddHead", "qDel", "qMoveHead"],
  "packages/cachesim/src/cache-algorithm.ts": ["replay"],
  "packages/cachesim/src/object-index.ts": ["lookupOrAdd", "lookup", "mapRecords", "hashId"],
  "packages/cachesim/src/oracle-general.ts": ["parse", "decode", "encodeOracleGeneral"],
  "packages/cachesim/src/replay.ts": ["feed"],
  // filemap: a buffered read of a cached page (pread → vfs_read → shmem_file_read_iter / filemap_read → the xarray lookup, the page reference and lock, folio_mark_accessed, the copy)
  "packages/filemap/src/xarray.ts": ["load", "store", "erase", "find", "setMark", "clearMark", "getMark", "leafOf", "nodeAnyMark", "clearNodeMark", "firstBitFrom"],
  "packages/filemap/src/swap.ts": ["folioGet", "folioTryGet", "folioPut", "folioTrylock", "folioUnlock", "folioMarkAccessed"],
  "packages/filemap/src/filemap.ts": ["filemapRead", "filemapGetReadBatch", "filemapGetPages", "filemapGetEntry"],
  "packages/filemap/src/read-write.ts": ["rwVerifyArea", "vfsRead", "ksysRead", "ksysPread64"],
  "packages/filemap/src/shmem.ts": ["fileReadIter", "getFolio"],
  "packages/filemap/src/iov-iter.ts": ["copyPageToIter", "contentAfterStore"],
  "packages/filemap/src/fs.ts": ["init", "advance"],
};
/** The hot-file selectors, limited to the named functions and methods (a name in slashes is a pattern). */
function hotIn(names) {
  const re = names.map((n) => (n.startsWith("/") ? n.slice(2, -2) : n)).join("|");
  const scope = `:matches(FunctionDeclaration[id.name=/^(${re})$/], MethodDefinition[key.name=/^(${re})$/])`;
  return hotSyntax.map(({ selector, message }) => ({ selector: `${scope} ${selector}`, message: message.replace("hot file", "hot function") }));
}
const noEnums = [
  { selector: "TSEnumDeclaration", message: "No TS enums: flat `export const` with the kernel's names, ending in a count (STYLE C2)." },
  { selector: "TSModuleDeclaration[kind='namespace']", message: "No namespaces (STYLE C2)." },
];

export default tseslint.config(
  { ignores: ["**/dist/**", "**/out-tsc/**", "**/node_modules/**", ".nx/**", "**/*.d.ts"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ["**/*.ts", "**/*.mjs", "**/*.js"],
    languageOptions: { globals: { process: "readonly", console: "readonly", URL: "readonly" } },
    plugins: { mmsim: { rules: { header: headerRule } } },
    rules: {
      "no-restricted-syntax": ["error", ...noEnums],
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "@typescript-eslint/no-non-null-assertion": "off",
    },
  },
  {
    files: ["packages/*/src/**/*.ts"],
    ignores: ["packages/*/src/**/*.test.ts"],
    rules: {
      "mmsim/header": "error",
      "no-restricted-imports": [
        "error",
        {
          paths: [
            {
              name: "tsyringe",
              importNames: ["container", "singleton", "registry", "autoInjectable"],
              message: "Register only through an MmsimModule into the machine's child container; never the global one (STYLE C4).",
            },
          ],
        },
      ],
    },
  },
  { files: HOT_FILES, rules: { "no-restricted-syntax": ["error", ...noEnums, ...hotSyntax] } },
  ...Object.entries(HOT_FUNCTIONS).map(([file, names]) => ({ files: [file], rules: { "no-restricted-syntax": ["error", ...noEnums, ...hotIn(names)] } })),
  {
    // The composition root is the one file that creates each machine's child container from
    // tsyringe's root container (STYLE C5); it registers nothing in the root container itself.
    files: ["packages/machine/src/machine.ts"],
    rules: { "no-restricted-imports": "off" },
  },
);
