import { describe, expect, it } from "vitest";
import { z } from "zod";
import { PeerMessage } from "./cluster.js";
import { HostMessage, HubToHostMessage } from "./host.js";
import { lazySchema } from "./lazySchema.js";
import { parseOrBadRequest } from "./parse.js";

describe("lazySchema", () => {
  const counted = () => {
    let builds = 0;
    const schema = lazySchema(() => {
      builds++;
      return z.discriminatedUnion("type", [
        z.object({ type: z.literal("ping"), ref: z.number().int().optional() }),
        z.object({ type: z.literal("say"), text: z.string().max(3) }),
      ]);
    });
    return { schema, builds: () => builds };
  };

  it("builds the schema on its first use, once", () => {
    const { schema, builds } = counted();
    expect(builds()).toBe(0);
    expect(schema.safeParse({ type: "ping", ref: 1 }).success).toBe(true);
    expect(schema.safeParse({ type: "say", text: "hi" }).success).toBe(true);
    expect(builds()).toBe(1);
  });

  it("parses and refuses as the schema itself, alone or inside another", () => {
    const { schema } = counted();
    expect(schema.parse({ type: "say", text: "hi" })).toEqual({ type: "say", text: "hi" });
    expect(() => parseOrBadRequest(schema, { type: "say", text: "hello" }, "invalid message")).toThrow(
      "invalid message: 'text': too long: at most 3 characters",
    );
    const batch = z.object({ messages: z.array(schema) });
    expect(batch.safeParse({ messages: [{ type: "ping" }, { type: "say", text: "ok" }] }).success).toBe(true);
    expect(batch.safeParse({ messages: [{ type: "shout" }] }).success).toBe(false);
    expect(schema instanceof z.ZodType).toBe(true);
  });

  it("keeps the host protocol's messages as they were", () => {
    expect(HubToHostMessage.parse({ type: "ack", session: "s1", seq: 4 })).toEqual({
      type: "ack",
      session: "s1",
      seq: 4,
    });
    expect(HubToHostMessage.safeParse({ type: "ack", session: "s1", seq: -1 }).success).toBe(false);
    expect(HostMessage.parse({ type: "pong", t: 5 })).toEqual({ type: "pong", t: 5 });
    expect(HostMessage.safeParse({ type: "no-such-message" }).success).toBe(false);
    // Inside a cluster's peer message.
    const send = { t: "send", host: "h1", message: { type: "ack", session: "s1", seq: 4 } };
    expect(PeerMessage.parse(send)).toEqual(send);
    expect(PeerMessage.safeParse({ ...send, message: { type: "ack", session: "s1" } }).success).toBe(false);
  });
});
