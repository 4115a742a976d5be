/**
 * The hosts the hub is linked to right now, by host id. One link per host: a newer
 * connection from the same host replaces the older one.
 */
import { DispatchError } from "../core/errors.js";
import type { HostInfo } from "../protocol/host.js";
import type { HostConnection } from "./HostConnection.js";

export class HostRegistry {
  private readonly connections = new Map<string, HostConnection>();

  /** Registers the link for `id`, closing any previous one. */
  add(id: string, connection: HostConnection): void {
    const previous = this.connections.get(id);
    if (previous && previous !== connection) previous.close(4000, "replaced by a newer connection");
    this.connections.set(id, connection);
  }

  /** Forgets the link if it is still the current one for its host; true when it was. */
  remove(connection: HostConnection): boolean {
    const id = connection.host?.id;
    if (!id || this.connections.get(id) !== connection) return false;
    this.connections.delete(id);
    return true;
  }

  get(id: string): HostConnection | undefined {
    const connection = this.connections.get(id);
    return connection?.isOpen ? connection : undefined;
  }

  /** The open link to a host, or a `host_unavailable` error a person can act on. */
  require(id: string): HostConnection {
    const connection = this.get(id);
    if (!connection) {
      throw new DispatchError(
        "host_unavailable",
        `host '${id}' is not connected right now; try again shortly`,
      );
    }
    return connection;
  }

  info(id: string): HostInfo | undefined {
    return this.connections.get(id)?.host;
  }

  /** Closes every link; hosts and their sessions keep running. */
  closeAll(): void {
    for (const connection of this.connections.values()) connection.close(1001, "hub shutting down");
    this.connections.clear();
  }
}
