/**
 * Any kind this page does not know (a newer hub): shown as a terminal, which every kind
 * with output can fill, under a neutral icon and its own name.
 */
import TerminalView from "../../components/TerminalView.svelte";
import { terminalFor } from "../../lib/terminal-session.js";
import { defineKind, type WebKind } from "../kind.js";
import Icon from "./Icon.svelte";

export function genericKind(name: string): WebKind {
  return defineKind({
    name,
    label: name,
    Icon,
    open: terminalFor,
    View: TerminalView,
    attach: "screen",
    revivable: false,
    searchable: true,
    foreground: true,
    keyBar: true,
  });
}
