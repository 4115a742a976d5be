/**
 * What a hub started with `DISPATCH_NODE=NAME` needs to join its cluster. Every node must
 * accept the same credentials: users and tokens are in the shared database already; the owner
 * key is given to every node (`DISPATCH_KEY`, the same value). The first node records its
 * SHA-256 in the database and a node with another key refuses to start, naming the fix. Nodes
 * prove themselves to each other with a credential derived from that key (HMAC), so there is
 * no second secret to distribute.
 */
import { createHash, createHmac } from "node:crypto";
import type { Logger } from "pino";
import { DispatchError } from "../core/errors.js";
import type { ClusterSettings } from "../hub/cluster/ClusterNode.js";
import { type ClusterParts, clusterParts } from "../hub/cluster/clusterParts.js";
import { PgCluster } from "../store/postgres/PgCluster.js";
import { PostgresStore } from "../store/postgres/PostgresStore.js";
import type { Store } from "../store/Store.js";

/** This hub's part in its cluster: the settings below, with the rows and leases they open. */
export function joinCluster(logger: Logger, options: Parameters<typeof clusterSettings>[0]): ClusterParts {
  return clusterParts(clusterSettings(options), logger);
}

export function clusterSettings(options: {
  node: string;
  store: Store;
  databaseUrl: string;
  key: string;
  url: () => string;
  clients: () => number;
}): ClusterSettings & { store: PostgresStore } {
  const { node, store, key } = options;
  if (!(store instanceof PostgresStore)) {
    throw new DispatchError("bad_request", "a cluster node (DISPATCH_NODE) needs a PostgreSQL store");
  }
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(node)) {
    throw new DispatchError(
      "bad_request",
      `DISPATCH_NODE='${node}': a node name is 1-64 letters, digits, '.', '_' or '-'`,
    );
  }
  const keyHash = createHash("sha256").update(key).digest("hex");
  const agreed = new PgCluster(store.connection).agreeOn("owner_key_sha256", keyHash);
  if (agreed !== keyHash) {
    throw new DispatchError(
      "conflict",
      "this node's access key is not the cluster's: give every node the same DISPATCH_KEY (the one the first node started with)",
    );
  }
  return {
    node,
    store,
    databaseUrl: options.databaseUrl,
    peerToken: createHmac("sha256", key).update("dispatch cluster peer v1").digest("base64url"),
    url: options.url,
    clients: options.clients,
  };
}
