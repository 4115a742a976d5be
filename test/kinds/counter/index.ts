/** The `counter` plug-in: its hub half (`kind`) and host half (`runtime`), loaded via DISPATCH_PLUGINS. */
import type { RuntimePlugin } from "../../../src/host/runtimes/runtime.js";
import { CounterRuntime } from "./runtime.js";

export { counterKind as kind } from "./kind.js";

export const runtime: RuntimePlugin = { kind: "counter", create: (context) => new CounterRuntime(context) };
