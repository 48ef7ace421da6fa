// mmsim: @mmsim/vmalloc/testing — test doubles, usable without a test runner (never imported from ".")
export { FakeVmapPageTables } from "./fake-vmap-page-tables.ts";
