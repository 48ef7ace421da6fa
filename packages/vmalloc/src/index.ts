// mmsim: @mmsim/vmalloc public API (named re-exports only, STYLE C11)
import "reflect-metadata";

export {};
