import type { Stats } from 'node:fs';
import { lstat, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Week } from '../lib/core/calendar.js';
import { cleanFile, REJECTS_HEADER, type FileCounts } from '../lib/clean/file.js';
import { formatCleanManifest, type CleanManifest, type CleanManifestFile } from '../lib/files/manifest.js';
import { DEFAULT_MAX_REJECT_RATE, type Context } from '../lib/core/config.js';
import { during } from '../lib/core/interrupt.js';
import { StageError } from '../lib/core/errors.js';
import {
  openAtomicWriter,
  readFileStream,
  removeStaleTemps,
  writeFileAtomic,
  type AtomicWriter,
  type Layout,
} from '../lib/files/layout.js';
import { REGIONS, type Region } from '../lib/core/regions.js';
import { SALES_HEADER } from '../lib/core/headers.js';
import { RowNormalizer } from '../lib/clean/normalize.js';
import { OutputSink } from '../lib/ui/output-sink.js';
import { defaultWeeks } from '../lib/core/plan.js';
import { SaleIdTable } from '../lib/clean/sale-id-table.js';

/** Options of `clean`. */
export interface CleanOptions {
  ctx: Context;
  /** Weeks to clean; undefined means the plan's whole period. */
  weeks?: Week[] | undefined;
  /** Fail the week when rejected / read of any file exceeds this (default 0.05). */
  maxRejectRate?: number | undefined;
}

/** One cleaned week. */
export interface CleanedWeek {
  week: string;
  read: number;
  written: number;
  duplicates: number;
  rejected: number;
  missingRegions: Region[];
  manifest: string;
}

/** What `clean` did. */
export interface CleanResult {
  weeks: CleanedWeek[];
}

/** A raw row is about 45 bytes; a little more here, so the estimate of rows errs low. */
const BYTES_PER_ROW = 48;

/** Normalise, validate and deduplicate the weeks' raw files (SPEC 5), one week after another. */
export async function clean(opts: CleanOptions): Promise<CleanResult> {
  const weeks = opts.weeks ?? (await defaultWeeks(opts.ctx.config.layout, 'clean'));
  const maxRejectRate = opts.maxRejectRate ?? DEFAULT_MAX_REJECT_RATE;
  const result: CleanResult = { weeks: [] };
  for (const week of weeks) {
    result.weeks.push(await during(`clean of ${week.id}`, () => cleanWeek(opts.ctx, week, maxRejectRate)));
  }
  return result;
}

const percent = (rate: number) => `${(rate * 100).toFixed(2).replace(/\.?0+$/, '')}%`;
// One formatter: toLocaleString builds a new one on every call, a millisecond a week in the log lines.
const EN_US = new Intl.NumberFormat('en-US');
const count = (n: number) => EN_US.format(n);

/**
 * Clean one week: every present region file into temporary files, the quality
 * gate on each, then rename into place, the manifest last. Any failure leaves
 * the week's previous clean output as it was.
 */
async function cleanWeek(ctx: Context, week: Week, maxRejectRate: number): Promise<CleanedWeek> {
  const { layout } = ctx.config;
  const { present, missing } = await findRawFiles(ctx, week);
  warnMissing(ctx, week, missing);

  await removeStaleTemps(layout.cleanDir(week));
  await removeStaleTemps(layout.rejectsDir(week));

  const seen = await saleIdTableFor(layout, week, present);
  const writers: AtomicWriter[] = [];
  const files: CleanManifestFile[] = [];
  try {
    for (const region of present) {
      files.push(await cleanRegion(ctx, week, region, seen, writers, maxRejectRate));
    }
    const manifest = weekManifest(week, files, missing);
    await commitWeek(layout, week, writers, missing, manifest);
    const { totals } = manifest;
    logWeek(ctx, week, totals, missing);
    return { week: week.id, ...totals, missingRegions: missing, manifest: rel(layout, layout.manifest(week)) };
  } catch (error) {
    await Promise.all(writers.map((writer) => writer.abort()));
    throw error;
  }
}

/** A warning for each region of the week without a raw file. */
function warnMissing(ctx: Context, week: Week, missing: Region[]): void {
  const { layout } = ctx.config;
  for (const region of missing) {
    ctx.log.warn(
      `${week.id}: no raw file for region ${region} (${rel(layout, layout.raw(week, region))}); ` +
        'cleaning the week without it',
    );
  }
}

/**
 * The table of the week's sale ids, sized from the input up front (up to 2^25 slots): growing a
 * table of millions of ids holds the old and the new one at once.
 */
async function saleIdTableFor(layout: Layout, week: Week, present: Region[]): Promise<SaleIdTable> {
  const rawBytes = await Promise.all(
    present.map((region) =>
      stat(layout.raw(week, region)).then(
        (s) => s.size,
        () => 0,
      ),
    ),
  );
  return new SaleIdTable(Math.min(2 ** 25, rawBytes.reduce((a, b) => a + b, 0) / BYTES_PER_ROW / 0.7));
}

/** The week's clean manifest: its files, the regions without one, and the totals. */
function weekManifest(week: Week, files: CleanManifestFile[], missing: Region[]): CleanManifest {
  return {
    week: week.id,
    weekStart: week.start,
    weekEnd: week.end,
    files,
    missingRegions: missing,
    totals: {
      read: sum(files, 'read'),
      written: sum(files, 'written'),
      duplicates: sum(files, 'duplicates'),
      rejected: sum(files, 'rejected'),
    },
  };
}

/**
 * Put the week's clean output in place of the previous one: the manifest goes first and comes back
 * last (without it the week reads as incomplete), and the missing regions' old files go.
 */
async function commitWeek(
  layout: Layout,
  week: Week,
  writers: AtomicWriter[],
  missing: Region[],
  manifest: CleanManifest,
): Promise<void> {
  await rm(layout.manifest(week), { force: true });
  for (const writer of writers) await writer.commit();
  for (const region of missing) {
    await rm(layout.clean(week, region), { force: true });
    await rm(layout.rejects(week, region), { force: true });
  }
  await writeFileAtomic(layout.manifest(week), formatCleanManifest(manifest));
}

/** The week's summary line. */
function logWeek(ctx: Context, week: Week, totals: CleanManifest['totals'], missing: Region[]): void {
  ctx.log.info(
    `${week.id}: ${count(totals.written)} written, ${count(totals.duplicates)} duplicates, ` +
      `${count(totals.rejected)} rejected` +
      (missing.length > 0 ? `, missing ${missing.join(', ')}` : ''),
  );
}

/**
 * Clean one region file of the week into temporary clean and rejects files (added to
 * `writers` for the caller to commit or abort), then apply the quality gate.
 */
async function cleanRegion(
  ctx: Context,
  week: Week,
  region: Region,
  seen: SaleIdTable,
  writers: AtomicWriter[],
  maxRejectRate: number,
): Promise<CleanManifestFile> {
  const { layout } = ctx.config;
  const input = layout.raw(week, region);
  const name = rel(layout, input);
  const size = await checkRegularFile(input, name);
  const cleanWriter = await openAtomicWriter(layout.clean(week, region));
  writers.push(cleanWriter);
  const rejectsWriter = await openAtomicWriter(layout.rejects(week, region));
  writers.push(rejectsWriter);
  const cleanSink = new OutputSink(cleanWriter.stream, rel(layout, cleanWriter.path));
  const rejectsSink = new OutputSink(rejectsWriter.stream, rel(layout, rejectsWriter.path));
  cleanSink.write(`${SALES_HEADER}\n`);
  rejectsSink.write(`${REJECTS_HEADER}\n`);

  const counts = await cleanFile({
    source: readFileStream(input, size),
    name,
    normalizer: new RowNormalizer(week, region),
    seen,
    clean: cleanSink,
    rejects: rejectsSink,
  });
  await cleanSink.flush();
  await rejectsSink.flush();

  warnAboutFile(ctx, name, counts);
  checkRejectRate(layout, week, name, counts, maxRejectRate);
  return {
    region,
    input: name,
    inputSha256: counts.inputSha256,
    output: rel(layout, cleanWriter.path),
    outputSha256: cleanSink.digest(),
    rejects: rel(layout, rejectsWriter.path),
    read: counts.read,
    written: counts.written,
    duplicates: counts.duplicates,
    rejected: counts.rejected,
    rejectReasons: counts.rejectReasons,
  };
}

/** The log lines a region file's oddities call for: no header, no rows, blank lines. */
function warnAboutFile(ctx: Context, name: string, counts: FileCounts): void {
  if (counts.headerless) ctx.log.warn(`${name} has no header; its line 1 was read as a sale`);
  if (counts.read === 0) ctx.log.warn(`${name} has no rows`);
  if (counts.blankLines > 0) ctx.log.debug(`${name}: ${counts.blankLines} blank lines skipped`);
}

/** The quality gate: a file rejecting more than `maxRejectRate` of its rows fails the week. */
function checkRejectRate(layout: Layout, week: Week, name: string, counts: FileCounts, maxRejectRate: number): void {
  const rate = counts.read === 0 ? 0 : counts.rejected / counts.read;
  if (rate > maxRejectRate) {
    const top = Object.entries(counts.rejectReasons)
      .sort(([, a], [, b]) => b - a)
      .slice(0, 3)
      .map(([reason, n]) => `${reason} ${count(n)}`)
      .join(', ');
    throw new StageError(
      `clean: ${name} rejected ${percent(rate)} of its rows ` +
        `(${count(counts.rejected)} of ${count(counts.read)}: ${top}), ` +
        `above --max-reject-rate ${percent(maxRejectRate)}; ${rel(layout, layout.cleanDir(week))} left as it was`,
      'clean',
    );
  }
}

/** A path relative to the data directory with `/`, for messages and the manifest. */
const rel = (layout: Layout, file: string) => layout.relative(file).split(path.sep).join('/');

const sum = (files: CleanManifestFile[], key: 'read' | 'written' | 'duplicates' | 'rejected') =>
  files.reduce((n, file) => n + file[key], 0);

/** The week's region files that exist and those that do not; no raw files at all is an error. */
async function findRawFiles(ctx: Context, week: Week): Promise<{ present: Region[]; missing: Region[] }> {
  const { layout } = ctx.config;
  const dir = layout.relative(layout.rawDir(week));
  const runFirst = `run \`sales-etl generate --week ${week.id}\` first`;
  try {
    const info = await stat(layout.rawDir(week));
    if (!info.isDirectory()) throw new StageError(`clean: ${dir} is not a directory`, 'clean');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new StageError(`clean: no raw files for ${week.id} (${dir} does not exist); ${runFirst}`, 'clean');
    }
    if (error instanceof StageError) throw error;
    throw new StageError(`clean: cannot read ${dir}`, 'clean', { cause: error });
  }
  const present: Region[] = [];
  const missing: Region[] = [];
  for (const region of REGIONS) {
    try {
      await lstat(layout.raw(week, region));
      present.push(region);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
        throw new StageError(`clean: cannot read ${layout.relative(layout.raw(week, region))}`, 'clean', {
          cause: error,
        });
      }
      missing.push(region);
    }
  }
  if (present.length === 0) {
    throw new StageError(
      `clean: no raw files for ${week.id} ` +
        `(${dir} has none of ${REGIONS.map((r) => `${r}.csv`).join(', ')}); ${runFirst}`,
      'clean',
    );
  }
  return { present, missing };
}

/**
 * A raw file must be a readable regular file: a directory, a FIFO or a dangling link is an error.
 * Its size in bytes.
 */
async function checkRegularFile(file: string, name: string): Promise<number> {
  let info: Stats;
  try {
    info = await stat(file);
  } catch (error) {
    throw new StageError(`clean: cannot read ${name}`, 'clean', { cause: error });
  }
  if (!info.isFile()) {
    const kind = info.isDirectory() ? 'a directory' : 'not a regular file';
    throw new StageError(`clean: cannot read ${name}: it is ${kind}`, 'clean');
  }
  return info.size;
}
