/** What every suite gets from the runner. */
import type { Row } from "./report.js";

export interface BenchContext {
  quick: boolean;
  /** Scratch directory for generated files; removed at the end of the run. */
  scratch: string;
  /** Extra environment for every hub the suites start (e.g. NODE_OPTIONS for --cpu-prof). */
  hubEnv: Record<string, string>;
  /** Records a result row (printed at the end, and written to the JSON). */
  add(row: Row): void;
  /** Something noteworthy (misbehaviour, a mode fallback): kept in the results. */
  note(text: string): void;
  /** Progress on stderr. */
  log(text: string): void;
}
