/** Unit tests for what a paste may carry into a bracketed paste (no browser needed). */
import { describe, expect, it } from "vitest";
import { pasteText } from "../../web/src/lib/paste-text.js";

describe("pasteText", () => {
  it("takes control characters out of a bracketed paste, keeping tabs, line ends and text", () => {
    expect(pasteText("echo safe\x1b[201~\nrm -rf ~\n", true)).toBe("echo safe[201~\nrm -rf ~\n");
    expect(pasteText("a\tb\r\nc\x9b201~\x07\x7f d ñ 🙂", true)).toBe("a\tb\r\nc201~ d ñ 🙂");
  });

  it("leaves a paste alone where the program did not ask for bracketed paste", () => {
    expect(pasteText("a\x1b[A\n", false)).toBe("a\x1b[A\n");
  });
});
