/**
 * REST for scripts and agents working on a file open in an editor session: read its text
 * (with the seq it includes), apply `{from, to, insert}` edits (as CRDT updates, so they merge
 * with live typing), save. Thin aliases of the session's commands (`text`, `edits`, `save`),
 * so a session without them answers with its kind's clear "has no command" error.
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { SessionCommands } from "../hub/SessionCommands.js";
import type { Gate } from "./authorize.js";
import { actorOf } from "./requestActor.js";

const NameParams = z.object({ name: z.string().min(1).max(64) });

export function registerDocumentRoutes(app: FastifyInstance, sessions: SessionCommands, gate: Gate): void {
  // Reading the text is watching; editing and saving are commands (writers).
  const session = (request: FastifyRequest, action: "read" | "command") =>
    gate.session(actorOf(request), action, NameParams.parse(request.params).name).id;
  app.get("/api/sessions/:name/text", async (request) =>
    sessions.command(session(request, "read"), "text", {}),
  );
  app.post("/api/sessions/:name/edits", async (request) =>
    sessions.command(session(request, "command"), "edits", request.body),
  );
  app.post("/api/sessions/:name/save", async (request) =>
    sessions.command(session(request, "command"), "save", {}),
  );
}
