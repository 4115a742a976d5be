/**
 * An introspection adapter: the code a workspace runs in a kernel of one language, silently
 * (`silent: true`, `store_history: false`), to list its variables and open an object. Each
 * call prints one JSON line, which the runtime parses with the schemas of `kinds/workspace`.
 * One module per language; a kernel whose language has none still evaluates.
 */
export interface IntrospectionAdapter {
  readonly name: string;
  /** Run once after the kernel starts (defines the helpers the calls below use). */
  readonly setup: string;
  /** Prints `{variables: [...]}`. */
  variables(): string;
  /** Prints an `InspectedObject` for `expr`, children `offset`..`offset+limit`, or `{error}`. */
  inspect(expr: string, offset: number, limit: number): string;
  /** The expression holding the last evaluation's result (mode `inspect`). */
  readonly lastResult: string;
}
