/**
 * The terminal modes a session's program may have switched on (mouse reports, application cursor
 * keys, bracketed paste, the alternate screen, the cursor's shape, no line wrap), switched off
 * before anything else takes the terminal: another session's screen (its snapshot switches on
 * what its own program has on), the picker, help or history, and the user's shell at the end.
 * Without it, leaving vim with `mouse=a` for a shell session made every click type escape
 * sequences at the shell's prompt, and the picker drawn over it read clicks as keys.
 */
import { TERMINAL_RESET } from "../RawTerminal.js";

/** What a snapshot can switch on and `TERMINAL_RESET` leaves as it is. */
export const MORE_MODES_OFF = [
  "\x1b[0 q", // the terminal's own cursor shape (DECSCUSR)
  "\x1b[?9l\x1b[?1016l", // X10 mouse reports, SGR pixel encoding
  "\x1b[4l", // replace, not insert
  "\x1b[?6l", // origin mode off
  "\x1b[?7h", // wrap at the right margin
  "\x1b[?45l", // no reverse wraparound
].join("");

/** Everything a session's program may have switched on, switched off. */
export const SESSION_MODES_OFF = TERMINAL_RESET + MORE_MODES_OFF;
