import { isAscii } from 'node:buffer';
import { StringDecoder } from 'node:string_decoder';
import { MAX_LINE_CHARS, RAW_EXCERPT_CHARS } from './normalize.js';

/** Where a `LineSplitter` hands the lines of its input, each with its 1-based line number. */
export interface LineSink {
  /** A line of at most `MAX_LINE_CHARS` characters, without its `\n` or `\r\n`, and the first without a BOM. */
  line(text: string, lineNo: number): void;
  /** A line over `MAX_LINE_CHARS`, never held whole: its first characters and how many more there were. */
  overlong(cut: string, lineNo: number): void;
}

/**
 * UTF-8 bytes to lines, fed a chunk at a time. Memory is bounded by the chunk
 * and `MAX_LINE_CHARS`, whatever the input's size or its longest line: a line
 * over the limit is counted, not kept, once its first characters are saved.
 */
export class LineSplitter {
  /** The number of the last line handed to the sink (0 before the first). */
  lineNo = 0;
  private readonly decoder = new StringDecoder('utf8');
  /** The start of a line whose end is in a later chunk. */
  private carry = '';
  /** While a line is over the limit: its first characters, and its length so far (-1 otherwise). */
  private overlongExcerpt = '';
  private overlongChars = -1;

  constructor(private readonly sink: LineSink) {}

  /**
   * Decoded whole, a chunk with a single non-ASCII character (a no-break space in an amount)
   * would be one two-byte string, and so would every line cut from it, slower to scan, hash
   * and write: the lines with non-ASCII bytes are decoded apart from the ASCII runs between
   * them. Cut only after a newline, the pieces decode to the same text as the whole chunk.
   */
  write(bytes: Buffer): void {
    if (isAscii(bytes)) {
      this.feed(this.decoder.write(bytes));
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
      if (lineStart > start) this.feed(this.decoder.write(bytes.subarray(start, lineStart)));
      this.feed(this.decoder.write(bytes.subarray(lineStart, lineEnd)));
      start = i = lineEnd;
    }
    if (start < bytes.length) this.feed(this.decoder.write(bytes.subarray(start)));
  }

  /** The input is over: its last line, if it did not end in a newline. */
  end(): void {
    this.feed(this.decoder.end());
    if (this.overlongChars >= 0) {
      this.lineNo++;
      this.endOverlong();
    } else if (this.carry.length > 0) {
      this.lineNo++;
      const last = this.carry;
      this.carry = '';
      this.emit(last);
    }
  }

  private feed(text: string): void {
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl === -1) {
        this.keep(pos === 0 ? text : text.slice(pos));
        return;
      }
      this.lineNo++;
      if (this.overlongChars >= 0) {
        this.overlongChars += nl - pos;
        this.endOverlong();
      } else {
        const line = this.carry.length > 0 ? this.carry + text.slice(pos, nl) : text.slice(pos, nl);
        this.carry = '';
        if (line.length > MAX_LINE_CHARS) {
          this.startOverlong(line);
          this.endOverlong();
        } else {
          this.emit(line);
        }
      }
      pos = nl + 1;
    }
  }

  private emit(line: string): void {
    let text = line;
    if (text.charCodeAt(text.length - 1) === 13) text = text.slice(0, -1);
    if (this.lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    this.sink.line(text, this.lineNo);
  }

  /** The start of a line that goes on in the next chunk. */
  private keep(rest: string): void {
    if (this.overlongChars >= 0) {
      this.overlongChars += rest.length;
      return;
    }
    this.carry += rest;
    if (this.carry.length > MAX_LINE_CHARS) {
      this.startOverlong(this.carry);
      this.carry = '';
    }
  }

  private startOverlong(text: string): void {
    this.overlongExcerpt = text.slice(0, RAW_EXCERPT_CHARS);
    this.overlongChars = text.length;
  }

  private endOverlong(): void {
    const cut = `${this.overlongExcerpt}… [${this.overlongChars - this.overlongExcerpt.length} more characters]`;
    this.overlongChars = -1;
    this.overlongExcerpt = '';
    this.sink.overlong(cut, this.lineNo);
  }
}
