/**
 * `agent`: an AI coding agent's CLI in a PTY, shown as a terminal. What it is doing (and
 * whether it needs you) comes with the session record (`SessionInfo.agent`), for every list.
 */
import TerminalView from "../../components/TerminalView.svelte";
import { terminalFor } from "../../lib/terminal-session.js";
import { defineKind } from "../kind.js";
import Icon from "./Icon.svelte";

export const agent = defineKind({
  name: "agent",
  label: "Agent",
  Icon,
  open: terminalFor,
  View: TerminalView,
  attach: "screen",
  // Started by `dispatch agent` (profile, worktree), not from the page; revived there too.
  revivable: false,
  searchable: true,
  foreground: true,
  keyBar: true,
});
