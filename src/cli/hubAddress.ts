/**
 * Where the hub is and whether it answers, without the REST client: `dispatch start` needs only
 * this on a hub restart's critical path, and `HubClient` loads zod and the protocol's schemas
 * (half of that command's load time; docs/BENCHMARKS.md, "Restart: the critical path").
 */
import { readFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { dataHome, type HomePaths, homePaths } from "../platform/home.js";
import { rememberedPort } from "../platform/hubPort.js";
import { UsageError } from "./exitCodes.js";

export const DEFAULT_PORT = 7777;
/** `/api/health` answers at once when a hub is there; a short bound keeps `status` snappy. */
const HEALTH_TIMEOUT_MS = 2_000;

/**
 * The port from `--port`, else `DISPATCH_PORT`, else the one the hub last started on in this
 * data directory (`platform/hubPort.ts`), else 7777.
 */
export function resolvePort(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): number {
  const text = flag ?? env.DISPATCH_PORT;
  if (text === undefined || text === "") return rememberedPort(homePaths(dataHome(env))) ?? DEFAULT_PORT;
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isInteger(port) || port < 0 || port > 65535) {
    const where = flag === undefined ? "DISPATCH_PORT" : "--port";
    throw new UsageError(`invalid ${where} '${text}': use a port number from 0 to 65535`);
  }
  return port;
}

/** `DISPATCH_KEY`, else the key file the hub wrote; undefined if neither exists yet. */
export function readKey(paths: HomePaths, env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.DISPATCH_KEY) return env.DISPATCH_KEY;
  try {
    const key = readFileSync(paths.key, "utf8").trim();
    return key.length > 0 ? key : undefined;
  } catch {
    // No key file: the hub has never started here; requests will say what is wrong.
    return undefined;
  }
}

/**
 * Whether a hub answers `/api/health` at `baseUrl`. Never throws. Asked with node:http rather
 * than fetch: fetch's first call loads undici (tens of ms on a busy machine).
 */
export function hubAnswers(baseUrl: string): Promise<boolean> {
  return new Promise((resolve) => {
    try {
      const url = new URL(`${baseUrl}/api/health`);
      const request = url.protocol === "https:" ? httpsRequest : httpRequest;
      const req = request(url, { timeout: HEALTH_TIMEOUT_MS, agent: false }, (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        resolve(status >= 200 && status < 300);
      });
      req.on("timeout", () => req.destroy());
      // Refused, reset or timed out: no hub here.
      req.on("error", () => resolve(false));
      req.end();
    } catch {
      // Not a URL at all.
      resolve(false);
    }
  });
}
