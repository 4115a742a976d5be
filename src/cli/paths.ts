/** Where the CLI's own entry point lives, so `dispatch start` can run `dispatch serve` detached. */
import { fileURLToPath } from "node:url";

/** `bin/dispatch.js`, resolved from this module's place in `dist/src/cli/`. */
export const BIN_PATH = fileURLToPath(new URL("../../../bin/dispatch.js", import.meta.url));

/** The hub supervisor's own small entry (`superviseMain.ts`, compiled next to this module). */
export const SUPERVISOR_PATH = fileURLToPath(new URL("./superviseMain.js", import.meta.url));
