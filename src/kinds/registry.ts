/** The session kinds this build knows. Register a new kind here. */
import { DispatchError } from "../core/errors.js";
import { agentKind } from "./agent.js";
import { chatKind } from "./chat.js";
import type { KindOptions, SessionKind } from "./kind.js";
import { terminalKind } from "./terminal.js";

const kinds = new Map<string, SessionKind>(
  [terminalKind, agentKind, chatKind].map((kind) => [kind.name, kind]),
);

export function registerKind(kind: SessionKind): void {
  kinds.set(kind.name, kind);
}

export function getKind(name: string): SessionKind {
  const kind = kinds.get(name);
  if (!kind) {
    throw new DispatchError(
      "bad_request",
      `unknown session kind '${name}' (known: ${[...kinds.keys()].join(", ")})`,
    );
  }
  return kind;
}

export function kindNames(): string[] {
  return [...kinds.keys()];
}

/** A create request's options as the kind accepts them; none for kinds without options. */
export function prepareKindOptions(
  kind: SessionKind,
  options: Record<string, unknown> | undefined,
): KindOptions {
  if (kind.prepareOptions) return kind.prepareOptions(options ?? {});
  if (options && Object.keys(options).length > 0)
    throw new DispatchError("bad_request", `'${kind.name}' sessions take no options`);
  return { meta: {}, spawn: {} };
}
