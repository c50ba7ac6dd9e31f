import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseWeek, WEEK_FORMS } from './lib/core/calendar.js';
import { UsageError } from './lib/core/errors.js';
import { parseWeeklyTime, type WeeklyTime } from './lib/ops/schedule.js';

/** `--week`, `--from`, `--to`, checked as they are parsed so a bad one is a usage error. */
export function addWeekOptions(cmd: Command, what = 'the week to process'): Command {
  return cmd
    .addOption(new Option('-w, --week <week>', `${what}: ${WEEK_FORMS}`).argParser(weekArg))
    .addOption(new Option('--from <week>', 'first week of a range (inclusive)').argParser(weekArg))
    .addOption(new Option('--to <week>', 'last week of a range (inclusive)').argParser(weekArg));
}

/** An argParser from a parser that throws UsageError: its message becomes commander's complaint. */
function usageArg<T>(parse: (value: string) => T): (value: string) => T {
  return (value) => {
    try {
      return parse(value);
    } catch (error) {
      throw new InvalidArgumentError(error instanceof UsageError ? error.message : String(error));
    }
  };
}

/** A week flag's value, checked as it is parsed (a bad week is a usage error). */
export const weekArg = usageArg((value) => parseWeek(value).id);

/** A whole number within bounds, for commander's argParser. */
export function intArg(min: number, max = Number.MAX_SAFE_INTEGER) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected a whole number, got ${JSON.stringify(value)}`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`expected a number from ${min} to ${max}`);
    return n;
  };
}

/** A rate from 0 to 1, for commander's argParser. */
export function rateArg(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new InvalidArgumentError(`expected a rate from 0 to 1, got ${JSON.stringify(value)}`);
  }
  return n;
}

/** `--only-at`'s weekly time (`Tue 12:45 Europe/Moscow`), for commander's argParser. */
export const onlyAtArg: (value: string) => WeeklyTime = usageArg(parseWeeklyTime);
