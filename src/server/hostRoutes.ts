/** REST for hosts (route list in `protocol/hosts.ts`); the owner's key is required as for all of `/api`. */
import type { FastifyInstance, FastifyRequest } from "fastify";
import { z } from "zod";
import type { HostCommands } from "../hub/HostCommands.js";
import type { HostMonitor } from "../hub/HostMonitor.js";
import { CleanupRequest, HostSessionsQuery } from "../protocol/hosts.js";
import type { HostTokens } from "./HostTokens.js";

export interface HostRoutesOptions {
  monitor: HostMonitor;
  commands: HostCommands;
  tokens: HostTokens;
}

const NameParams = z.object({ name: z.string().min(1).max(64) });

export function registerHostRoutes(app: FastifyInstance, options: HostRoutesOptions): void {
  const { monitor, commands, tokens } = options;
  const name = (request: FastifyRequest) => NameParams.parse(request.params).name;
  // On a cluster node, a host linked to another node shows as connected with that node's view
  // of its health (`HostMonitor` asks the leases).
  app.get("/api/hosts", async () => ({ hosts: monitor.list() }));
  app.get("/api/hosts/:name", async (request) => ({ host: monitor.get(name(request)) }));
  app.get("/api/hosts/:name/sessions", async (request) => {
    const { includeOrphaned } = HostSessionsQuery.parse(request.query);
    return commands.sessions(name(request), includeOrphaned);
  });
  app.get("/api/hosts/:name/stats", async (request) => ({ stats: commands.stats(name(request)) }));
  app.post("/api/hosts/:name/cleanup", async (request) =>
    commands.cleanup(name(request), CleanupRequest.parse(request.body ?? {})),
  );
  app.get("/api/hosts/:name/orphans", async (request) => commands.orphans(name(request), false));
  app.post("/api/hosts/:name/orphans/cleanup", async (request) => commands.orphans(name(request), true));
  app.post("/api/hosts/:name/token", async (request, reply) => {
    reply.code(201);
    return tokens.create(name(request));
  });
  app.delete("/api/hosts/:name/token", async (request) => tokens.revoke(name(request)));
}
