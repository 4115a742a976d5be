/**
 * `GET /api/search?q=&session=&since=&limit=`: lines of stored output in every session (or
 * one) holding every word of `q`, newest `limit` of them, oldest first (see `OutputSearch`).
 */
import type { FastifyInstance } from "fastify";
import { parseDuration } from "../core/duration.js";
import { DispatchError } from "../core/errors.js";
import type { OutputSearch } from "../hub/search/OutputSearch.js";
import { type SearchBody, SearchRequest } from "../protocol/api.js";
import { parseOrBadRequest } from "../protocol/parse.js";
import type { Gate } from "./authorize.js";
import { actorOf } from "./requestActor.js";

export interface SearchRoutesOptions {
  search: OutputSearch;
  gate: Gate;
}

export function registerSearchRoutes(app: FastifyInstance, options: SearchRoutesOptions): void {
  app.get("/api/search", async (request): Promise<SearchBody> => {
    const query = parseOrBadRequest(SearchRequest, request.query, "invalid search");
    const actor = actorOf(request);
    if (query.session !== undefined) options.gate.session(actor, "read", query.session);
    // A person sees the lines of the sessions they may watch, and no others; filtered before
    // the limit, or others' sessions filling it would leave them fewer lines than there are.
    const results = await options.search.query({
      pattern: query.q,
      session: query.session,
      since: query.since === undefined ? undefined : sinceTime(query.since, Date.now()),
      visible: (session) => options.gate.canSee(actor.principal, session),
      limit: query.limit,
    });
    return { results };
  });
}

/** `1h` → an hour before `now`; an ISO date as it is. */
export function sinceTime(since: string, now: number): number {
  if (/^\d+(\.\d+)?(ms|s|m|h|d|w)$/.test(since.trim())) return now - parseDuration(since);
  const date = Date.parse(since);
  if (Number.isNaN(date)) {
    throw new DispatchError(
      "bad_request",
      `invalid since '${since}': use a duration such as 1h or 7d, or a date`,
    );
  }
  return date;
}
