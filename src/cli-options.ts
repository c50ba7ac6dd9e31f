import { InvalidArgumentError, Option, type Command } from 'commander';
import { parseWeek, WEEK_FORMS } from './lib/core/calendar.js';
import { DEFAULT_MAX_REJECT_RATE } from './lib/core/config.js';
import { UsageError } from './lib/core/errors.js';
import type { PlanFlags } from './lib/core/plan.js';
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
    if (!/^\d+$/.test(value.trim()))
      throw new InvalidArgumentError(`expected a whole number, got ${JSON.stringify(value)}`);
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

/** `--max-reject-rate` of clean, run-week and backfill. */
export function addRejectRateOption(cmd: Command): Command {
  return cmd.addOption(
    new Option('--max-reject-rate <rate>', 'fail when a file rejects more than this share of its rows')
      .default(DEFAULT_MAX_REJECT_RATE)
      .argParser(rateArg),
  );
}

/** `--skip-generate` of run-week and backfill. */
export function addSkipGenerateOption(cmd: Command): Command {
  return cmd.option('--skip-generate', 'use the raw files already there instead of generating them');
}

/** The plan flags of generate and backfill as commander hands them over (`--start-week` a checked week id). */
export interface PlanOptionValues {
  seed?: number;
  total?: number;
  startWeek?: string;
  weeks?: number;
  simulateOutage?: boolean;
}

/** The flags of a new plan `--seed`, `--total`, `--start-week`, `--weeks`, `--simulate-outage`. */
export function addPlanOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--seed <n>', 'random seed of a new plan').argParser(intArg(0, 2 ** 31 - 1)))
    .addOption(
      new Option('--total <n>', 'valid unique sales over the period of a new plan (default 1000000)').argParser(
        intArg(1),
      ),
    )
    .addOption(
      new Option('--start-week <week>', 'first week of a new plan (default: 52 weeks ending last week)').argParser(
        weekArg,
      ),
    )
    .addOption(new Option('--weeks <n>', 'weeks in the period of a new plan (default 52)').argParser(intArg(1, 520)))
    .option('--simulate-outage', "a new plan's weeks 20-23 each miss one region's file");
}

/** The plan flags of `addPlanOptions` as the stages take them. */
export function planFlagsOf(values: PlanOptionValues): PlanFlags {
  return {
    seed: values.seed,
    total: values.total,
    startWeek: values.startWeek === undefined ? undefined : parseWeek(values.startWeek),
    periodWeeks: values.weeks,
    simulateOutage: values.simulateOutage,
  };
}
