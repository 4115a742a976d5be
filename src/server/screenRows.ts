/**
 * `GET /api/sessions/:name/screen/rows?count=N`: the last lines of a session's screen as text,
 * read from the hub's screen of it (the picker's preview), or `rows: null` when there is none.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { Hub } from "../hub/Hub.js";
import { type ScreenRowsBody, ScreenRowsQuery } from "../protocol/api.js";
import type { Gate } from "./authorize.js";
import { actorOf } from "./requestActor.js";

const NameParams = z.object({ name: z.string().min(1).max(64) });

export function registerScreenRows(app: FastifyInstance, hub: Hub, gate: Gate): void {
  app.get("/api/sessions/:name/screen/rows", async (request): Promise<z.infer<typeof ScreenRowsBody>> => {
    const { count } = ScreenRowsQuery.parse(request.query);
    const session = gate.session(actorOf(request), "read", NameParams.parse(request.params).name);
    return { rows: (await hub.screenRows(session, count)) ?? null };
  });
}
