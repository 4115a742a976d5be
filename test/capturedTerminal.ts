/**
 * The attached client's terminal and status bar without a person's terminal: what they draw is
 * kept in memory. Shared by the tests that drive the client's parts (`SessionView`,
 * `SessionScreen`) directly.
 */
import { PassThrough, Writable } from "node:stream";
import { StatusRow } from "../src/cli/attached/StatusRow.js";
import { RawTerminal } from "../src/cli/RawTerminal.js";
import type { SeenState } from "../src/cli/seenState.js";

export interface CapturedTerminal {
  terminal: RawTerminal;
  /** A bar with nothing to say: no picker, prompt, session list or switch under way. */
  bar: StatusRow;
  /** Everything drawn so far, decoded as UTF-8 once whole. */
  drawn(): string;
}

/**
 * With `size`, the terminal is a TTY of that size and the bar is on; without it, the terminal is
 * no TTY (no size, so no bar), as when the client's output is piped.
 */
export function capturedTerminal(seen: SeenState, size?: { cols: number; rows: number }): CapturedTerminal {
  const chunks: Buffer[] = [];
  const stdout = Object.assign(
    new Writable({
      write(chunk: Buffer | string, _encoding, done) {
        chunks.push(Buffer.from(chunk));
        done();
      },
    }),
    size ? { isTTY: true, columns: size.cols, rows: size.rows } : {},
  );
  const terminal = new RawTerminal(
    new PassThrough() as unknown as NodeJS.ReadStream,
    stdout as unknown as NodeJS.WriteStream,
  );
  const bar = new StatusRow({
    terminal,
    enabled: size !== undefined,
    prefixKey: undefined,
    seen,
    state: () => ({
      picker: false,
      finished: false,
      prompt: undefined,
      current: undefined,
      sessions: undefined,
      reconnecting: false,
      switchingTo: undefined,
      prefixPending: false,
      readOnly: false,
    }),
  });
  return { terminal, bar, drawn: () => Buffer.concat(chunks).toString("utf8") };
}
