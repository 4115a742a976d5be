import { describe, expect, it } from "vitest";
import { didYouMean, freeName, isValidName, nameFrom, unknownNameMessage } from "./names.js";

describe("freeName", () => {
  it("keeps a free name, else numbers it from 2 past the ones taken", () => {
    const taken = new Set(["build", "build-2"]);
    expect(freeName("tests", (n) => taken.has(n))).toBe("tests");
    expect(freeName("build", (n) => taken.has(n))).toBe("build-3");
  });

  it("cuts a long name so the numbered one is still a valid name", () => {
    const long = "a".repeat(32);
    const name = freeName(long, (n) => n === long);
    expect(name).toBe(`${"a".repeat(30)}-2`);
    expect(isValidName(name)).toBe(true);
  });
});

describe("didYouMean", () => {
  it("guesses the session a name begins, however short, before any typo's guess", () => {
    // By edit distance alone `c` is nearer `db` (2 edits) than `compile` (6).
    expect(unknownNameMessage("session", "c", ["db", "compile"])).toBe(
      "no session 'c' — did you mean 'compile'?",
    );
    expect(didYouMean("com", ["cam", "compile"])).toBe("compile");
  });

  it("of several names the input begins, guesses the shortest", () => {
    expect(didYouMean("c", ["compile", "db", "check"])).toBe("check");
    expect(didYouMean("alpha", ["alpha-10", "alpha-2"])).toBe("alpha-2");
  });

  it("else guesses a plausible typo by edit distance, and nothing for a name far from all", () => {
    expect(didYouMean("bulid", ["test", "build"])).toBe("build");
    expect(didYouMean("x", ["compile", "deploy"])).toBeUndefined();
    expect(didYouMean("", ["compile"])).toBeUndefined();
  });

  it("allows one edit in a word of up to 4 letters, so a short word guesses nothing far", () => {
    const commands = ["up", "ls", "ps", "new", "kill", "down", "logs", "send", "chat", "eval"];
    // `tui` is two edits from `up`, `kx` two from `ls` and `ps`; `ks` one from `ls`.
    expect(didYouMean("tui", commands)).toBeUndefined();
    expect(didYouMean("ks", ["up", "ls"])).toBe("ls");
    expect(didYouMean("kx", commands)).toBeUndefined();
    expect(didYouMean("lss", commands)).toBe("ls");
    expect(didYouMean("dwn", commands)).toBe("down");
    expect(didYouMean("db2", ["db", "web"])).toBe("db");
    expect(didYouMean("dbb", ["web", "api"])).toBeUndefined();
  });

  it("counts two neighbours swapped as one edit", () => {
    expect(didYouMean("tpo", ["base", "mid", "top"])).toBe("top");
    expect(didYouMean("lgos", ["logs", "ls"])).toBe("logs");
    expect(didYouMean("biuld", ["build", "test"])).toBe("build");
  });

  it("allows more edits in a longer word, about a third of it", () => {
    expect(didYouMean("breif", ["brief", "tests"])).toBe("brief");
    expect(didYouMean("brisk-otr", ["brisk-otter", "calm-heron"])).toBe("brisk-otter");
    expect(didYouMean("sunny-whaleee", ["sunny-whale"])).toBe("sunny-whale");
    expect(didYouMean("deploy", ["compile", "db"])).toBeUndefined();
  });
});

describe("nameFrom", () => {
  it("makes a file's name a session name, or none when nothing of it is left", () => {
    expect(nameFrom("README.md")).toBe("readme-md");
    expect(nameFrom(".env.local")).toBe("env-local");
    expect(nameFrom("Übersicht (draft).txt")).toBe("ubersicht-draft-txt");
    expect(nameFrom("a-very-long-file-name-that-goes-on-and-on.ts")).toBe("a-very-long-file-name-that-goes");
    expect(nameFrom("日本語")).toBeUndefined();
    expect(nameFrom("...")).toBeUndefined();
  });
});
