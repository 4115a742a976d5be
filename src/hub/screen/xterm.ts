/**
 * xterm's modules for the screen worker, loaded with `require`. They are CommonJS: imported as
 * ES modules, Node first scans each file for its export names (cjs-module-lexer over their
 * minified code), paid again whenever the worker starts after its idle stop: the worker's start
 * to its first snapshot took 212 ms of CPU, 166 without (medians of 5). Types come from the
 * packages themselves.
 */
import { createRequire } from "node:module";
import type SerializeModule from "@xterm/addon-serialize";
import type Unicode11Module from "@xterm/addon-unicode11";
import type HeadlessModule from "@xterm/headless";

const require = createRequire(import.meta.url);

export const headless: typeof HeadlessModule = require("@xterm/headless");
export const serializeAddon: typeof SerializeModule = require("@xterm/addon-serialize");
export const unicode11Addon: typeof Unicode11Module = require("@xterm/addon-unicode11");
