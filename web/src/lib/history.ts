/**
 * Older output for a terminal that scrolls past what it holds: one page backwards from the hub
 * (`GET /api/sessions/:id/history?before=SEQ`), then every event after it up to what the
 * terminal has applied (`/events?after=`), so the terminal can redraw from there as printed.
 */

export interface HistoryEvent {
  seq: number;
  type: string;
  /** Output bytes (output events only). */
  output?: Uint8Array;
  data: Record<string, unknown>;
}

interface ApiEvent {
  seq: number;
  type: string;
  data: unknown;
}

interface ApiPage {
  events: ApiEvent[];
  firstSeq: number;
}

/** Events per backwards page: a few thousand lines of typical output. */
const HISTORY_PAGE_EVENTS = 500;
/** Events per forward page (the route's maximum). */
const FORWARD_PAGE_EVENTS = 10_000;

async function getPage(url: string): Promise<ApiPage> {
  const response = await fetch(url, { credentials: "same-origin" });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return (await response.json()) as ApiPage;
}

function fromApi(event: ApiEvent): HistoryEvent {
  if (event.type === "output" && typeof event.data === "string") {
    return {
      seq: event.seq,
      type: event.type,
      output: Uint8Array.from(atob(event.data), (c) => c.charCodeAt(0)),
      data: {},
    };
  }
  const data =
    typeof event.data === "object" && event.data !== null ? (event.data as Record<string, unknown>) : {};
  return { seq: event.seq, type: event.type, data };
}

/**
 * Every stored event from one page before `before` up to `lastSeq()` (re-read after each
 * request, as live output keeps arriving); undefined when nothing older is stored.
 */
export async function olderOutput(
  session: string,
  before: number,
  lastSeq: () => number,
): Promise<{ events: HistoryEvent[]; from: number; reachedStart: boolean } | undefined> {
  const base = `/api/sessions/${encodeURIComponent(session)}`;
  const older = await getPage(`${base}/history?before=${before}&limit=${HISTORY_PAGE_EVENTS}`);
  const first = older.events[0];
  if (!first) return undefined;
  const events = older.events.map(fromApi);
  let after = before - 1;
  while (after < lastSeq()) {
    const page = await getPage(`${base}/events?after=${after}&limit=${FORWARD_PAGE_EVENTS}`);
    const last = page.events.at(-1);
    if (!last) break;
    for (const event of page.events) if (event.seq <= lastSeq()) events.push(fromApi(event));
    after = last.seq;
  }
  return { events, from: first.seq, reachedStart: first.seq <= older.firstSeq };
}
