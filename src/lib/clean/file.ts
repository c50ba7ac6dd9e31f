import { createHash } from 'node:crypto';
import { StageError } from '../core/errors.js';
import type { OutputSink } from '../ui/output-sink.js';
import { type LineSink, LineSplitter } from './lines.js';
import type { RejectReason, RowNormalizer } from './normalize.js';
import { RejectsWriter } from './rejects.js';
import { RowClassifier } from './row-classifier.js';
import type { SaleIdTable } from './sale-id-table.js';

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
 * Stream one raw file through normalisation, validation and deduplication:
 * its bytes are cut into lines (lines.ts), each line is judged (row-classifier.ts)
 * and goes to the clean file, the rejects file or nowhere. A record is one line:
 * no field of a sale can hold a line break, so a broken quote spoils only its
 * own line. Memory is bounded by the read chunk and `MAX_LINE_CHARS`. The caller
 * writes the two headers, and flushes both sinks at the end.
 */
export async function cleanFile(opts: CleanFileOptions): Promise<FileCounts> {
  const rows = new RowClassifier(opts.normalizer, opts.seen, opts.name);
  const rejects = new RejectsWriter(opts.rejects);
  const tally = new Tally(rows, opts.clean, rejects);
  const lines = new LineSplitter(tally);
  const inputHash = createHash('sha256');
  try {
    for await (const chunk of opts.source) {
      const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
      inputHash.update(bytes);
      lines.write(bytes);
      // Flush after every chunk, however little is pending: the pending text holds slices
      // of the chunk's string, and would keep every such chunk alive until the next flush.
      await opts.clean.flush();
      await rejects.flush();
    }
    lines.end();
    rejects.end();
  } catch (error) {
    if (error instanceof StageError) throw error;
    throw new StageError(`clean: cannot read ${opts.name} (at line ${lines.lineNo + 1})`, 'clean', { cause: error });
  }
  return tally.counts(rows.headerless, inputHash.digest('hex'));
}

/** Each line's verdict, counted and written where it goes. */
class Tally implements LineSink {
  private written = 0;
  private duplicates = 0;
  private blankLines = 0;
  private readonly reasons = new Map<RejectReason, number>();

  constructor(
    private readonly rows: RowClassifier,
    private readonly clean: OutputSink,
    private readonly rejects: RejectsWriter,
  ) {}

  line(text: string, lineNo: number): void {
    const verdict = this.rows.classify(text, lineNo);
    if (verdict === 'kept') {
      this.written++;
      this.clean.write(this.rows.cleanLine());
    } else if (verdict === 'duplicate') {
      this.duplicates++;
    } else if (verdict === 'blank') {
      this.blankLines++;
    } else if (verdict !== 'header') {
      this.reject(verdict, text, lineNo);
    }
  }

  overlong(cut: string, lineNo: number): void {
    this.reject(this.rows.overlong(cut, lineNo), cut, lineNo);
  }

  /** The counts so far; read = written + duplicates + rejected, since every row is one of them. */
  counts(headerless: boolean, inputSha256: string): FileCounts {
    const rejectReasons: Partial<Record<RejectReason, number>> = {};
    let rejected = 0;
    for (const [reason, count] of [...this.reasons].sort(([a], [b]) => (a < b ? -1 : 1))) {
      rejectReasons[reason] = count;
      rejected += count;
    }
    const { written, duplicates, blankLines } = this;
    const read = written + duplicates + rejected;
    return { read, written, duplicates, rejected, rejectReasons, blankLines, headerless, inputSha256 };
  }

  private reject(reason: RejectReason, text: string, lineNo: number): void {
    this.reasons.set(reason, (this.reasons.get(reason) ?? 0) + 1);
    this.rejects.add(lineNo, reason, text);
  }
}
