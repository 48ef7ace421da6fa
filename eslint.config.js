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
const HOT_FILES = [
  "packages/core/src/list.ts", "packages/slab/src/slab-alloc.ts", "packages/slab/src/cache-reap.ts", "packages/slub/src/slub-alloc.ts", "packages/slub/src/slab-freelist.ts",
  "packages/hw-arm64/src/walk.ts", "packages/vmalloc/src/kva.ts", "packages/vmalloc/src/rbtree.ts", "packages/vmalloc/src/vmap-block.ts",
  "packages/vmalloc/src/vmap-pgtable.ts",
];
const hotSyntax = [
  { selector: "ForOfStatement", message: "hot file: no for…of (STYLE C8)" },
  { selector: "SpreadElement", message: "hot file: no spread (STYLE C8)" },
  { selector: "ArrowFunctionExpression", message: "hot file: no closures (STYLE C8)" },
  { selector: "FunctionExpression", message: "hot file: no closures (STYLE C8)" },
  { selector: "TemplateLiteral", message: "hot file: no template strings (STYLE C8)" },
  { selector: "ObjectExpression", message: "hot file: no object literals (STYLE C8)" },
  { selector: "ArrayExpression", message: "hot file: no array literals (STYLE C8)" },
  { selector: "TryStatement", message: "hot file: no try (STYLE C8)" },
  { selector: "CallExpression[callee.property.name=/^(map|filter|forEach|reduce)$/]", message: "hot file: no map/filter/forEach/reduce (STYLE C8)" },
];
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
  {
    // The composition root is the one file that creates each machine's child container from
    // tsyringe's root container (STYLE C5); it registers nothing in the root container itself.
    files: ["packages/machine/src/machine.ts"],
    rules: { "no-restricted-imports": "off" },
  },
);
