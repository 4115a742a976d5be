/**
 * A pen (the colours and attributes text is drawn in) as the SGR sequence that sets it from
 * scratch: the snapshot sets the pen a saved cursor (DECSC) holds, then the current one again.
 * The serialize addon has this logic too, but only for cells, as differences between them.
 */

/** The parts of xterm's (internal) attribute data read here; every method is on its `AttributeData`. */
export interface Pen {
  isInverse(): number;
  isBold(): number;
  isUnderline(): number;
  isBlink(): number;
  isInvisible(): number;
  isItalic(): number;
  isDim(): number;
  isStrikethrough(): number;
  isOverline(): number;
  getFgColorMode(): number;
  getFgColor(): number;
  getBgColorMode(): number;
  getBgColor(): number;
}

/** xterm's colour modes (`Attributes.CM_*`): the 16 colours, the 256, true colour. */
const PALETTE_16 = 0x1000000;
const PALETTE_256 = 0x2000000;
const RGB = 0x3000000;

/** `CSI 0;…m`: a reset, then every attribute and colour of `pen` (underline colour and style are left out). */
export function penSgr(pen: Pen): string {
  const params = ["0"];
  const flags: [() => number, string][] = [
    [() => pen.isBold(), "1"],
    [() => pen.isDim(), "2"],
    [() => pen.isItalic(), "3"],
    [() => pen.isUnderline(), "4"],
    [() => pen.isBlink(), "5"],
    [() => pen.isInverse(), "7"],
    [() => pen.isInvisible(), "8"],
    [() => pen.isStrikethrough(), "9"],
    [() => pen.isOverline(), "53"],
  ];
  for (const [set, code] of flags) if (set()) params.push(code);
  params.push(
    ...colour(pen.getFgColorMode(), pen.getFgColor(), 30),
    ...colour(pen.getBgColorMode(), pen.getBgColor(), 40),
  );
  return `\x1b[${params.join(";")}m`;
}

/** SGR parameters for a foreground (`base` 30) or background (40) colour; none for the default. */
function colour(mode: number, value: number, base: number): string[] {
  if (mode === PALETTE_16) return [String(value < 8 ? base + value : base + 60 + value - 8)];
  if (mode === PALETTE_256) return [`${base + 8};5;${value}`];
  if (mode === RGB) return [`${base + 8};2;${(value >> 16) & 0xff};${(value >> 8) & 0xff};${value & 0xff}`];
  return [];
}
