import { createWriteStream, type WriteStream } from 'node:fs';
import path from 'node:path';
import { makeDirectory, PRIVATE_FILE_MODE } from '../../files/layout.js';
import type { Logger } from '../../ui/logger.js';

const RECENT_LINES = 20;

/**
 * What the server and initdb print: appended to the server's log file, and its
 * last lines kept to explain a failed start (or see that the port was taken).
 */
export class ServerLog {
  private readonly recent: string[] = [];

  private constructor(
    private readonly stream: WriteStream,
    /** The log file, for messages: "see <file>". */
    readonly file: string,
  ) {}

  /** Open (append to) `file`; a write error later is only a debug line, never the run's failure. */
  static async open(file: string, log: Logger): Promise<ServerLog> {
    await makeDirectory(path.dirname(file));
    const stream = createWriteStream(file, { flags: 'a', mode: PRIVATE_FILE_MODE });
    stream.on('error', (error) => log.debug(`embedded PostgreSQL: cannot write ${file}: ${error.message}`));
    return new ServerLog(stream, file);
  }

  /** Take some output of a server program (a callback: it is passed around unbound). */
  readonly write = (text: string): void => {
    if (!this.stream.writableEnded) this.stream.write(text.endsWith('\n') ? text : `${text}\n`);
    for (const line of text.split('\n')) if (line.trim()) this.recent.push(line.trim());
    this.recent.splice(0, Math.max(0, this.recent.length - RECENT_LINES));
  };

  /** The last non-blank lines of output, trimmed. */
  recentLines(): readonly string[] {
    return this.recent;
  }

  /** Forget the recent lines (a new start is tried). */
  forget(): void {
    this.recent.length = 0;
  }

  close(): Promise<void> {
    return new Promise<void>((resolve) => this.stream.end(resolve));
  }
}
