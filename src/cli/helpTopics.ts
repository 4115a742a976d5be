/** The topics of `dispatch help TOPIC`: short pages about how the pieces fit. */
import { prefixHelp } from "./attached/prefixHelp.js";
import { PICKER_HELP } from "./tui/pickerView.js";
import { TUTORIAL } from "./tutorial.js";

export const HELP_TOPICS: Record<string, { summary: string; text: () => string }> = {
  start: { summary: "the three-command tutorial", text: () => TUTORIAL },
  sessions: {
    summary: "what a session is and the commands that manage one",
    text: () =>
      [
        "A session is a long-lived process (your shell, or a command) run by the hub's host.",
        "It keeps running when you detach, close the terminal, or the hub restarts.",
        "",
        "  dispatch new [--name N] [--cwd DIR] [-- CMD ...]   start one; prints its name",
        "  dispatch ls [--verbose] [--json]                   list them",
        "  dispatch attach NAME                               use one in this terminal",
        "  dispatch send NAME --enter TEXT                    type into one",
        "  dispatch logs NAME [--follow]                      its output",
        "  dispatch search WORDS [--session N] [--since 1h]   find lines in all stored output",
        "  dispatch rename NAME NEW / dispatch kill NAME      manage",
        "",
        "Names: 1-32 of a-z 0-9 _ -. A mistyped name gets a did-you-mean from the hub.",
      ].join("\n"),
  },
  picker: {
    summary: "the session picker (`dispatch` with no arguments)",
    text: () => PICKER_HELP.slice(0, -2).join("\n"),
  },
  attach: {
    summary: "attached mode: status bar, switching, detaching",
    text: () =>
      [
        "dispatch attach NAME makes this terminal the session's terminal.",
        "The bottom row is a status bar: [name], host, session count, sessions with unread output.",
        "The session gets the other rows (turn the bar off with --no-status-bar or [ui] status_bar = false).",
        "Switching shows the other session's current screen at once.",
        "",
        ...prefixHelp("Ctrl-]", "Ctrl-\\"),
      ].join("\n"),
  },
  keys: {
    summary: "every key of the picker and of attached mode",
    text: () => [...prefixHelp("Ctrl-]", "Ctrl-\\"), "", ...PICKER_HELP.slice(0, -2)].join("\n"),
  },
  config: {
    summary: "the config file: keys, status bar, defaults",
    text: () =>
      [
        "$XDG_CONFIG_HOME/dispatch/config.toml (or config.json); `dispatch config path` prints where.",
        "`dispatch config show` prints the settings in effect. An invalid file is an error naming its line.",
        "",
        "  [keys]",
        '  prefix = "ctrl-]"        # before n ] [ s h w r d ?; "none" turns it off',
        '  detach = "ctrl-\\\\"       # detaches at once; "none" turns it off',
        "",
        "  [ui]",
        "  status_bar = true        # the bottom-row status bar when attached",
        "",
        "  [defaults]               # for new sessions made from the picker (n) or the prefix (n)",
        '  cwd = "~/src"',
        '  command = ["zsh", "-l"]',
        '  host = "local"',
        "",
        "Agent and chat profiles live in the same file: see docs/AGENTS.md.",
      ].join("\n"),
  },
  scripting: {
    summary: "JSON output and exit codes for scripts",
    text: () =>
      [
        "dispatch ls --json prints the sessions as a JSON array; field names are stable (docs/CLI.md).",
        "Exit codes: 0 ok, 1 error, 2 usage (bad flag, bad config). Errors are one line on stderr.",
        "Without a terminal, `dispatch` alone prints the same table as `dispatch ls`.",
        "dispatch cmd SESSION COMMAND [ARGS_JSON] runs a command of the session's kind; prints its result as JSON.",
        "dispatch eval WORKSPACE CODE (or code on stdin) prints the output and result; exit 1 on an error, traceback on stderr.",
      ].join("\n"),
  },
};
