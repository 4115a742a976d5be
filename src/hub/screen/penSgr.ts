/**
 * A pen (the colours and attributes text is drawn in) as the SGR sequence that sets it from
 * scratch: the snapshot sets the pen a saved cursor (DECSC) holds, then the current one again.
 * The serialize addon has this logic too, but only for cells, as differences between them, and
 * it leaves out the current pen's underline style and colour (`penUnderline`).
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
  /**
   * The underline's style (2 double, 3 curly, 4 dotted, 5 dashed) and colour (packed as a
   * colour mode and value; -1 the text's). A saved cursor holds none: DECSC saves the pen's two
   * words, and DECRC keeps the current pen's underline style and colour.
   */
  extended?: { underlineStyle?: unknown; underlineColor?: unknown } | undefined;
}

/** xterm's colour modes (`Attributes.CM_*`): the 16 colours, the 256, true colour. */
const PALETTE_16 = 0x1000000;
const PALETTE_256 = 0x2000000;
const RGB = 0x3000000;

/** `CSI 0;…m`: a reset, then every attribute and colour of `pen`, its underline's style and colour too. */
export function penSgr(pen: Pen): string {
  return `\x1b[${["0", ...attributes(pen), ...underline(pen)].join(";")}m`;
}

/** `CSI …m` for the underline's style and colour alone (the serialize addon leaves them out); "" for the plain ones. */
export function penUnderline(pen: Pen): string {
  const params = underline(pen);
  return params.length > 0 ? `\x1b[${params.join(";")}m` : "";
}

function attributes(pen: Pen): string[] {
  const params: string[] = [];
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
  return params;
}

/** SGR 4 with a style other than single (a plain SGR 4 is in `attributes`), SGR 58 for a colour set. */
function underline(pen: Pen): string[] {
  const params: string[] = [];
  const style = pen.extended?.underlineStyle;
  if (pen.isUnderline() && typeof style === "number" && style >= 2 && style <= 5) params.push(`4:${style}`);
  const packed = pen.extended?.underlineColor;
  // Only the 256 colours and true colour can be set with SGR 58.
  if (typeof packed === "number" && packed !== -1 && (packed & RGB) >= PALETTE_256)
    params.push(...colour(packed & RGB, packed & 0xffffff, 50));
  return params;
}

/** SGR parameters for a foreground (`base` 30), background (40) or underline (50) colour; none for the default. */
function colour(mode: number, value: number, base: number): string[] {
  if (mode === PALETTE_16) return [String(value < 8 ? base + value : base + 60 + value - 8)];
  if (mode === PALETTE_256) return [`${base + 8};5;${value}`];
  if (mode === RGB) return [`${base + 8};2;${(value >> 16) & 0xff};${(value >> 8) & 0xff};${value & 0xff}`];
  return [];
}
