/** The session kinds this hub knows: the built-in ones, registered here, and plug-ins. */
import { DispatchError } from "../core/errors.js";
import { unknownNameMessage } from "../core/names.js";
import { agentKind } from "./agent/index.js";
import { chatKind } from "./chat/index.js";
import { editorKind } from "./editor/index.js";
import type { CreateRequest, KindCommand, Prepared, SessionKind } from "./kind.js";
import { terminalKind } from "./terminal/index.js";
import { workspaceKind } from "./workspace/index.js";

const kinds = new Map<string, SessionKind>();

export function registerKind(kind: SessionKind): void {
  kinds.set(kind.name, kind);
}

registerKind(terminalKind);
registerKind(agentKind);
registerKind(chatKind);
registerKind(workspaceKind);
registerKind(editorKind);

/** The kind, or a `bad_request` with the known kinds and a did-you-mean. */
export function getKind(name: string): SessionKind {
  const kind = kinds.get(name);
  if (kind) return kind;
  const known = [...kinds.keys()];
  throw new DispatchError(
    "bad_request",
    `${unknownNameMessage("session kind", name, known)} (known: ${known.join(", ")})`,
  );
}

/** The kind, or undefined for one this build does not know (a session adopted from a newer host). */
export function findKind(name: string): SessionKind | undefined {
  return kinds.get(name);
}

export function kindNames(): string[] {
  return [...kinds.keys()];
}

/** A create request's options as the kind accepts them; kinds without `prepare` take none. */
export function prepareCreate(kind: SessionKind, request: CreateRequest): Prepared {
  if (kind.prepare) return kind.prepare(request);
  if (request.options && Object.keys(request.options).length > 0)
    throw new DispatchError("bad_request", `'${kind.name}' sessions take no options`);
  return { meta: {}, spawn: {} };
}

/** The kind's command of that name, or a `bad_request` naming the ones it has. */
export function commandOf(kind: SessionKind, name: string): KindCommand {
  const definition = kind.commands?.[name];
  if (definition) return definition;
  const known = Object.keys(kind.commands ?? {});
  throw new DispatchError(
    "bad_request",
    known.length > 0
      ? `'${kind.name}' sessions have no command '${name}' (they have: ${known.join(", ")})`
      : `'${kind.name}' sessions have no commands ('${name}' was asked)`,
  );
}
