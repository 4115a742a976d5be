/**
 * What a client connection's requests do to one session (revive, a kind's command, input,
 * resize, rename, kill): each through the gate for the connection's principal, audited, and
 * answered on the connection. Apart from `ClientConnection`, which keeps the connection's life
 * (hello, access, subscriptions, pushes).
 */
import type { InputStreams } from "../core/InputStreams.js";
import type { Actor } from "../hub/AuditTrail.js";
import type { Hub } from "../hub/Hub.js";
import type { ClientMessage, ServerMessage } from "../protocol/client.js";
import { callerOf } from "../protocol/people.js";
import { auditedCommand } from "./auditedCommand.js";
import type { Gate } from "./authorize.js";

export type SessionRequest = Extract<
  ClientMessage,
  { type: "revive" | "command" | "input" | "resize" | "rename" | "kill" }
>;

export interface SessionRequestContext {
  hub: Hub;
  gate: Gate;
  actor: Actor;
  /** The connection's id in presence and the size rule. */
  client: string;
  /** Numbered inputs applied on this hub (shared by its connections): resends are not typed twice. */
  inputs: InputStreams | undefined;
  /** Whether the connection is attached to the session (its size is then the size rule's). */
  attached(session: string): boolean;
  send(message: ServerMessage): void;
}

export async function sessionRequest(context: SessionRequestContext, message: SessionRequest): Promise<void> {
  const { hub, gate, actor, send } = context;
  const { sessions, audit, clients } = hub;
  switch (message.type) {
    case "revive": {
      const info = gate.session(actor, "revive", message.session);
      audit.record(actor, "revive", { session: info.id, detail: { name: info.name } });
      return send({
        type: "result",
        ref: message.ref,
        data: { session: await sessions.revive(info.id, message.options) },
      });
    }
    case "command": {
      const info = gate.command(actor, message.session, message.name);
      // Whose it is, as this connection proved it: never a name the client gives.
      const by = callerOf(actor.principal);
      const run = () => sessions.command(info.id, message.name, message.args, by);
      return send({
        type: "result",
        ref: message.ref,
        data: await auditedCommand(audit, actor, info.id, message.name, run),
      });
    }
    case "input": {
      const info = gate.target(actor, "input", message.session);
      const { inputs } = context;
      // A resend of an input this hub applied (its ack was lost with the client's old link).
      const sender = actor.principal.id;
      if (message.id && inputs?.seen(sender, message.id)) {
        if (message.ref !== undefined) send({ type: "result", ref: message.ref });
        return;
      }
      // Its size first (the size rule may switch to this client's): the program then reads
      // the key at the size the person typing it sees, as under tmux.
      clients.active(info.id, context.client);
      await sessions.input(info.id, message.data, callerOf(actor.principal), message.id, "with-echo");
      if (message.id) inputs?.record(sender, message.id);
      audit.input(actor, info.id);
      if (message.ref !== undefined) send({ type: "result", ref: message.ref });
      return;
    }
    case "resize": {
      const info = gate.target(actor, "resize", message.session);
      const size = { cols: message.cols, rows: message.rows };
      audit.often(actor, "resize", info.id, Date.now(), size);
      // Attached: the size rule decides; not attached (a script): the size is applied as asked.
      if (context.attached(info.id)) clients.active(info.id, context.client, size);
      else sessions.resize(info.id, size.cols, size.rows);
      if (message.ref !== undefined) send({ type: "result", ref: message.ref });
      return;
    }
    case "rename": {
      const info = gate.session(actor, "rename", message.session);
      const renamed = sessions.rename(info.id, message.name);
      audit.record(actor, "rename", { session: info.id, detail: { from: info.name, to: message.name } });
      return send({ type: "result", ref: message.ref, data: { session: renamed } });
    }
    case "kill": {
      const info = gate.session(actor, "kill", message.session);
      audit.record(actor, "kill", {
        session: info.id,
        detail: { name: info.name, signal: message.signal },
      });
      return send({
        type: "result",
        ref: message.ref,
        data: { session: await sessions.kill(info.id, message.signal) },
      });
    }
  }
}
