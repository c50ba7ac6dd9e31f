import { StageError } from '../core/errors.js';
import { SALES_HEADER } from '../core/headers.js';
import { checkHeader, hash32, type RejectReason, type RowNormalizer, splitCsvLine } from './normalize.js';
import { SEEN, type SaleIdTable } from './sale-id-table.js';

/**
 * What a line of a raw file is: skipped (`blank`, the `header`), a sale to keep,
 * an exact `duplicate` of one kept already, or rejected for a reason.
 */
export type Verdict = 'blank' | 'header' | 'kept' | 'duplicate' | RejectReason;

/**
 * Judges the lines of one raw file in order: the first non-blank line is the
 * header (or, when it looks like a sale, a file without one), every later one
 * a row, normalised by `normalizer` and deduplicated against the week's `seen`.
 * A first line that is neither is a StageError: the file is not sales CSV.
 */
export class RowClassifier {
  /** The file had no header: its first line was read as a sale. */
  headerless = false;
  private headerDone = false;
  /** The input position of each column when the header has them in another order. */
  private order: number[] | undefined;

  constructor(
    private readonly normalizer: RowNormalizer,
    private readonly seen: SaleIdTable,
    /** The input's name in messages, e.g. `raw/2024-W20/north.csv`. */
    private readonly name: string,
  ) {}

  /** A line (without its line ending) as a verdict; after `kept`, see `cleanLine`. */
  classify(text: string, lineNo: number): Verdict {
    const first = text.charCodeAt(0);
    if (text.length === 0 || ((first <= 32 || first >= 0x80) && text.trim() === '')) return 'blank';
    if (!this.headerDone && this.isHeader(text, lineNo)) return 'header';
    const reason = this.judge(text);
    if (reason === 'bad_id' && checkHeader(text).kind === 'header') return 'repeated_header';
    return reason;
  }

  /** A line over the limit, given as its cut text: a reject, unless it is where the header should be. */
  overlong(cut: string, lineNo: number): 'line_too_long' {
    if (!this.headerDone) throw badHeader(this.name, lineNo, cut);
    return 'line_too_long';
  }

  /** The canonical row of the line last classified `kept`, with its newline. */
  cleanLine(): string {
    return `${this.normalizer.saleIdText},${this.normalizer.content}\n`;
  }

  private isHeader(text: string, lineNo: number): boolean {
    this.headerDone = true;
    const header = checkHeader(text);
    if (header.kind === 'header') {
      this.order = header.order;
      return true;
    }
    if (header.kind === 'bad') throw badHeader(this.name, lineNo, text);
    this.headerless = true;
    return false;
  }

  private judge(text: string): 'kept' | 'duplicate' | RejectReason {
    const { normalizer } = this;
    // Most rows are canonical already: accepted as they are, without splitting them.
    if (this.order !== undefined || !normalizer.canonical(text)) {
      const reason = this.normalize(text);
      if (reason !== undefined) return reason;
    }
    const seenBefore = this.seen.add(normalizer.saleId, hash32(normalizer.content));
    if (seenBefore === SEEN.new) return 'kept';
    return seenBefore === SEEN.same ? 'duplicate' : 'conflicting_duplicate';
  }

  private normalize(text: string): RejectReason | undefined {
    const fields = splitCsvLine(text);
    if (fields === undefined) return 'malformed_csv';
    const { order } = this;
    if (order === undefined || fields.length !== order.length) return this.normalizer.normalize(fields);
    return this.normalizer.normalize(order.map((at) => fields[at] ?? ''));
  }
}

function badHeader(name: string, lineNo: number, text: string): StageError {
  let found: string;
  // biome-ignore lint/suspicious/noControlCharactersInRegex: a binary header is told apart by its control bytes
  if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text)) {
    found = `binary data, not UTF-8 CSV text${text.includes('\0') ? ' (UTF-16?)' : ''}`;
  } else {
    found = JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
    if (text.includes('\r')) found += ' (lines ending in a bare CR?)';
  }
  return new StageError(
    `clean: ${name} line ${lineNo}: expected the header ${SALES_HEADER} ` +
      `(or a sale, for a file without header), found ${found}`,
    'clean',
  );
}
