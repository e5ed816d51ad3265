/**
 * Characters that the PDF standard fonts used here (Helvetica, Helvetica-Bold) can print. pdfkit 0.20
 * encodes text in those fonts as Windows-1252 and prints any other character as a wrong or missing
 * glyph, so documents are checked against this set before rendering.
 * NOTE: a customer name in a script outside Windows-1252 (Polish Ł, Greek, CJK) is rejected. Embedding
 * a Unicode TrueType font with `registerFont` would lift that limit.
 */

/** Code points above Latin-1 that Windows-1252 maps into 0x80–0x9F (the keys of pdfkit's WIN_ANSI_MAP). */
const WINDOWS_1252_EXTRAS = new Set([
  338, 339, 352, 353, 376, 381, 382, 402, 710, 732, 8211, 8212, 8216, 8217, 8218, 8220, 8221, 8222, 8224,
  8225, 8226, 8230, 8240, 8249, 8250, 8364, 8482,
]);

export function isPrintableCharacter(codePoint: number): boolean {
  if (codePoint === 0x0a) return true;
  if (codePoint >= 0x20 && codePoint <= 0x7e) return true;
  if (codePoint >= 0xa0 && codePoint <= 0xff) return true;
  return WINDOWS_1252_EXTRAS.has(codePoint);
}

/** Returns the first character of `text` that the standard fonts cannot print, or undefined. */
export function findUnprintableCharacter(text: string): string | undefined {
  for (const character of text) {
    if (!isPrintableCharacter(character.codePointAt(0)!)) return character;
  }
  return undefined;
}
