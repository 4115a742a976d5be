import { describe, expect, it } from "vitest";
import { plainLogLine } from "./terminalLog.js";

describe("a host's log on a terminal", () => {
  it("reads as time, level, message and the fields that matter", () => {
    const time = new Date(2026, 10, 30, 19, 26, 58).getTime();
    const line = JSON.stringify({
      level: 40,
      time,
      pid: 1,
      hostname: "vm",
      name: "host:box1",
      msg: "hub disconnected",
      url: "ws://127.0.0.1:7790/host",
      err: { message: "socket hang up", stack: "Error: socket hang up\n    at ..." },
    });
    expect(plainLogLine(line)).toBe(
      "19:26:58  warn   hub disconnected  url=ws://127.0.0.1:7790/host  err=socket hang up",
    );
  });

  it("passes a line that is not JSON through", () => {
    expect(plainLogLine("not json\n")).toBe("not json");
  });
});
