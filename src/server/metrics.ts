/**
 * Prometheus metrics of one hub node (prom-client): sessions, clients and hosts right now,
 * events stored (in) and sent to clients (out), store call latency, fan-out lag (how old an
 * event is when it reaches a client) and the process's memory and event loop (prom-client's
 * defaults, started by the first scrape: their event-loop monitor wakes the process every
 * 10 ms, 100 times a second in an otherwise idle hub). Served at `/metrics` behind the hub's auth (owner), and, with
 * `DISPATCH_METRICS_PORT`, on a plain listener bound to 127.0.0.1 for a local scraper.
 */
import { createServer, type Server } from "node:http";
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { SessionEvent } from "../protocol/events.js";
import type { Store } from "../store/Store.js";

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

export interface MetricsSources {
  sessions: () => { status: string }[];
  /** Whether the search index worker thread runs (a flood or a backlog being indexed). */
  searchWorker: () => boolean;
  /** Whether the screen worker thread runs (it stops while every screen is idle). */
  screenWorker: () => boolean;
  hosts: () => { status: string }[];
}

export class HubMetrics {
  readonly registry = new Registry();
  private readonly eventsIn: Counter;
  private readonly eventsOut: Counter;
  private readonly storeSeconds: Histogram<"call">;
  private readonly fanoutLag: Histogram;
  private defaultsStarted = false;
  /** How many clients are connected; the app that owns the WebSocket server sets it. */
  clients: () => number = () => 0;

  constructor(sources: MetricsSources) {
    const registers = [this.registry];
    const self = this;
    new Gauge({
      name: "dispatch_sessions",
      help: "Sessions known to the hub, by status",
      labelNames: ["status"],
      registers,
      collect() {
        this.reset();
        for (const [status, n] of countBy(sources.sessions())) this.set({ status }, n);
      },
    });
    new Gauge({
      name: "dispatch_hosts",
      help: "Hosts known to this node, by connection status",
      labelNames: ["status"],
      registers,
      collect() {
        this.reset();
        for (const [status, n] of countBy(sources.hosts())) this.set({ status }, n);
      },
    });
    new Gauge({
      name: "dispatch_search_worker",
      help: "1 while the search index worker thread runs (indexing a flood or a backlog), else 0",
      registers,
      collect() {
        this.set(sources.searchWorker() ? 1 : 0);
      },
    });
    new Gauge({
      name: "dispatch_screen_worker",
      help: "1 while the screen worker thread runs (it stops while every screen is idle), else 0",
      registers,
      collect() {
        this.set(sources.screenWorker() ? 1 : 0);
      },
    });
    new Gauge({
      name: "dispatch_clients",
      help: "Client WebSockets connected to this node",
      registers,
      collect() {
        this.set(self.clients());
      },
    });
    this.eventsIn = new Counter({
      name: "dispatch_events_stored_total",
      help: "Events from hosts stored by this node (rate: events/s in)",
      registers,
    });
    this.eventsOut = new Counter({
      name: "dispatch_events_sent_total",
      help: "Events sent to clients by this node (rate: events/s out)",
      registers,
    });
    this.storeSeconds = new Histogram({
      name: "dispatch_store_seconds",
      help: "Time a store call takes, by call",
      labelNames: ["call"],
      buckets: STORE_BUCKETS,
      registers,
    });
    this.fanoutLag = new Histogram({
      name: "dispatch_fanout_lag_seconds",
      help: "Age of an event (from its birth on the host) when it is sent to a client",
      buckets: LAG_BUCKETS,
      registers,
    });
  }

  stored(count: number): void {
    this.eventsIn.inc(count);
  }

  sent(event: Pick<SessionEvent, "ts">): void {
    this.eventsOut.inc();
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
                  const end = histogram.startTimer({ call: key });
                  try {
                    return original.apply(target, args);
                  } finally {
                    end();
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
    if (!this.defaultsStarted) {
      this.defaultsStarted = true;
      collectDefaultMetrics({ register: this.registry, prefix: "dispatch_" });
    }
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
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
