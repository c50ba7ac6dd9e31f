import { stringify } from 'csv-stringify/sync';
import type { OutputSink } from '../ui/output-sink.js';
import { RAW_EXCERPT_CHARS, type RejectReason } from './normalize.js';

/**
 * csv-stringify quotes a field holding a comma, a quote, CR or LF; a raw line that
 * starts or ends with white space is quoted too, so that no reader trims it away.
 */
const REJECTS_CSV = { quoted_match: /^\s|\s$/ };

/**
 * The rows of a rejects file (`line,reason,raw`; the caller writes the header).
 * The raw text is free, so the rows are written by csv-stringify, a chunk's rows
 * at a time: `add` keeps them until the caller's `flush` after each input chunk.
 */
export class RejectsWriter {
  private rows: [number, RejectReason, string][] = [];

  constructor(private readonly sink: OutputSink) {}

  add(lineNo: number, reason: RejectReason, raw: string): void {
    this.rows.push([lineNo, reason, excerpt(raw)]);
  }

  /** Write the rows added so far and wait for the file to take them. */
  async flush(): Promise<void> {
    this.end();
    await this.sink.flush();
  }

  /** Hand the rows added so far to the sink, for its owner to flush. */
  end(): void {
    if (this.rows.length > 0) {
      this.sink.write(stringify(this.rows, REJECTS_CSV));
      this.rows = [];
    }
  }
}

/** A rejected line's text as stored: cut to `RAW_EXCERPT_CHARS`, NUL bytes shown as U+FFFD. */
function excerpt(text: string): string {
  let shown =
    text.length > RAW_EXCERPT_CHARS + 40
      ? `${text.slice(0, RAW_EXCERPT_CHARS)}… [${text.length - RAW_EXCERPT_CHARS} more characters]`
      : text;
  if (shown.includes('\0')) shown = shown.replaceAll('\0', '\uFFFD');
  return shown;
}
