import { describe, expect, it } from "vitest";
import { ServerMessage } from "../protocol/client.js";
import { bareReceipt } from "./ClientSocket.js";

describe("bareReceipt", () => {
  it("takes the receipt of a typed key as the schema would", () => {
    const json = JSON.parse('{"type":"result","ref":7}');
    expect(bareReceipt(json)).toEqual(ServerMessage.parse(json));
  });

  it("leaves everything else to the schema", () => {
    for (const text of [
      '{"type":"result","ref":7,"data":{"session":{}}}',
      '{"type":"result","ref":"7"}',
      '{"type":"result","ref":1.5}',
      '{"type":"result"}',
      '{"type":"pong","ref":7}',
      '{"ref":7,"kind":"result"}',
      "[7]",
      "null",
      "7",
    ]) {
      expect(bareReceipt(JSON.parse(text)), text).toBeUndefined();
    }
  });
});
