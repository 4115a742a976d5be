/** The session kinds with CLI verbs, registered in this order after the core commands. */

import type { SessionInfo } from "../../protocol/session.js";
import type { DispatchConfig } from "../config.js";
import { agentCli } from "./agent.js";
import { chatCli } from "./chat.js";
import type { CliKind, DeclaredFields, LeftBehind } from "./cliKind.js";
import { editorCli } from "./editor.js";
import { workspaceCli } from "./workspace.js";

export const cliKinds: readonly CliKind[] = [
  agentCli, // dispatch agent diff|finish, dispatch notify
  chatCli, // dispatch chat [NAME], chat fork, chat export
  workspaceCli, // dispatch eval, inspect, transcript, images, kernels
  editorCli, // dispatch edit PATH, cat NAME, save NAME
];

/** What removing `session` would lose, as its kind says (`CliKind.unsaved`); undefined: nothing. */
export function unsavedWork(session: SessionInfo): string | undefined {
  return cliKinds.find((k) => k.kind === session.kind)?.unsaved?.(session);
}

/** A project's declaration of a `kind` session as the hub creates it (`CliKind.declare`). */
export function declaredSession(
  kind: string,
  declared: DeclaredFields,
  config: () => DispatchConfig,
): DeclaredFields {
  return cliKinds.find((k) => k.kind === kind)?.declare?.(declared, config) ?? declared;
}

/** What `session` leaves on disk once removed, as its kind says (`CliKind.leftBehind`). */
export function leftBehind(session: SessionInfo, options: { remove: boolean }): LeftBehind | undefined {
  return cliKinds.find((k) => k.kind === session.kind)?.leftBehind?.(session, options);
}

/** What shows `session` instead of output, for a kind that writes none (`CliKind.noOutput`). */
export function noOutput(session: SessionInfo): string | undefined {
  return cliKinds.find((k) => k.kind === session.kind)?.noOutput?.(session);
}

/** Why `session` cannot be revived, as its kind sees it from here (`CliKind.reviveRefusal`). */
export function reviveRefusal(session: SessionInfo): string | undefined {
  return cliKinds.find((k) => k.kind === session.kind)?.reviveRefusal?.(session);
}
