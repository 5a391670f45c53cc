/**
 * A compact form of the DTC description lists, because a JavaScript engine parses a 500 kB string
 * literal slowly (≈ 15 ms at import here) and a Map of 9 000 entries costs as much again to build.
 *
 * The descriptions use about a thousand distinct words, so each one is stored as a one- or
 * two-character index into a word list. The table is one string of entries sorted by code and
 * separated by spaces; an entry is the five-character code followed by its word indices.
 * A lookup is a binary search over that string: nothing is built at import.
 *
 * The readable sources are the .txt lists next to this file; table.ts is rendered from them by
 * renderDtcTableModule (the unit test checks the two agree and can rewrite table.ts).
 */

/** Characters for word indices: none needs escaping in a string literal, none is the separator. */
const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz!#%&()*+,-./:;<=>?@[]^_{|}~';
const BASE = ALPHABET.length;
/** The most frequent words take one character; the other characters lead a two-character index. */
const SINGLE = 60;
const CAPACITY = SINGLE + (BASE - SINGLE) * BASE;
const ENTRY_SEPARATOR = ' ';
const CODE_LENGTH = 5;

const DIGIT_OF = new Int16Array(128).fill(-1);
for (let i = 0; i < BASE; i++) DIGIT_OF[ALPHABET.charCodeAt(i)] = i;

const CODE_PATTERN = /^[PCBU][0-3][0-9A-F]{3}$/;

export interface EncodedDtcTable {
  /** Words joined by single spaces, most frequent first. */
  readonly words: string;
  /** Entries (code + word indices) sorted by code, joined by single spaces. */
  readonly table: string;
}

/** Reads a "P0104 Description" list; '#' lines and blank lines are comments. Throws on a bad line. */
export function parseDtcList(text: string): Map<string, string> {
  const entries = new Map<string, string>();
  for (const [index, line] of text.split('\n').entries()) {
    if (line === '' || line.startsWith('#')) continue;
    const code = line.slice(0, CODE_LENGTH);
    const description = line.slice(CODE_LENGTH + 1);
    const wellFormed =
      CODE_PATTERN.test(code) &&
      line[CODE_LENGTH] === ' ' &&
      description !== '' &&
      description === description.trim() &&
      !description.includes('  ') &&
      /^[\x20-\x7e]+$/.test(description);
    if (!wellFormed) throw new Error(`DTC list line ${index + 1} is not "CODE Description": ${JSON.stringify(line)}`);
    if (entries.has(code)) throw new Error(`DTC list line ${index + 1} repeats ${code}`);
    entries.set(code, description);
  }
  return entries;
}

function indexToText(index: number): string {
  if (index < SINGLE) return ALPHABET[index];
  const rest = index - SINGLE;
  return ALPHABET[SINGLE + Math.floor(rest / BASE)] + ALPHABET[rest % BASE];
}

/** Encodes code → description lists; a later list wins where two list the same code. */
export function encodeDtcTable(lists: ReadonlyArray<ReadonlyMap<string, string>>): EncodedDtcTable {
  const merged = new Map<string, string>();
  for (const list of lists) for (const [code, description] of list) merged.set(code, description);

  const counts = new Map<string, number>();
  for (const description of merged.values()) {
    for (const word of description.split(' ')) counts.set(word, (counts.get(word) ?? 0) + 1);
  }
  // Frequency first, then the word itself, so the output does not depend on input order.
  const words = [...counts.keys()].sort((a, b) => counts.get(b)! - counts.get(a)! || (a < b ? -1 : a > b ? 1 : 0));
  if (words.length > CAPACITY) throw new Error(`too many distinct words for the DTC table: ${words.length}`);
  const indexOf = new Map(words.map((word, index) => [word, indexToText(index)]));

  const codes = [...merged.keys()].sort();
  const entries = codes.map(
    (code) =>
      code +
      merged
        .get(code)!
        .split(' ')
        .map((word) => indexOf.get(word)!)
        .join(''),
  );
  return { words: words.join(' '), table: entries.join(ENTRY_SEPARATOR) };
}

/** The source of table.ts for the given lists (a later list wins, as in encodeDtcTable). */
export function renderDtcTableModule(lists: ReadonlyArray<ReadonlyMap<string, string>>): string {
  const { words, table } = encodeDtcTable(lists);
  return [
    '// Rendered from python-obd-codes.txt and j2012-generic-codes.txt by renderDtcTableModule (./codec.ts).',
    '// Edit the .txt lists, then: UPDATE_DTC_TABLE=1 node --import tsx --test test/unit/obd-dtc-descriptions.test.ts',
    // Typed as string: otherwise the declaration file repeats the whole table as a literal type.
    `export const DTC_WORDS: string = ${JSON.stringify(words)};`,
    `export const DTC_TABLE: string = ${JSON.stringify(table)};`,
    '',
  ].join('\n');
}

function compareCodeAt(table: string, start: number, code: string): number {
  for (let i = 0; i < CODE_LENGTH; i++) {
    const difference = table.charCodeAt(start + i) - code.charCodeAt(i);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** The word indices stored for `code`, or undefined. `code` must already be a well-formed DTC. */
function findEntry(table: string, code: string): string | undefined {
  // [low, high) holds whole entries: low is an entry's first character, high the separator
  // after an entry (or the end of the table).
  let low = 0;
  let high = table.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    const start = table.lastIndexOf(ENTRY_SEPARATOR, middle - 1) + 1;
    const separator = table.indexOf(ENTRY_SEPARATOR, start);
    const end = separator === -1 ? table.length : separator;
    const order = compareCodeAt(table, start, code);
    if (order === 0) return table.slice(start + CODE_LENGTH, end);
    if (order < 0) low = end + 1;
    else high = start - 1;
  }
  return undefined;
}

function decodeWords(indices: string, words: readonly string[]): string {
  const out: string[] = [];
  for (let i = 0; i < indices.length; i++) {
    const digit = DIGIT_OF[indices.charCodeAt(i)];
    const index = digit < SINGLE ? digit : SINGLE + (digit - SINGLE) * BASE + DIGIT_OF[indices.charCodeAt(++i)];
    out.push(words[index]);
  }
  return out.join(' ');
}

/** Looks codes up in an encoded table; the word list is split once, on the first hit. */
export class DtcTableReader {
  private wordList: readonly string[] | undefined;

  constructor(private readonly encoded: EncodedDtcTable) {}

  /** The description of a well-formed, upper-case code, or undefined when the table lacks it. */
  describe(code: string): string | undefined {
    const indices = findEntry(this.encoded.table, code);
    if (indices === undefined) return undefined;
    this.wordList ??= this.encoded.words.split(' ');
    return decodeWords(indices, this.wordList);
  }
}
