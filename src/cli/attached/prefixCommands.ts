/**
 * What a prefix command (`PrefixKeys`: the prefix key, then n, ], [, s, h, w, r, d, ?) does in
 * the attached client: switch, create, open the picker or the history, ask, or detach.
 */
import type { Connection } from "./Connection.js";
import type { PrefixCommand } from "./PrefixKeys.js";
import type { Prompts } from "./Prompts.js";
import type { SessionSwitcher } from "./SessionSwitcher.js";
import type { SessionView } from "./SessionView.js";

export interface PrefixCommandParts {
  view: SessionView;
  switcher: SessionSwitcher;
  prompts: Prompts;
  connection: Connection;
  /** Ends the client, detached from the session named (the one shown). */
  detach(name: string): void;
}

export function runPrefixCommand(command: PrefixCommand, parts: PrefixCommandParts): void {
  const { view, switcher, prompts } = parts;
  const current = view.current;
  switch (command.type) {
    case "detach":
      return parts.detach(current?.name ?? "");
    case "step":
      return switcher.step(command.by);
    case "new":
      void switcher.createAndSwitch();
      return;
    case "picker":
      return switcher.openPicker();
    case "history": {
      const shownSeq = view.seq;
      if (current && shownSeq !== undefined) {
        prompts.openHistory({ session: current, shownSeq, hub: parts.connection.hub });
      }
      return;
    }
    case "ask":
      if (current) prompts.ask(command.mode);
      return;
  }
}
