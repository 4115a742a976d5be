/** The REST calls for hosts (`/api/hosts/...`), parsed with the protocol's schemas. */
import { z } from "zod";
import { SessionList } from "../protocol/api.js";
import { OrphanReport } from "../protocol/host.js";
import {
  type CleanupRequest,
  CleanupResult,
  HostStats,
  HostView,
  TokenCreated,
  TokenRevoked,
} from "../protocol/hosts.js";
import type { HubClient } from "./HubClient.js";

const path = (name: string, rest = "") => `/api/hosts/${encodeURIComponent(name)}${rest}`;

export class HostsApi {
  constructor(private readonly client: HubClient) {}

  async list(): Promise<HostView[]> {
    return z.object({ hosts: z.array(HostView) }).parse(await this.client.call("GET", "/api/hosts")).hosts;
  }

  async get(name: string): Promise<HostView> {
    return z.object({ host: HostView }).parse(await this.client.call("GET", path(name))).host;
  }

  /** The host's sessions, each with the bytes its log holds now unless `unknown` says why not. */
  async sessions(name: string, includeOrphaned: boolean): Promise<SessionList> {
    const query = includeOrphaned ? "?includeOrphaned=true" : "";
    return SessionList.parse(await this.client.call("GET", path(name, `/sessions${query}`)));
  }

  async stats(name: string): Promise<HostStats> {
    return z.object({ stats: HostStats }).parse(await this.client.call("GET", path(name, "/stats"))).stats;
  }

  async cleanup(name: string, request: CleanupRequest): Promise<CleanupResult> {
    return CleanupResult.parse(await this.client.call("POST", path(name, "/cleanup"), request));
  }

  /** What the host's runtimes left behind (orphaned kernels); removed with `clean`. */
  async orphans(name: string, clean: boolean): Promise<OrphanReport> {
    const body = clean
      ? await this.client.call("POST", path(name, "/orphans/cleanup"), {})
      : await this.client.call("GET", path(name, "/orphans"));
    return OrphanReport.parse(body);
  }

  async createToken(name: string): Promise<z.infer<typeof TokenCreated>> {
    return TokenCreated.parse(await this.client.call("POST", path(name, "/token"), {}));
  }

  async revokeToken(name: string): Promise<z.infer<typeof TokenRevoked>> {
    return TokenRevoked.parse(await this.client.call("DELETE", path(name, "/token")));
  }
}
