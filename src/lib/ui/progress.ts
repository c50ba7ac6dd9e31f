import type { Logger } from './logger.js';

/** Where a long run of weeks stands. */
export interface ProgressState {
  done: number;
  total: number;
  rows: number;
  /** Milliseconds since the run began. */
  elapsedMs: number;
  /** Milliseconds from the run's start to the end of its first week (which carries the start-up costs). */
  firstWeekMs?: number | undefined;
  /** What is going on right now, e.g. `2024-W20 load-pg`. */
  current?: string | undefined;
}

/** `1:05` for 65 seconds. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const rest = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${rest}` : `${m}:${rest}`;
}

/** One line of a progress bar: `[######----] 26/52 weeks · 500,000 rows · 0:12 left · 2024-W20 clean`. */
export function progressLine(state: ProgressState, width = 24): string {
  const share = state.total === 0 ? 1 : state.done / state.total;
  const filled = Math.round(share * width);
  // The first week carries the start-up (the embedded servers, the plan, the dimensions): the pace is
  // taken from the weeks after it, so there is none until two weeks are done.
  const since = state.firstWeekMs;
  const left =
    state.done >= state.total
      ? formatDuration(0)
      : state.done < 2 || since === undefined
        ? '?'
        : formatDuration(((state.elapsedMs - since) / (state.done - 1)) * (state.total - state.done));
  return (
    `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${state.done}/${state.total} weeks · ` +
    `${state.rows.toLocaleString('en-US')} rows · ${left} left` +
    (state.current ? ` · ${state.current}` : '')
  );
}

/**
 * A progress bar on a terminal's stderr, and a logger for the stages under it
 * that keeps their warnings and errors (drawn above the bar) but not their
 * step-by-step chatter, which the bar replaces.
 */
export class ProgressBar {
  private visible = false;
  private state: ProgressState | undefined;
  readonly log: Logger;

  constructor(
    private readonly parent: Logger,
    verbose = false,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {
    const around =
      (write: (m: string) => void) =>
      (message: string): void => {
        this.clear();
        write(message);
        this.redraw();
      };
    this.log = {
      interactive: parent.interactive,
      chalk: parent.chalk,
      info: () => undefined,
      success: () => undefined,
      debug: verbose ? around((m) => parent.debug(m)) : () => undefined,
      warn: around((m) => parent.warn(m)),
      error: around((m) => parent.error(m)),
      task: (_text, work) => work(() => undefined),
    };
  }

  /** Draw the bar with a new state. */
  update(state: ProgressState): void {
    this.state = state;
    this.redraw();
  }

  private redraw(): void {
    if (!this.state) return;
    const columns = this.stream.columns || 100;
    const line = progressLine(this.state).slice(0, Math.max(20, columns - 1));
    this.stream.write(`\r\u001b[2K${this.parent.chalk.cyan(line)}`);
    this.visible = true;
  }

  private clear(): void {
    if (this.visible) this.stream.write('\r\u001b[2K');
    this.visible = false;
  }

  /** Remove the bar for good. */
  done(): void {
    this.clear();
    this.state = undefined;
  }
}

/** A logger that keeps warnings and errors only, for stages run many times under a summary line. */
export function quietLogger(parent: Logger): Logger {
  return {
    interactive: false,
    chalk: parent.chalk,
    info: () => undefined,
    success: () => undefined,
    debug: (m) => parent.debug(m),
    warn: (m) => parent.warn(m),
    error: (m) => parent.error(m),
    task: (_text, work) => work(() => undefined),
  };
}
