/**
 * `import()` of a module chosen at run time (an optional dependency, a plug-in's file) that also
 * works inside the hub's cached bundle. Node 20 loses `import()` in functions V8 restores from a
 * code cache another process wrote ("A dynamic import callback was not specified"), so the
 * bundle's loader (`platform/cachedBundle.ts`), a real ES module, lends its own `import()`
 * under a global symbol before it runs the bundle. Elsewhere this is plain `import()`.
 */
type Importer = (specifier: string) => Promise<unknown>;

const LENT = Symbol.for("dispatch.importModule");

/** Called by the bundle's loader with an `import()` that Node resolves from the loader's place. */
export function lendImport(importer: Importer): void {
  (globalThis as Record<symbol, unknown>)[LENT] = importer;
}

export function importModule<M = Record<string, unknown>>(specifier: string): Promise<M> {
  const lent = (globalThis as Record<symbol, unknown>)[LENT] as Importer | undefined;
  return (lent ? lent(specifier) : import(specifier)) as Promise<M>;
}
