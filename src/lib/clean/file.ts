import { isAscii } from 'node:buffer';
import { createHash } from 'node:crypto';
import { StringDecoder } from 'node:string_decoder';
import { StageError } from '../core/errors.js';
import { SALES_HEADER } from '../core/headers.js';
import {
  checkHeader,
  hash32,
  MAX_LINE_CHARS,
  RAW_EXCERPT_CHARS,
  type RejectReason,
  type RowNormalizer,
  splitCsvLine,
} from './normalize.js';
import { SEEN, type SaleIdTable } from './sale-id-table.js';
import type { OutputSink } from '../ui/output-sink.js';

/** The header of every rejects file. */
export const REJECTS_HEADER = 'line,reason,raw';

/** What cleaning one raw file did. Invariant: read = written + duplicates + rejected. */
export interface FileCounts {
  /** Data rows: non-blank lines after the header. */
  read: number;
  written: number;
  duplicates: number;
  rejected: number;
  /** Rejected rows by reason, only the reasons that occurred, in alphabetical order. */
  rejectReasons: Partial<Record<RejectReason, number>>;
  /** Empty or whitespace-only lines: skipped, not rows. */
  blankLines: number;
  /** The file had no header: its first line was read as a sale. */
  headerless: boolean;
  /** SHA-256 (hex) of the input bytes. */
  inputSha256: string;
}

/** One raw file to clean, and where its rows go. */
export interface CleanFileOptions {
  /** The raw bytes, e.g. a file read stream. */
  source: AsyncIterable<Buffer | string> | Iterable<Buffer | string>;
  /** The input's name in messages, e.g. `raw/2024-W20/north.csv`. */
  name: string;
  normalizer: RowNormalizer;
  /** The week's sale_ids so far, shared by the week's files. */
  seen: SaleIdTable;
  /** Canonical rows (the caller writes the header). */
  clean: OutputSink;
  /** Rejected rows as `line,reason,raw` (the caller writes the header). */
  rejects: OutputSink;
}

/**
 * Stream one raw file through normalisation, validation and deduplication.
 * A record is one line: no field of a sale can hold a line break, so a broken
 * quote spoils only its own line. Memory is bounded by the read chunk and
 * `MAX_LINE_CHARS`, whatever the file's size or its longest line.
 */
export async function cleanFile(opts: CleanFileOptions): Promise<FileCounts> {
  const { normalizer, seen, clean, rejects, name } = opts;
  const inputHash = createHash('sha256');
  const decoder = new StringDecoder('utf8');
  const reasons = new Map<RejectReason, number>();
  let read = 0;
  let written = 0;
  let duplicates = 0;
  let blankLines = 0;
  let headerless = false;
  let headerDone = false;
  let order: number[] | undefined;
  let lineNo = 0;
  let carry = '';
  // While a line is over the limit: its first characters and its length so far.
  let overlongExcerpt = '';
  let overlongChars = -1;

  const reject = (reason: RejectReason, text: string) => {
    reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
    rejects.write(`${lineNo},${reason},${csvField(excerpt(text))}\n`);
  };

  const onLine = (line: string) => {
    let text = line;
    if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
    if (lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    const first = text.charCodeAt(0);
    if (text.length === 0 || ((first <= 32 || first >= 0x80) && text.trim() === '')) {
      blankLines++;
      return;
    }
    if (!headerDone) {
      headerDone = true;
      const header = checkHeader(text);
      if (header.kind === 'header') {
        order = header.order;
        return;
      }
      if (header.kind === 'bad') throw badHeader(name, lineNo, text);
      headerless = true;
    }
    read++;
    let reason: RejectReason | undefined;
    // Most rows are canonical already: accepted as they are, without splitting them.
    if (order !== undefined || !normalizer.canonical(text)) {
      let fields = splitCsvLine(text);
      if (fields === undefined) {
        reason = 'malformed_csv';
      } else {
        if (order !== undefined && fields.length === order.length) fields = order.map((at) => fields?.[at] ?? '');
        reason = normalizer.normalize(fields);
      }
    }
    if (reason === undefined) {
      const seenBefore = seen.add(normalizer.saleId, hash32(normalizer.content));
      if (seenBefore === SEEN.new) {
        written++;
        clean.write(`${normalizer.saleIdText},${normalizer.content}\n`);
      } else if (seenBefore === SEEN.same) {
        duplicates++;
      } else {
        reason = 'conflicting_duplicate';
      }
    }
    if (reason !== undefined) {
      if (reason === 'bad_id' && checkHeader(text).kind === 'header') reason = 'repeated_header';
      reject(reason, text);
    }
  };

  const onOverlong = () => {
    const cut = `${overlongExcerpt}… [${overlongChars - overlongExcerpt.length} more characters]`;
    overlongChars = -1;
    overlongExcerpt = '';
    if (!headerDone) throw badHeader(name, lineNo, cut);
    read++;
    reject('line_too_long', cut);
  };

  const feed = (text: string) => {
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl === -1) {
        if (overlongChars >= 0) {
          overlongChars += text.length - pos;
        } else {
          carry += pos === 0 ? text : text.slice(pos);
          if (carry.length > MAX_LINE_CHARS) {
            overlongExcerpt = carry.slice(0, RAW_EXCERPT_CHARS);
            overlongChars = carry.length;
            carry = '';
          }
        }
        return;
      }
      lineNo++;
      if (overlongChars >= 0) {
        overlongChars += nl - pos;
        onOverlong();
      } else {
        const line = carry.length > 0 ? carry + text.slice(pos, nl) : text.slice(pos, nl);
        carry = '';
        if (line.length > MAX_LINE_CHARS) {
          overlongExcerpt = line.slice(0, RAW_EXCERPT_CHARS);
          overlongChars = line.length;
          onOverlong();
        } else {
          onLine(line);
        }
      }
      pos = nl + 1;
    }
  };

  // Decoded whole, a chunk with a single non-ASCII character (a no-break space in an amount)
  // would be one two-byte string, and so would every line cut from it, slower to scan, hash
  // and write: the lines with non-ASCII bytes are decoded apart from the ASCII runs between
  // them. Cut only after a newline, the pieces decode to the same text as the whole chunk.
  const feedBytes = (bytes: Buffer) => {
    if (isAscii(bytes)) {
      feed(decoder.write(bytes));
      return;
    }
    let start = 0;
    let i = 0;
    while (i < bytes.length) {
      // Blocks at a time: non-ASCII lines are rare, a byte-by-byte scan would cost more than the decoding.
      const blockEnd = Math.min(bytes.length, i + 256);
      if (isAscii(bytes.subarray(i, blockEnd))) {
        i = blockEnd;
        continue;
      }
      while ((bytes[i] as number) < 0x80) i++;
      const lineStart = bytes.lastIndexOf(10, i) + 1;
      const nl = bytes.indexOf(10, i);
      const lineEnd = nl === -1 ? bytes.length : nl + 1;
      if (lineStart > start) feed(decoder.write(bytes.subarray(start, lineStart)));
      feed(decoder.write(bytes.subarray(lineStart, lineEnd)));
      start = i = lineEnd;
    }
    if (start < bytes.length) feed(decoder.write(bytes.subarray(start)));
  };

  try {
    for await (const chunk of opts.source) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      inputHash.update(bytes);
      feedBytes(bytes);
      // Flush after every chunk, however little is pending: the pending text holds slices
      // of the chunk's string, and would keep every such chunk alive until the next flush.
      await clean.flush();
      await rejects.flush();
    }
    feed(decoder.end());
    if (overlongChars >= 0) {
      lineNo++;
      onOverlong();
    } else if (carry.length > 0) {
      lineNo++;
      const last = carry;
      carry = '';
      onLine(last);
    }
  } catch (error) {
    if (error instanceof StageError) throw error;
    throw new StageError(`clean: cannot read ${name} (at line ${lineNo + 1})`, 'clean', { cause: error });
  }

  const rejectReasons: Partial<Record<RejectReason, number>> = {};
  let rejected = 0;
  for (const [reason, count] of [...reasons].sort(([a], [b]) => (a < b ? -1 : 1))) {
    rejectReasons[reason] = count;
    rejected += count;
  }
  return {
    read,
    written,
    duplicates,
    rejected,
    rejectReasons,
    blankLines,
    headerless,
    inputSha256: inputHash.digest('hex'),
  };
}

function badHeader(name: string, lineNo: number, text: string): StageError {
  let found: string;
  if (/[\u0000-\u0008\u000e-\u001f\ufffd]/.test(text)) {
    found = `binary data, not UTF-8 CSV text${text.includes('\0') ? ' (UTF-16?)' : ''}`;
  } else {
    found = JSON.stringify(text.length > 80 ? `${text.slice(0, 80)}…` : text);
    if (text.includes('\r')) found += ' (lines ending in a bare CR?)';
  }
  return new StageError(
    `clean: ${name} line ${lineNo}: expected the header ${SALES_HEADER} (or a sale, for a file without header), found ${found}`,
    'clean',
  );
}

/** A rejected line's text as stored: cut to `RAW_EXCERPT_CHARS`, NUL bytes shown as U+FFFD. */
function excerpt(text: string): string {
  let shown = text.length > RAW_EXCERPT_CHARS + 40 ? `${text.slice(0, RAW_EXCERPT_CHARS)}… [${text.length - RAW_EXCERPT_CHARS} more characters]` : text;
  if (shown.includes('\0')) shown = shown.replaceAll('\0', '\uFFFD');
  return shown;
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** A CSV field, quoted only when needed (RFC 4180). */
export function csvField(text: string): string {
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
