/** `terminal`: a shell or a command in a PTY, shown by xterm.js. */
import TerminalView from "../../components/TerminalView.svelte";
import { terminalFor } from "../../lib/terminal-session.js";
import { defineKind } from "../kind.js";
import CreateFields from "./CreateFields.svelte";
import Icon from "./Icon.svelte";

export const terminal = defineKind({
  name: "terminal",
  label: "Terminal",
  Icon,
  open: terminalFor,
  View: TerminalView,
  attach: "screen",
  create: CreateFields,
  revivable: true,
  searchable: true,
  foreground: true,
  keyBar: true,
});
