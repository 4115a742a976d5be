/**
 * The session kinds this page knows, by name: one line each. A kind the page does not know
 * (a newer hub) gets the generic view: a terminal under a neutral icon.
 */
import { agent } from "./agent/index.js";
import { chat } from "./chat/index.js";
import { editor } from "./editor/index.js";
import { genericKind } from "./generic/index.js";
import type { WebKind } from "./kind.js";
import { terminal } from "./terminal/index.js";
import { workspace } from "./workspace/index.js";

const KINDS = new Map<string, WebKind>();
/** Unknown kinds met so far, so each keeps one identity (its view is not rebuilt). */
const UNKNOWN = new Map<string, WebKind>();

function register(kind: WebKind): void {
  KINDS.set(kind.name, kind);
}

register(terminal);
register(agent);
register(chat);
register(workspace);
register(editor);

/** What a session created without a kind is (the hub's default too). */
export const DEFAULT_KIND = terminal.name;

export function kindOf(name: string): WebKind {
  const known = KINDS.get(name) ?? UNKNOWN.get(name);
  if (known) return known;
  const generic = genericKind(name);
  UNKNOWN.set(name, generic);
  return generic;
}

/** The kinds the create dialog offers, in registration order. */
export function creatableKinds(): WebKind[] {
  return [...KINDS.values()].filter((kind) => kind.create !== undefined);
}
