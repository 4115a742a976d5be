/**
 * Hub node to hub node (`/cluster/peer`, a WebSocket with the cluster's peer credential): a
 * node whose client speaks to a session on a host linked to another node hands the host
 * message to that node, which sends it on its link and returns the host's reply. Messages in
 * order on one socket per pair of nodes, so keystrokes arrive in the order they were typed.
 */
import { z } from "zod";
import { HubToHostMessage } from "./host.js";

/** Requesting node -> owning node. `request.message` is a host request without its `ref`. */
export const PeerMessage = z.discriminatedUnion("t", [
  z.object({ t: z.literal("send"), host: z.string(), message: HubToHostMessage }),
  z.object({
    t: z.literal("request"),
    id: z.number().int(),
    host: z.string(),
    message: z.object({ type: z.string() }).passthrough(),
    /** A long-running request (`HostRequestOptions`): the owning node sets its host no deadline either. */
    longRunning: z.boolean().optional(),
  }),
]);
export type PeerMessage = z.infer<typeof PeerMessage>;

/** Owning node -> requesting node: the host's reply data, or the error a person would see. */
export const PeerReply = z.object({
  t: z.literal("reply"),
  id: z.number().int(),
  ok: z.boolean(),
  data: z.unknown().optional(),
  code: z.string().optional(),
  message: z.string().optional(),
});
export type PeerReply = z.infer<typeof PeerReply>;

/** Where nodes reach each other's peer endpoint. */
export const PEER_ENDPOINT_PATH = "/cluster/peer";
