/**
 * This client's role on each session it attached to, as the hub says it (`attached`, and `role`
 * when an owner changes it while the client is connected): the status bar marks a session the
 * client may only watch, keys for it are not sent, and the client says when that changes.
 */
import type { Role } from "../../protocol/people.js";
import type { ClientSocket } from "../ClientSocket.js";

export class SessionRoles {
  private readonly roles = new Map<string, Role>();

  /** `changed` hears of a session becoming read-only or writable again while attached. */
  constructor(private readonly changed: (session: string, readOnly: boolean) => void) {}

  /** Follows one connection's messages (a new one after each reconnect); returns what stops it. */
  follow(socket: ClientSocket): () => void {
    return socket.onMessage((message) => {
      if (message.type === "attached" && message.role) {
        this.roles.set(message.session.id, message.role);
      } else if (message.type === "role" && message.session !== undefined) {
        const was = this.readOnly(message.session);
        this.roles.set(message.session, message.role);
        if (was !== this.readOnly(message.session)) this.changed(message.session, !was);
      }
    });
  }

  /** Whether this client may only watch the session (a viewer, by role, grant or read-only link). */
  readOnly(session: string): boolean {
    return this.roles.get(session) === "viewer";
  }
}
