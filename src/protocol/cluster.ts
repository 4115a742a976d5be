/**
 * Hub node to hub node (`/cluster/peer`, a WebSocket with the cluster's peer credential): a
 * node whose client speaks to a session on a host linked to another node hands the host
 * message to that node, which sends it on its link and returns the host's reply. Messages in
 * order on one socket per pair of nodes, so keystrokes arrive in the order they were typed.
 */
import { z } from "zod";
import { HubToHostMessage, MAX_HOST_MESSAGE_BYTES } from "./host.js";

/**
 * Room for a peer message's envelope (`t`, `id`, the host's name) around the host message or
 * reply it carries.
 */
const PEER_ENVELOPE_ALLOWANCE_BYTES = 64 * 1024;
/**
 * Largest message on a `/cluster/peer` socket, either way: whatever one message on a host link
 * may hold (`MAX_HOST_MESSAGE_BYTES`) with its envelope, so the relay carries what a host link
 * does. With the host link's own limit on the owning node's end, a host message just under
 * it was over it once wrapped: that node closed the socket (1009), failing every request
 * waiting on it.
 */
export const MAX_PEER_MESSAGE_BYTES = MAX_HOST_MESSAGE_BYTES + PEER_ENVELOPE_ALLOWANCE_BYTES;

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
  /** The request field the error is about, as in a host's reply. */
  field: z.string().optional(),
});
export type PeerReply = z.infer<typeof PeerReply>;

/** Where nodes reach each other's peer endpoint. */
export const PEER_ENDPOINT_PATH = "/cluster/peer";
