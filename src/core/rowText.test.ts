import { describe, expect, it } from "vitest";
import { GLYPH_COUNT, MAX_COLUMNS, RowText } from "./rowText.js";

/** A row with `text` written at column 0. */
function row(text: string): RowText {
  const made = new RowText();
  made.write(0, text);
  return made;
}

describe("RowText", () => {
  it("gives double-width characters two columns and combining marks none", () => {
    const drawn = row("中a😀");
    expect(drawn.length).toBe(5);
    expect(drawn.write(5, "e\u0301")).toBe(1);
    expect(drawn.shownFrom(0)).toBe("中a😀e\u0301");
    // A mark written on its own joins the character left of where it is written.
    expect(drawn.write(6, "\u0308")).toBe(0);
    expect(drawn.shownFrom(0)).toBe("中a😀e\u0301\u0308");
  });

  it("blanks both halves of a double-width character a write or an erase cuts", () => {
    const written = row("中文字");
    written.write(1, "x");
    expect(written.shownFrom(0)).toBe(" x文字");
    const erased = row("中文字");
    erased.replace(3, 6, "");
    expect(erased.shownFrom(0)).toBe("中");
  });

  it("shows private-use characters of the output as themselves, not as another glyph", () => {
    expect(row("\ue000😀\ue001").shownFrom(0)).toBe("\ue000😀\ue001");
  });

  it("shows U+FFFD for glyphs past the kinds a row can number, and forgets them when cleared", () => {
    const kinds = Array.from({ length: GLYPH_COUNT }, (_, i) => String.fromCodePoint(0x1f300 + i)).join("");
    const drawn = row(kinds);
    drawn.write(0, "\u{10ffff}");
    expect(drawn.shownFrom(0).startsWith("\ufffd")).toBe(true);
    drawn.clear();
    expect(drawn.write(0, "\u{1f300}\u{10ffff}")).toBe(3);
    expect(drawn.shownFrom(0)).toBe("\u{1f300}\u{10ffff}");
  });

  it("holds a row to MAX_COLUMNS however far along it is written", () => {
    const drawn = row("x");
    expect(drawn.write(MAX_COLUMNS - 1, "abc")).toBe(1);
    expect(drawn.write(MAX_COLUMNS, "d")).toBe(0);
    expect(drawn.length).toBe(MAX_COLUMNS);
    expect(drawn.shownFrom(MAX_COLUMNS - 1)).toBe("a");
    // Blanks inserted push the row's end past the last column: it is gone, as on a terminal.
    drawn.replace(0, 0, "  ");
    expect(drawn.length).toBe(MAX_COLUMNS);
    expect(drawn.shownFrom(0)).toBe("  x");
  });

  it("reads from a column on, without the blanks at the end", () => {
    const drawn = row("left   ");
    drawn.write(20, "ruler  ");
    expect(drawn.shownFrom(0)).toBe(`left${" ".repeat(16)}ruler`);
    expect(drawn.shownFrom(20)).toBe("ruler");
    expect(drawn.shownFrom(30)).toBe("");
  });
});
