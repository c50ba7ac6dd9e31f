import { isInteractive } from './lib/ui/terminal.js';
import {
  handleSignals,
  nativeWorkEnded,
  signalExitCode,
  type InterruptedError,
  type StopSignal,
} from './lib/core/interrupt.js';

// The CLI takes the stop signals before it loads anything else (commander, chalk, ora take a quarter of a
// second): from here on a signal is an interruption the top level reports (src/cli.ts), never a silent death.

/** The ✖ line of a failure, red on a terminal. */
export function errorLine(text: string, color = isInteractive(!process.argv.includes('--no-color'))): string {
  return color ? `\u001b[31m✖ ${text}\u001b[39m\n` : `✖ ${text}\n`;
}

/**
 * A second stop signal while the first is being handled: one line, and out at once. The lock and the
 * embedded server go at exit (src/lib/core/interrupt.ts `stopSync`).
 */
function onForce(signal: StopSignal, first: InterruptedError): void {
  process.stderr.write(`\n${errorLine(`${signal} again while stopping (${first.message}): stopped at once`)}`);
  // Not while the embedded ClickHouse runs a statement: an exit then dies of SIGSEGV (a few hundred ms at most).
  void nativeWorkEnded(NATIVE_WORK_LIMIT_MS).finally(() => process.exit(signalExitCode(signal)));
}

/** How long a forced exit waits for the embedded ClickHouse's statement in flight. */
const NATIVE_WORK_LIMIT_MS = 5_000;

/** Own the stop signals for `command` (named when a signal comes while no stage is in flight). */
export function ownSignals(command: string): void {
  handleSignals({ command, onForce });
}

ownSignals('sales-etl');
