/** Exit codes of SPEC 8. */
export const EXIT = {
  ok: 0,
  failed: 1,
  usage: 2,
  locked: 75,
} as const;

/** A mistake in how the command was called: bad flag, bad week, bad path. Exits 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/** Another run holds the data directory's lock. Exits 75. */
export class LockedError extends Error {
  override name = 'LockedError';
}

/**
 * A stage failed for a reason the user can act on. The message is one line and
 * names what failed; `stage` says which stage, for notifications and summaries;
 * `result`, what the command did before it failed, for its summary on stdout and `--json`.
 */
export class StageError extends Error {
  override name = 'StageError';
  readonly result: object | undefined;
  constructor(
    message: string,
    readonly stage?: string,
    options?: { cause?: unknown; result?: object },
  ) {
    super(message, options);
    this.result = options?.result;
  }
}

/** The exit code for an error that reached the top level. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof UsageError) return EXIT.usage;
  if (error instanceof LockedError) return EXIT.locked;
  const code = (error as { exitCode?: unknown } | null)?.exitCode;
  if (typeof code === 'number' && code !== 0) return code;
  return EXIT.failed;
}

/** Hide the password of any URL-looking string inside a text. */
export function redact(text: string): string {
  return text
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)([^\s@/]*)@/gi, '$1***@')
    .replace(/(password=)([^\s&]+)/gi, '$1***');
}

/**
 * One line for the user: the message, then the messages of its causes that add
 * something, joined with ': '. Stack traces only when verbose.
 */
export function describeError(error: unknown, verbose = false): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; current != null && depth < 6; depth++) {
    const message = messageOf(current);
    if (message && !parts.some((p) => p.includes(message))) parts.push(message);
    current = (current as { cause?: unknown }).cause;
  }
  let line = redact(parts.join(': ').replace(/\s*\n\s*/g, ' ') || 'unknown error');
  if (verbose && error instanceof Error && error.stack) line += `\n${redact(error.stack)}`;
  return line;
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(messageOf).filter(Boolean).join('; ');
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (error.message) return error.message;
    return typeof code === 'string' ? code : error.name;
  }
  if (typeof error === 'string') return error;
  return '';
}

/** What a failed command did before it failed (StageError.result), for its summary and `--json`. */
export function resultOf(error: unknown): object | undefined {
  return error instanceof StageError ? error.result : undefined;
}
