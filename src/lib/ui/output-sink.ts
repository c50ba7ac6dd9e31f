import { createHash } from 'node:crypto';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { StageError } from '../core/errors.js';

/**
 * Buffered text output to a stream, with the SHA-256 of every byte written.
 * `write` only appends to a buffer; `flush` (awaited by the caller after each
 * input chunk, so writes are about as large as the read chunks) hands it to the
 * stream as one chunk and waits for it to drain.
 */
export class OutputSink {
  private buffer = '';
  private readonly hash = createHash('sha256');
  private failure: unknown;

  constructor(
    private readonly stream: Writable,
    /** The file's name in messages, e.g. `clean/2024-W20/north.csv`. */
    readonly name: string,
  ) {
    stream.on('error', (error) => {
      this.failure ??= error;
    });
  }

  /** Characters waiting to be flushed. */
  get pending(): number {
    return this.buffer.length;
  }

  write(text: string): void {
    this.buffer += text;
  }

  /** Write what is buffered and wait for the stream to take it. */
  async flush(): Promise<void> {
    if (this.failure === undefined && this.buffer.length > 0) {
      const bytes = Buffer.from(this.buffer, 'utf8');
      this.buffer = '';
      this.hash.update(bytes);
      try {
        if (!this.stream.write(bytes)) await once(this.stream, 'drain');
      } catch (error) {
        this.failure ??= error;
      }
    }
    if (this.failure !== undefined) {
      throw new StageError(`clean: cannot write ${this.name}`, 'clean', { cause: this.failure });
    }
  }

  /** The SHA-256 (hex) of everything flushed so far. */
  digest(): string {
    return this.hash.copy().digest('hex');
  }
}
