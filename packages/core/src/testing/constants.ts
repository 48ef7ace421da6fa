// mmsim: figures the contract suites share (6.1: MAX_ORDER = 11, exclusive)
import { MAX_ORDER_NR_PAGES } from "../mmzone.ts";

/** Pages in one block of the largest order (2^(MAX_ORDER-1) = 1024 with 4 KiB pages). */
export const MAX_ORDER_BLOCK_PAGES = MAX_ORDER_NR_PAGES;
