/**
 * Serves the built web UI (`web/dist`) at `/`, with `index.html` for any other non-API path so
 * the browser app can own its routes. Without a build it says how to make one.
 *
 * Files are looked up on disk per request, not listed once at start: a rebuild or an upgrade in
 * place writes new hashed asset names, and a running hub must serve them (a list taken at start
 * answered the new `index.html`'s scripts with HTML, and the page stayed blank).
 *
 * The build writes each asset compressed beside it (`.br`, `.gz`: scripts/build-web.js) and the
 * browser gets the smallest it accepts: the UI's script is ~1.1 MB as built, ~0.3 MB as gzip,
 * which on a slow link is the difference between a half-minute and a few seconds to the first
 * page. Assets under `/assets/` carry their content's hash in their name, so the browser keeps
 * them for good; `index.html`, which names them, is asked for again each time.
 */
import { existsSync } from "node:fs";
import { relative, sep } from "node:path";
import { fileURLToPath } from "node:url";
import fastifyStatic from "@fastify/static";
import type { FastifyInstance } from "fastify";
import { DispatchError } from "../core/errors.js";

/** A hashed asset's name changes with its content: kept a year, never asked for again. */
const ASSET_CACHE = "public, max-age=31536000, immutable";
/** The page (and any other file) is asked for again each time (answered 304 when unchanged). */
const PAGE_CACHE = "no-cache";

/** The UI's icon (web/public/favicon.svg), also the answer to `/favicon.ico`. */
const FAVICON = "favicon.svg";

/** dist/src/server -> the repository root's web/dist. */
export const WEB_ROOT = fileURLToPath(new URL("../../../web/dist/", import.meta.url));

export async function registerStatic(app: FastifyInstance, root = WEB_ROOT): Promise<void> {
  const built = () => existsSync(`${root}/index.html`);
  await app.register(fastifyStatic, {
    root,
    wildcard: true,
    preCompressed: true,
    cacheControl: false,
    setHeaders: (reply, path) => {
      reply.header("cache-control", isHashedAsset(path, root) ? ASSET_CACHE : PAGE_CACHE);
    },
  });
  // Browsers ask every page's origin for `/favicon.ico`, also pages with no icon link (the API's
  // JSON in a tab); a 404 there is an error in the console. The UI's one icon answers.
  app.get("/favicon.ico", (_request, reply) => {
    if (!existsSync(`${root}/${FAVICON}`)) {
      return reply
        .code(404)
        .send({ error: { code: "not_found", message: "no icon: the web UI is not built" } });
    }
    return reply.type("image/svg+xml").sendFile(FAVICON);
  });
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split("?")[0] ?? "/";
    if (request.method !== "GET" || path.startsWith("/api/") || path === "/ws" || isFilePath(path)) {
      return reply.code(404).send({
        error: { code: "not_found", message: `no route ${request.method} ${path}` },
      });
    }
    if (!built()) {
      return reply
        .code(503)
        .type("text/plain")
        .send("The web UI is not built. Run `npm run build` in the dispatch checkout.\n");
    }
    return reply.type("text/html").sendFile("index.html");
  });
}

/** The longest name of one file or directory (Linux's NAME_MAX), and of a whole path (PATH_MAX). */
const LONGEST_NAME_BYTES = 255;
const LONGEST_PATH_BYTES = 4096;
/** `@fastify/static`'s code for a path it refuses to look up. */
const STATIC_FORBIDDEN = "FST_STATIC_FORBIDDEN_PATH";

/**
 * What to say of a path `@fastify/static` refused unread (its error is a bare "Forbidden"): one it
 * could not look up because it is too long for a file name, or one that is not in canonical form
 * (an empty, `.` or `..` part), which it refuses so that a route guarding the canonical form
 * cannot be passed around.
 */
export function staticPathRefusal(err: unknown, url: string): DispatchError | undefined {
  if ((err as { code?: unknown } | undefined)?.code !== STATIC_FORBIDDEN) return undefined;
  const path = url.split("?")[0] ?? "/";
  const shown = path.length > 100 ? `${path.slice(0, 100)}…` : path;
  const parts = path.split("/").map((part) => Buffer.byteLength(safeDecode(part)));
  if (Buffer.byteLength(path) > LONGEST_PATH_BYTES || parts.some((bytes) => bytes > LONGEST_NAME_BYTES)) {
    return new DispatchError(
      "not_found",
      `no page at '${shown}': the address is ${path.length} characters long, longer than any of the hub's; check the link`,
    );
  }
  return new DispatchError(
    "bad_request",
    `'${shown}' has an empty, '.' or '..' part; ask for the address without them (no '//')`,
  );
}

function safeDecode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * A path naming a file (its last segment has an extension) that is not there gets a 404, not the
 * app's page: a script or stylesheet answered with HTML fails in the browser with a confusing
 * MIME error instead of a missing file.
 */
function isFilePath(path: string): boolean {
  const last = path.slice(path.lastIndexOf("/") + 1);
  return /\.[A-Za-z0-9]+$/.test(last);
}

/** Whether `path` (a file under `root`, maybe its compressed sibling) is under `assets/`. */
function isHashedAsset(path: string, root: string): boolean {
  const inside = relative(root, path).split(sep);
  return inside.length > 1 && inside[0] === "assets";
}
