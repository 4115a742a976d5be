/**
 * Reading a session's stored output backwards, for a client that scrolls past what it holds:
 * `GET /api/sessions/:name/history?before=SEQ&limit=N` answers the newest events before SEQ
 * (at most N, and about a MiB of output), oldest first, and the oldest seq retention kept, so
 * the client knows when it has reached the start.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import type { SessionCommands } from "../hub/SessionCommands.js";
import { HistoryQuery } from "../protocol/api.js";
import { isOutputEvent, type SessionEvent } from "../protocol/events.js";
import type { Gate } from "./authorize.js";
import { actorOf } from "./requestActor.js";
import { toApiEvent } from "./rest.js";

/** Output per answer: enough for thousands of lines, small enough for one JSON reply. */
const HISTORY_PAGE_BYTES = 1024 * 1024;

const NameParams = z.object({ name: z.string().min(1).max(64) });

export function registerHistory(app: FastifyInstance, sessions: SessionCommands, gate: Gate): void {
  app.get("/api/sessions/:name/history", async (request) => {
    const { before, limit } = HistoryQuery.parse(request.query);
    const session = gate.session(actorOf(request), "read", NameParams.parse(request.params).name);
    const firstSeq = sessions.firstStoredSeq(session.id);
    // Seqs have no holes after the first stored one (losses are explicit `gap` events).
    const after = Math.max(firstSeq - 1, before - 1 - limit);
    const read = before - 1 > after ? sessions.readEvents(session.id, after, before - 1 - after) : [];
    return {
      events: newestWithin(read, HISTORY_PAGE_BYTES).map(toApiEvent),
      firstSeq,
      lastSeq: session.lastSeq,
    };
  });
}

/** The newest events whose output fits in `bytes` (at least one, so a reader always moves on). */
function newestWithin(events: SessionEvent[], bytes: number): SessionEvent[] {
  let total = 0;
  let start = events.length;
  while (start > 0) {
    const event = events[start - 1];
    const size = event && isOutputEvent(event) ? event.data.length : 64;
    if (total + size > bytes && start < events.length) break;
    total += size;
    start--;
  }
  return events.slice(start);
}
