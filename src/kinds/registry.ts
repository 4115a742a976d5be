/** The session kinds this build knows. Register a new kind here. */
import { DispatchError } from "../core/errors.js";
import type { SessionKind } from "./kind.js";
import { terminalKind } from "./terminal.js";

const kinds = new Map<string, SessionKind>([[terminalKind.name, terminalKind]]);

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
