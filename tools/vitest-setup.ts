// mmsim: loaded before every test file (vitest setupFiles): the Reflect polyfill tsyringe needs.
import "reflect-metadata";
