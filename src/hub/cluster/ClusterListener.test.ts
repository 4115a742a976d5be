/** The LISTEN connection against a real server: notifications arrive, and a killed connection comes back and says so. */
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { waitFor } from "../../../test/harness.js";
import { type PostgresServer, startPostgres } from "../../../test/postgresServer.js";
import { ClusterListener } from "./ClusterListener.js";

let server: PostgresServer;
let url: string;

beforeAll(async () => {
  server = await startPostgres();
  url = await server.database();
});
afterAll(async () => {
  await server?.stop();
});

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

it("hears notifications, and after its connection is killed reconnects, says so and hears them again", async () => {
  const heard: string[] = [];
  let reconnects = 0;
  const listener = new ClusterListener({
    url,
    channels: ["one", "two"],
    logger: pino({ level: "silent" }),
    onNotify: (channel, payload) => heard.push(`${channel}:${payload}`),
    onReconnect: () => reconnects++,
  });
  try {
    await listener.start();
    await sql("NOTIFY one, 'a'; NOTIFY two, 'b'; NOTIFY three, 'not listened to'");
    await waitFor(() => heard.length === 2);
    expect(heard).toEqual(["one:a", "two:b"]);
    expect(reconnects).toBe(0);
    await sql(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
    );
    await waitFor(() => reconnects === 1, { message: "reconnected" });
    await sql("NOTIFY one, 'c'");
    await waitFor(() => heard.includes("one:c"), { message: "heard after the reconnect" });
  } finally {
    await listener.close();
  }
});
