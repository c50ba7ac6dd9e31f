import { Chalk, type ChalkInstance } from 'chalk';
import type { Ora } from 'ora';
import { interrupted } from '../core/interrupt.js';

/** How the process talks to people: a terminal gets colour and spinners, cron gets plain lines. */
export interface LoggerOptions {
  /** Colour and spinners; false for pipes, cron, `NO_COLOR` and `--no-color`. */
  interactive: boolean;
  verbose: boolean;
  /** Where log lines go; stdout is kept for the result (and `--json`). */
  stream?: NodeJS.WritableStream;
}

/** The log every stage writes to. */
export interface Logger {
  readonly interactive: boolean;
  readonly chalk: ChalkInstance;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  success(message: string): void;
  debug(message: string): void;
  /** Run `work` behind a spinner (a terminal) or between two log lines (otherwise). */
  task<T>(text: string, work: (progress: (text: string) => void) => Promise<T>): Promise<T>;
}

function timestamp(): string {
  return new Date()
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d+Z$/, 'Z');
}

/** A logger for the given mode. */
export function createLogger(options: LoggerOptions): Logger {
  const stream = options.stream ?? process.stderr;
  const chalk = new Chalk({ level: options.interactive ? 2 : 0 });
  let spinner: Ora | undefined;
  /** A task's spinner is up, or on its way (ora is loaded on first use: 50 ms that cron never needs). */
  let spinning = false;

  const write = (level: string, message: string, paint: (s: string) => string, symbol: string) => {
    if (options.interactive) {
      const line = `${paint(symbol)} ${message}\n`;
      if (spinner?.isSpinning) {
        spinner.clear();
        stream.write(line);
        spinner.render();
      } else {
        stream.write(line);
      }
    } else {
      stream.write(`${timestamp()} ${level.padEnd(5)} ${message}\n`);
    }
  };

  const logger: Logger = {
    interactive: options.interactive,
    chalk,
    info: (m) => write('info', m, chalk.cyan, 'ℹ'),
    warn: (m) => write('warn', m, chalk.yellow, '⚠'),
    error: (m) => write('error', m, chalk.red, '✖'),
    success: (m) => write('ok', m, chalk.green, '✔'),
    debug: (m) => {
      if (options.verbose) write('debug', m, chalk.gray, '·');
    },
    async task(text, work) {
      const started = Date.now();
      const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)}s`;
      if (!options.interactive || spinning) {
        if (!options.interactive) write('info', `${text} ...`, chalk.cyan, 'ℹ');
        try {
          const result = await work((t) => logger.debug(t));
          if (!options.interactive) write('ok', `${text} done in ${elapsed()}`, chalk.green, '✔');
          return result;
        } catch (error) {
          // A stop signal is said once, by the top level: here it is only the end of a step.
          if (options.interactive) throw error;
          if (interrupted()) write('info', `${text} stopped after ${elapsed()}`, chalk.cyan, 'ℹ');
          else write('error', `${text} failed after ${elapsed()}`, chalk.red, '✖');
          throw error;
        }
      }
      spinning = true;
      const ora = await import('ora').then(
        (m) => m.default,
        (error: unknown) => {
          spinning = false;
          throw error;
        },
      );
      const current = ora({ text, stream, color: 'cyan' }).start();
      spinner = current;
      try {
        const result = await work((t) => {
          current.text = `${text} ${chalk.gray(t)}`;
        });
        current.succeed(`${text} ${chalk.gray(elapsed())}`);
        return result;
      } catch (error) {
        if (interrupted()) current.stop();
        else current.fail(`${text} ${chalk.gray(elapsed())}`);
        throw error;
      } finally {
        spinner = undefined;
        spinning = false;
      }
    },
  };
  return logger;
}

/** A logger that writes nothing, for library callers and tests. */
export function silentLogger(): Logger {
  const noop = () => undefined;
  return {
    interactive: false,
    chalk: new Chalk({ level: 0 }),
    info: noop,
    warn: noop,
    error: noop,
    success: noop,
    debug: noop,
    task: (_text, work) => work(noop),
  };
}
