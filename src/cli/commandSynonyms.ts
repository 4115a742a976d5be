/**
 * Words a person reaches for from other tools (tmux, screen, docker, a shell) that are no
 * dispatch command, and what to use instead. Edit distance alone guessed wrong for these:
 * `remove` got 'revive' (which starts the session again), `restart` got 'restore' (which puts
 * a backup back), and `rm`, `delete`, `run` got nothing.
 */
export interface Meant {
  guesses: readonly string[];
  /** How to do it, said where the error would say where the list is. */
  how: string;
}

const REMOVE: Meant = {
  guesses: ["kill"],
  how: "`dispatch kill NAME` ends a session, and removes one that has ended; `dispatch gc` removes every ended one",
};
const NEW: Meant = { guesses: ["new"], how: "`dispatch new [--name N] [-- CMD ARGS...]` starts a session" };
const LOGS: Meant = { guesses: ["logs"], how: "`dispatch logs NAME [-n N] [-f]` prints a session's output" };

const MEANT: Readonly<Record<string, Meant>> = {
  rm: REMOVE,
  remove: REMOVE,
  delete: REMOVE,
  del: REMOVE,
  run: NEW,
  create: NEW,
  list: { guesses: ["ls"], how: "`dispatch ls` lists sessions" },
  mv: { guesses: ["rename"], how: "`dispatch rename NAME NEW` renames a session" },
  restart: {
    guesses: ["revive"],
    how: "`dispatch revive NAME` starts an ended session again, a running one once `dispatch kill NAME` ended it; `dispatch stop` then `start` restarts the hub",
  },
  detach: {
    guesses: [],
    how: "while attached, Ctrl-\\ or the prefix key then d detaches; the session keeps running",
  },
  tail: LOGS,
  log: LOGS,
  grep: { guesses: ["search"], how: "`dispatch search PATTERN` finds lines in every session's output" },
};

/** What `given`, no dispatch command, is likely meant as; undefined for a word not listed. */
export function meantCommand(given: string): Meant | undefined {
  return Object.hasOwn(MEANT, given) ? MEANT[given] : undefined;
}

/**
 * A hub command given a session's name (`dispatch stop build`): what acts on a session instead.
 * Undefined for other commands.
 */
export function hubCommandGivenName(commandPath: string): string | undefined {
  if (commandPath === "dispatch stop")
    return "`dispatch stop` stops the hub (sessions keep running); to end a session: `dispatch kill NAME`";
  if (commandPath === "dispatch start")
    return "`dispatch start` starts the hub; to start an ended session again: `dispatch revive NAME`";
  return undefined;
}
