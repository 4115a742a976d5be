/**
 * An interrupt that waited is not sent late. Keys wait in `InputOutbox` while the hub is away
 * (a restart, a crash) or the session's host is (up to `DISPATCH_INPUT_HOLD_MS`), and then go
 * in order, as typed. For most keys late is fine: the session gets what was typed. A key the
 * terminal turns into a signal for whatever runs in the foreground (Ctrl-C, Ctrl-Z, Ctrl-\) is
 * not: it was meant for the command on the screen when it was pressed, and seconds later that
 * command may have ended and another (the next in a script, `make && deploy`) be running.
 *
 * So an interrupt still waiting `INTERRUPT_FRESH_MS` after it was typed is dropped, and with it
 * everything typed after it in that wait (keys meant to follow the interrupt, sent without it,
 * would land in the command it was meant to stop: cut short, never with a hole in it). The
 * person is told, and presses it again if it is still needed. One that reached the session and
 * lost only its receipt is never applied twice either way: its id (`InputStreams`) sees to that.
 */

/**
 * A hub restarted by its supervisor, or started again by hand, is back within a few seconds:
 * an interrupt pressed meanwhile still means the command that was running. Past this, it may not.
 */
export const INTERRUPT_FRESH_MS = 5_000;

/** The keys a terminal's line discipline turns into a signal for the foreground command. */
const INTERRUPTS: Record<string, string> = { "\x03": "Ctrl-C", "\x1a": "Ctrl-Z", "\x1c": "Ctrl-\\" };
const INTERRUPT = /[\x03\x1a\x1c]/;

/** A waiting input: what it holds and when it was typed (ms since the epoch). */
export interface WaitingInput {
  data: string;
  typedAt: number;
}

/** Index of the first of `waiting` (oldest first) that is an interrupt typed too long ago; -1 if none. */
export function staleInterruptAt(waiting: readonly WaitingInput[], now: number): number {
  return waiting.findIndex((input) => now - input.typedAt > INTERRUPT_FRESH_MS && INTERRUPT.test(input.data));
}

/**
 * What the person is told when `input` (a stale interrupt) and the keys after it were dropped;
 * `waited`: why they waited (the session out of reach, or being started again).
 */
export function staleInterruptNotice(
  input: WaitingInput,
  now: number,
  waited = "while the session could not be reached",
): string {
  const key = INTERRUPTS[INTERRUPT.exec(input.data)?.[0] ?? "\x03"] ?? "Ctrl-C";
  const seconds = Math.round((now - input.typedAt) / 1000);
  return `${key} typed ${seconds} s ago, ${waited}, was dropped with the keys after it: what it was meant to stop may have ended; look at the screen and type again`;
}
