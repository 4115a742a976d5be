import { crc32 } from "node:zlib";
import { describe, expect, it } from "vitest";
import { eventChecksum, eventRowProblem } from "./eventChecksum.js";

/** The checksum's definition, spelled out with zlib alone. */
function reference(event: { session: string; seq: number; ts: number; type: string }, data: Buffer): number {
  const numbers = Buffer.alloc(16);
  numbers.writeDoubleLE(event.seq, 0);
  numbers.writeDoubleLE(event.ts, 8);
  const head = [Buffer.from(`${event.session}\0`), numbers, Buffer.from(`${event.type}\0`)];
  return crc32(Buffer.concat([...head, data]));
}

describe("eventChecksum", () => {
  it.each([
    { session: "0193a8c2-1111-7222-8333-444455556666", seq: 1, ts: 1764430000000.25, type: "output" },
    { session: "sessión-ü", seq: 2 ** 40, ts: 0, type: "chat.message" },
  ])("is CRC-32 over session, seq, time, type and bytes ($session)", (event) => {
    for (const data of [Buffer.alloc(0), Buffer.from("hello\n"), Buffer.alloc(70_000, 0xa5)]) {
      expect(eventChecksum(event, data)).toBe(reference(event, data));
    }
  });

  it("changes with every part of the event", () => {
    const event = { session: "s1", seq: 8, ts: 1000, type: "output" };
    const data = Buffer.from("printed");
    const sum = eventChecksum(event, data);
    expect(eventChecksum({ ...event, session: "s2" }, data)).not.toBe(sum);
    expect(eventChecksum({ ...event, seq: 9 }, data)).not.toBe(sum);
    expect(eventChecksum({ ...event, ts: 1000.5 }, data)).not.toBe(sum);
    expect(eventChecksum({ ...event, type: "exit" }, data)).not.toBe(sum);
    expect(eventChecksum(event, Buffer.from("printeD"))).not.toBe(sum);
  });
});

describe("eventRowProblem", () => {
  const data = Buffer.from("printed");
  const row = { session_id: "s1", seq: 8, ts: 1000, type: "output", data };
  const checksum = eventChecksum({ session: "s1", seq: 8, ts: 1000, type: "output" }, data);

  it("accepts a row that verifies, and a row from before checksums", () => {
    expect(eventRowProblem({ ...row, checksum })).toBeUndefined();
    expect(eventRowProblem({ ...row, checksum: null })).toBeUndefined();
  });

  it("names what is wrong with a damaged row", () => {
    expect(eventRowProblem({ ...row, data: Buffer.from("garbage"), checksum })).toBe(
      "bytes that do not match its checksum",
    );
    expect(eventRowProblem({ ...row, checksum: "xx" })).toBe("a garbled checksum");
    expect(eventRowProblem({ ...row, ts: "garbled", checksum: null })).toBe("no valid time");
    expect(eventRowProblem({ ...row, seq: 0, checksum })).toBe("no valid seq");
    expect(eventRowProblem({ ...row, data: "text", checksum })).toBe("no payload bytes");
    expect(eventRowProblem({ ...row, type: null, checksum })).toBe("no type");
    expect(eventRowProblem({ ...row, session_id: 3, checksum })).toBe("no session id");
  });
});
