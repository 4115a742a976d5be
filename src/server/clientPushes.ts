/**
 * What the hub tells a signed-in client unasked: changes to the sessions it may see (and their
 * removal), presence, hosts (to an owner, not through a share link), and storage failing or
 * recovered (at once on sign-in while it fails). Started once, at the connection's first hello.
 */
import type { Actor } from "../hub/AuditTrail.js";
import type { Hub } from "../hub/Hub.js";
import type { StorageStatus } from "../protocol/api.js";
import type { ServerMessage } from "../protocol/client.js";
import type { HostView } from "../protocol/hosts.js";
import type { Gate } from "./authorize.js";

export interface ClientPushesOptions {
  hub: Hub;
  gate: Gate;
  actor: Actor;
  /** Host status changes, pushed as `host` messages. */
  hosts?: { listen(listener: (host: HostView) => void): () => void } | undefined;
  /** Storage failing or recovered, pushed as `storage` messages. */
  storage?:
    | { readonly status: StorageStatus; listen(listener: (status: StorageStatus) => void): () => void }
    | undefined;
  send: (message: ServerMessage) => void;
  /** A session was removed from the hub: the connection forgets it before the client is told. */
  removed: (id: string) => void;
}

/** Starts the pushes; returns their stop. */
export function startClientPushes(options: ClientPushesOptions): () => void {
  const { hub, gate, actor, send } = options;
  const stops = [
    hub.sessions.listen({
      changed: (session) => {
        if (gate.canSee(actor.principal, session.id)) send({ type: "session", session });
      },
      removed: (id) => {
        options.removed(id);
        send({ type: "session-removed", id });
      },
    }),
    hub.bus.on("presence", (session, presence) => {
      if (gate.canSee(actor.principal, session)) send({ type: "presence", session, presence });
    }),
    options.storage?.listen((storage) => send({ type: "storage", storage })),
  ];
  // Hosts are the owner's business.
  if (hub.people.refresh(actor.principal)?.role === "owner" && actor.principal.via !== "share") {
    stops.push(options.hosts?.listen((host) => send({ type: "host", host })));
  }
  const storage = options.storage?.status;
  if (storage && !storage.ok) queueMicrotask(() => send({ type: "storage", storage }));
  return () => {
    for (const stop of stops) stop?.();
  };
}
