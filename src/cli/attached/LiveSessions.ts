/**
 * The hub's session list kept current from the WebSocket's `session` and `session-removed`
 * pushes, for the status bar and the picker.
 */
import type { SessionInfo } from "../../protocol/session.js";
import type { ClientSocket } from "../ClientSocket.js";

export class LiveSessions {
  private readonly byId = new Map<string, SessionInfo>();
  private readonly listeners = new Set<() => void>();
  private readonly unsubscribe: () => void;

  private constructor(socket: ClientSocket) {
    this.unsubscribe = socket.onMessage((message) => {
      if (message.type === "session") this.byId.set(message.session.id, message.session);
      else if (message.type === "session-removed") this.byId.delete(message.id);
      else return;
      for (const listener of this.listeners) listener();
    });
  }

  static async load(socket: ClientSocket): Promise<LiveSessions> {
    const live = new LiveSessions(socket);
    for (const session of await socket.list())
      if (!live.byId.has(session.id)) live.byId.set(session.id, session);
    return live;
  }

  /** Oldest first: the order `]` and `[` cycle in. */
  all(): SessionInfo[] {
    return [...this.byId.values()].sort((a, b) => a.createdAt - b.createdAt || a.name.localeCompare(b.name));
  }

  get(id: string): SessionInfo | undefined {
    return this.byId.get(id);
  }

  /** Called after every change. Returns a function that removes the listener. */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  dispose(): void {
    this.unsubscribe();
    this.listeners.clear();
  }
}
