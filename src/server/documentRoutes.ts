/**
 * REST for scripts and agents working on a file open in an editor session: read its text
 * (with the seq it includes), apply `{from, to, insert}` edits (as CRDT updates, so they merge
 * with live typing), save. Thin aliases of the session's commands (`text`, `edits`, `save`),
 * so a session without them answers with its kind's clear "has no command" error.
 *
 * And the file browser's `GET /api/files?host=H&path=P`: a directory of a host's allowed
 * roots, listed by the host's editor runtime (the same root rules as opening a file).
 */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { HostCommands } from "../hub/HostCommands.js";
import type { SessionCommands } from "../hub/SessionCommands.js";
import { DirectoryListing } from "../kinds/editor/events.js";
import { EDITOR_KIND } from "../kinds/editor/index.js";
import { parseOrBadRequest } from "../protocol/parse.js";
import type { Gate } from "./authorize.js";
import { actorOf } from "./requestActor.js";

const NameParams = z.object({ name: z.string().min(1).max(64) });
const FilesQuery = z.object({
  host: z.string().min(1).max(64).default("local"),
  path: z.string().min(1).max(4096).optional(),
});

export interface DocumentRoutesOptions {
  sessions: SessionCommands;
  hosts: HostCommands;
  gate: Gate;
}

export function registerDocumentRoutes(app: FastifyInstance, options: DocumentRoutesOptions): void {
  const { sessions, hosts, gate } = options;
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
  app.get("/api/files", async (request) => {
    gate.hub(actorOf(request), "browse");
    const { host, path } = parseOrBadRequest(FilesQuery, request.query, "invalid file browser query");
    // A remote host's answer is checked like anything else it sends.
    return DirectoryListing.parse(
      await hosts.kindCommand({ host, kind: EDITOR_KIND, name: "browse", args: path ? { path } : {} }),
    );
  });
}
