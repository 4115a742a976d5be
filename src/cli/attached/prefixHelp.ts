/** The prefix-key commands of attached mode: what `?` shows and `dispatch help keys` prints. */

export function prefixHelp(prefix: string, detach: string | undefined): string[] {
  return [
    `Attached to a session: press ${prefix}, then`,
    "",
    "  n      new session (your defaults), switch to it",
    "  ]  [   next / previous running session",
    "  s      session picker",
    "  h PgUp older output: page back through the stored log (q returns)",
    "  w      close: kill this session (asks first)",
    "  r      rename this session",
    "  d      detach (the session keeps running)",
    "  ?      this help",
    `  ${prefix.padEnd(6)} send ${prefix} itself to the session`,
    "  Esc    nothing (cancel)",
    "",
    detach ? `${detach} alone detaches at once.` : "No detach key is set: use the prefix, then d.",
    'Change the keys in the config file: [keys] prefix = "ctrl-a", detach = "ctrl-\\\\" (see `dispatch help config`).',
  ];
}
