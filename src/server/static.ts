/**
 * Serves the built web UI (`web/dist`) at `/`, with `index.html` for any other non-API path so
 * the browser app can own its routes. Without a build it says how to make one.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";

/** dist/src/server -> the repository root's web/dist. */
export const WEB_ROOT = fileURLToPath(new URL("../../../web/dist/", import.meta.url));

export async function registerStatic(app: FastifyInstance): Promise<void> {
  const built = existsSync(`${WEB_ROOT}index.html`);
  if (built) await app.register(fastifyStatic, { root: WEB_ROOT, wildcard: false });
  app.setNotFoundHandler((request, reply) => {
    if (request.method !== "GET" || request.url.startsWith("/api/") || request.url === "/ws") {
      return reply.code(404).send({
        error: { code: "not_found", message: `no route ${request.method} ${request.url.split("?")[0]}` },
      });
    }
    if (!built) {
      return reply
        .code(503)
        .type("text/plain")
        .send("The web UI is not built. Run `npm run build` in the dispatch checkout.\n");
    }
    return reply.type("text/html").sendFile("index.html");
  });
}
