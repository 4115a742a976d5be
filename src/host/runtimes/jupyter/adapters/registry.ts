/** Introspection adapters by kernel language (`language` of the kernelspec). */
import type { IntrospectionAdapter } from "./adapter.js";
import { pythonAdapter } from "./python.js";

const adapters = new Map<string, IntrospectionAdapter>([["python", pythonAdapter]]);

export function adapterFor(language: string): IntrospectionAdapter | undefined {
  return adapters.get(language.toLowerCase());
}
