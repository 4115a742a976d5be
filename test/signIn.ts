/**
 * Signing in over the client WebSocket as a person would, for tests of who is let in: the
 * welcome, or the upgrade's refusal with its status and what the hub said.
 */
import WebSocket from "ws";
import { WireClient } from "./wire.js";

/** `Authorization: Bearer TOKEN`. */
export function bearer(token: string): Headers {
  return { authorization: `Bearer ${token}` };
}

export type Headers = Record<string, string>;

/**
 * A WebSocket client signing in with `headers` (made anew for each upgrade: a key proof is
 * taken once): its welcome, or the upgrade's refusal.
 */
export async function signIn(h: { url: string }, headers: Headers | (() => Headers)): Promise<string> {
  const made = () => (typeof headers === "function" ? headers() : headers);
  const refused = await new Promise<string | undefined>((resolve, reject) => {
    const socket = new WebSocket(`${h.url.replace(/^http/, "ws")}/ws`, { headers: made() });
    socket.once("open", () => {
      socket.close();
      resolve(undefined);
    });
    socket.once("error", reject);
    socket.once("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => {
        body += chunk.toString();
      });
      response.on("end", () => resolve(`HTTP ${response.statusCode}: ${body.trim()}`));
    });
  });
  if (refused) return refused;
  const client = await WireClient.open(h.url, made());
  try {
    const reply = await client.request({ type: "hello", protocol: 1 });
    return reply.type === "welcome" ? "welcome" : JSON.stringify(reply);
  } finally {
    await client.close();
  }
}
