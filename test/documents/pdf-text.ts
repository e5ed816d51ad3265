import { execFileSync } from 'node:child_process';

/**
 * Reads rendered PDFs back with poppler's command-line tools (Debian package poppler-utils), the same
 * text a customer's viewer would extract.
 */

function runPoppler(tool: 'pdftotext' | 'pdfinfo', args: string[], pdf: Buffer): string {
  try {
    return execFileSync(tool, args, { input: pdf, encoding: 'utf8' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${tool} not found: install poppler-utils (apt-get install -y poppler-utils) to run these tests`);
    }
    throw error;
  }
}

/** Returns the text of each page, laid out in reading order with columns kept apart by spaces. */
export function pdfPages(pdf: Buffer): string[] {
  const text = runPoppler('pdftotext', ['-layout', '-enc', 'UTF-8', '-', '-'], pdf);
  // pdftotext ends every page with a form feed, so the last split part is empty.
  return text.split('\f').slice(0, -1);
}

export function pdfText(pdf: Buffer): string {
  return pdfPages(pdf).join('\n');
}

/** Returns the fields `pdfinfo` prints (Title, Pages, CreationDate in ISO 8601 form, ...). */
export function pdfInfo(pdf: Buffer): Record<string, string> {
  const output = runPoppler('pdfinfo', ['-isodates', '-'], pdf);
  const fields: Record<string, string> = {};
  for (const line of output.split('\n')) {
    const match = /^([^:]+):\s*(.*)$/.exec(line);
    if (match) fields[match[1]] = match[2].trim();
  }
  return fields;
}

/**
 * Returns the text rows that contain every one of `parts`, each as whole words: "2900.00" matches the
 * row "4 SVC-WARRANTY-24 ... 2900.00" but not "12900.00".
 */
export function rowsContaining(text: string, ...parts: string[]): string[] {
  const patterns = parts.map((part) => new RegExp(`(^|\\s)${escapeRegExp(part)}(\\s|$)`));
  return text.split('\n').filter((row) => patterns.every((pattern) => pattern.test(row)));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
