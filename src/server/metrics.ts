/**
 * Prometheus metrics of one hub node: sessions, clients and hosts right now, events stored (in)
 * and sent to clients (out), store call latency, fan-out lag (how old an event is when it reaches
 * a client) and the process's memory and event loop. The hub's own are recorded here, as plain
 * numbers (`exposition.ts`); the process's come from prom-client, loaded and started by the first
 * scrape (`processMetrics.ts`). Served at `/metrics` behind the hub's auth (owner), and, with
 * `DISPATCH_METRICS_PORT`, on a plain listener bound to 127.0.0.1 for a local scraper.
 */
import { createServer, type Server } from "node:http";
import { lazyModule } from "../core/lazyModule.js";
import type { SessionEvent } from "../protocol/events.js";
import type { Store } from "../store/Store.js";
import { CONTENT_TYPE, Histogram, metricLines, type Sample } from "./exposition.js";
import type { ProcessMetrics } from "./processMetrics.js";

/** Store calls timed one by one (the hot ones, and those a slow server shows first). */
const TIMED_STORE_CALLS = new Set([
  "appendBatch",
  "readEvents",
  "latestSnapshot",
  "putSnapshot",
  "insertSession",
  "updateSession",
]);

/** Seconds: from well under SQLite's typical call to a PostgreSQL server that stalls. */
const STORE_BUCKETS = [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];
/** Seconds from an event's birth on its host to its send to a client. */
const LAG_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10];

const PREFIX = "dispatch_";

const processMetricsModule = lazyModule(
  "the process's metrics (prom-client)",
  () => import("./processMetrics.js"),
);

export interface MetricsSources {
  sessions: () => { status: string }[];
  /** Whether the search index worker thread runs (a flood or a backlog being indexed). */
  searchWorker: () => boolean;
  /** Whether the screen worker thread runs (it stops while every screen is idle). */
  screenWorker: () => boolean;
  hosts: () => { status: string }[];
}

export class HubMetrics {
  private eventsIn = 0;
  private eventsOut = 0;
  private readonly storeSeconds = new Histogram(
    `${PREFIX}store_seconds`,
    "Time a store call takes, by call",
    STORE_BUCKETS,
    "call",
  );
  private readonly fanoutLag = new Histogram(
    `${PREFIX}fanout_lag_seconds`,
    "Age of an event (from its birth on the host) when it is sent to a client",
    LAG_BUCKETS,
  );
  private processMetrics: Promise<ProcessMetrics> | undefined;
  /** How many clients are connected; the app that owns the WebSocket server sets it. */
  clients: () => number = () => 0;

  constructor(private readonly sources: MetricsSources) {}

  stored(count: number): void {
    this.eventsIn += count;
  }

  sent(event: Pick<SessionEvent, "ts">): void {
    this.eventsOut += 1;
    this.fanoutLag.observe(Math.max(0, Date.now() - event.ts) / 1000);
  }

  /** The store with its hot calls timed into `dispatch_store_seconds`; everything else passes through. */
  timed(store: Store): Store {
    const wrapped = new Map<PropertyKey, unknown>();
    const histogram = this.storeSeconds;
    return new Proxy(store, {
      get(target, key) {
        const value = Reflect.get(target, key, target) as unknown;
        if (typeof value !== "function") return value;
        let fn = wrapped.get(key);
        if (fn === undefined) {
          const original = value as (...args: unknown[]) => unknown;
          fn =
            typeof key === "string" && TIMED_STORE_CALLS.has(key)
              ? (...args: unknown[]) => {
                  const start = performance.now();
                  try {
                    return original.apply(target, args);
                  } finally {
                    histogram.observe((performance.now() - start) / 1000, key);
                  }
                }
              : original.bind(target);
          wrapped.set(key, fn);
        }
        return fn;
      },
    });
  }

  /** The text exposition format Prometheus scrapes. */
  async text(): Promise<{ contentType: string; body: string }> {
    this.processMetrics ??= processMetricsModule().then(
      ({ startProcessMetrics }) => startProcessMetrics(PREFIX),
      (err: unknown) => {
        this.processMetrics = undefined;
        throw err;
      },
    );
    const processText = await (await this.processMetrics).text();
    return { contentType: CONTENT_TYPE, body: `${this.ownLines().join("\n")}\n\n${processText}` };
  }

  private ownLines(): string[] {
    const { sources } = this;
    const metric = (name: string, help: string, type: "gauge" | "counter", samples: Sample[]) =>
      metricLines(`${PREFIX}${name}`, help, type, samples);
    const byStatus = (items: { status: string }[]): Sample[] =>
      [...countBy(items)].map(([status, n]) => [{ status }, n]);
    const one = (value: number | boolean): Sample[] => [[{}, Number(value)]];
    return [
      ...metric("sessions", "Sessions known to the hub, by status", "gauge", byStatus(sources.sessions())),
      ...metric(
        "hosts",
        "Hosts known to this node, by connection status",
        "gauge",
        byStatus(sources.hosts()),
      ),
      ...metric(
        "search_worker",
        "1 while the search index worker thread runs (indexing a flood or a backlog), else 0",
        "gauge",
        one(sources.searchWorker()),
      ),
      ...metric(
        "screen_worker",
        "1 while the screen worker thread runs (it stops while every screen is idle), else 0",
        "gauge",
        one(sources.screenWorker()),
      ),
      ...metric("clients", "Client WebSockets connected to this node", "gauge", one(this.clients())),
      ...metric(
        "events_stored_total",
        "Events from hosts stored by this node (rate: events/s in)",
        "counter",
        one(this.eventsIn),
      ),
      ...metric(
        "events_sent_total",
        "Events sent to clients by this node (rate: events/s out)",
        "counter",
        one(this.eventsOut),
      ),
      ...this.storeSeconds.lines(),
      ...this.fanoutLag.lines(),
    ];
  }

  /** A listener on 127.0.0.1:`port` serving only `/metrics`, without auth (loopback only). */
  async listenLoopback(port: number): Promise<Server> {
    const server = createServer((request, response) => {
      if (request.url?.split("?")[0] !== "/metrics") {
        response.writeHead(404).end("only /metrics here\n");
        return;
      }
      this.text().then(
        ({ contentType, body }) => response.writeHead(200, { "content-type": contentType }).end(body),
        (err: unknown) => response.writeHead(500).end(String(err)),
      );
    });
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => resolve());
    });
    return server;
  }
}

function countBy(items: { status: string }[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.status, (counts.get(item.status) ?? 0) + 1);
  return counts;
}
