/** Where the CLI's own entries live, so `dispatch start` can run the supervisor and the hub detached. */
import { fileURLToPath } from "node:url";

/** The hub supervisor's own small entry (`superviseMain.ts`, compiled next to this module). */
export const SUPERVISOR_PATH = fileURLToPath(new URL("./superviseMain.js", import.meta.url));

/** The hub's own entry (`dispatchServe.ts`): `serve` without the rest of the CLI. */
export const SERVE_PATH = fileURLToPath(new URL("./dispatchServe.js", import.meta.url));
