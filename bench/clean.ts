/**
 * clean's throughput and memory, as a ratio against a baseline measured in the
 * same run: plain csv-parse → csv-stringify of the same bytes, with no logic.
 *
 *   node dist/bench/clean.js [DATA_DIR]      clean every week of DATA_DIR's raw/ (default:
 *                                            a synthetic year of about 1.04M rows in a temp dir)
 *   node dist/bench/clean.js --big 20000000  one synthetic week of that many rows, for memory
 *   --no-baseline                            skip the baseline (slow on a big week)
 *   node dist/bench/clean.js --baseline DATA_DIR   only the baseline over DATA_DIR's raw files, as
 *                                            JSON (what `npm run bench` runs in its own process)
 *
 * DATA_DIR is only read: the clean output goes to a temporary directory whose raw/ links to it.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'csv-parse';
import { stringify } from 'csv-stringify';
import { clean } from '../src/commands/clean.js';
import { addWeeks, dateOfDay, dayNumber, parseWeek, type Week } from '../src/lib/core/calendar.js';
import { createContext, resolveConfig } from '../src/lib/core/config.js';
import { REGION_NAMES, REGIONS, type Region } from '../src/lib/core/regions.js';
import { SALES_HEADER } from '../src/lib/core/headers.js';
import { silentLogger } from '../src/lib/ui/logger.js';

/** What `benchClean` measured. */
export interface CleanBench {
  weeks: number;
  files: number;
  bytes: number;
  rowsRead: number;
  rowsWritten: number;
  cleanSeconds: number;
  cleanRowsPerSecond: number;
  baselineSeconds: number;
  baselineRowsPerSecond: number;
  /** clean's time over the baseline's: 1 means as fast as parse + stringify alone. */
  ratio: number;
  /** The process's peak resident memory after the baseline, then after clean, in MiB. */
  peakRssBaselineMiB: number;
  peakRssCleanMiB: number;
}

const WEEK_DIR = /^\d{4}-W\d{2}$/;
const peakRssMiB = () => Math.round(process.resourceUsage().maxRSS / 1024);

/** The raw files of a data directory, week by week, region by region: what clean reads. */
export async function rawInputs(dataDir: string): Promise<{ weekIds: string[]; inputs: string[]; bytes: number }> {
  const rawRoot = path.resolve(dataDir, 'raw');
  const weekIds = (await readdir(rawRoot)).filter((name) => WEEK_DIR.test(name)).sort();
  const inputs: string[] = [];
  for (const id of weekIds) {
    for (const region of REGIONS) {
      const file = path.join(rawRoot, id, `${region}.csv`);
      if ((await stat(file).catch(() => undefined))?.isFile()) inputs.push(file);
    }
  }
  const bytes = (await Promise.all(inputs.map((file) => stat(file)))).reduce((n, s) => n + s.size, 0);
  return { weekIds, inputs, bytes };
}

/** The baseline: the same bytes through csv-parse and csv-stringify into files in `outDir`, no logic. */
export async function csvBaseline(inputs: string[], outDir: string): Promise<{ rows: number; seconds: number }> {
  await mkdir(outDir, { recursive: true });
  let rows = 0;
  const started = performance.now();
  for (const [i, input] of inputs.entries()) {
    const parser = parse({ relax_column_count: true, relax_quotes: true, skip_records_with_error: true });
    parser.on('data', () => rows++);
    await pipeline(
      createReadStream(input, { highWaterMark: 1 << 20 }),
      parser,
      stringify(),
      createWriteStream(path.join(outDir, `${i}.csv`), { highWaterMark: 1 << 20 }),
    ).catch(() => undefined);
  }
  return { rows, seconds: (performance.now() - started) / 1000 };
}

/** Clean every week of an existing data directory (read only) and compare with the baseline (unless skipped). */
export async function benchClean(dataDir: string, options: { baseline?: boolean } = {}): Promise<CleanBench> {
  const rawRoot = path.resolve(dataDir, 'raw');
  const { weekIds, inputs, bytes } = await rawInputs(dataDir);
  const work = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-bench-clean-'));
  try {
    const baseDir = path.join(work, 'baseline');
    const { rows: baselineRows, seconds: baselineSeconds } =
      (options.baseline ?? true) ? await csvBaseline(inputs, baseDir) : { rows: 0, seconds: 0 };
    const peakRssBaselineMiB = peakRssMiB();
    await rm(baseDir, { recursive: true, force: true });

    await symlink(rawRoot, path.join(work, 'raw'));
    const ctx = { ...createContext(resolveConfig({ dataDir: work }, {})), log: silentLogger() };
    const cleanStart = performance.now();
    const result = await clean({ ctx, weeks: weekIds.map((id) => parseWeek(id)), maxRejectRate: 1 });
    const cleanSeconds = (performance.now() - cleanStart) / 1000;
    const rowsRead = result.weeks.reduce((n, w) => n + w.read, 0);
    return {
      weeks: weekIds.length,
      files: inputs.length,
      bytes,
      rowsRead,
      rowsWritten: result.weeks.reduce((n, w) => n + w.written, 0),
      cleanSeconds,
      cleanRowsPerSecond: Math.round(rowsRead / cleanSeconds),
      baselineSeconds,
      baselineRowsPerSecond: baselineRows === 0 ? 0 : Math.round(baselineRows / baselineSeconds),
      ratio: baselineRows === 0 ? Number.NaN : cleanSeconds / baselineSeconds,
      peakRssBaselineMiB,
      peakRssCleanMiB: peakRssMiB(),
    };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}

/** A small, fast, seeded PRNG (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Write a synthetic raw week (about `rows` lines over the four regions) in the
 * generator's noise forms: ~1% exact duplicates, ~0.3% re-exports, ~0.5% invalid rows.
 * For benchmarks only; the real generator is `sales-etl generate`.
 */
export async function writeSyntheticWeek(
  dataDir: string,
  week: Week,
  rows: number,
  firstSaleId: number,
  seed: number,
): Promise<void> {
  const rand = random(seed);
  const dir = path.join(dataDir, 'raw', week.id);
  await mkdir(dir, { recursive: true });
  const monday = dayNumber(week.start);
  const dates = Array.from({ length: 7 }, (_, i) => dateOfDay(monday + i));
  let saleId = firstSaleId;
  for (const region of REGIONS) {
    const out = createWriteStream(path.join(dir, `${region}.csv`), { highWaterMark: 1 << 20 });
    let buffer = `${SALES_HEADER}\n`;
    let last = '';
    for (let i = 0; i < rows / REGIONS.length; i++) {
      const r = rand();
      let line: string;
      if (r < 0.01 && last) {
        line = last;
      } else {
        line = syntheticRow(rand, saleId++, dates, region);
        if (r > 0.995) line = line.replace(/,[^,]*$/, ',Atlantis');
      }
      buffer += `${line}\n`;
      last = line;
      if (buffer.length > 1 << 20) {
        if (!out.write(buffer)) await once(out, 'drain');
        buffer = '';
      }
    }
    out.end(buffer);
    await once(out, 'finish');
  }
}

function syntheticRow(rand: () => number, saleId: number, dates: string[], region: Region): string {
  const date = dates[Math.floor(rand() * 7)] as string;
  const quantity = 1 + Math.floor(rand() * rand() * 15);
  const cents = quantity * (100 + Math.floor(rand() * 500_000));
  const whole = Math.floor(cents / 100);
  const frac = String(cents % 100).padStart(2, '0');
  const noise = rand();
  let amount = `${whole}.${frac}`;
  let day = date;
  let name = REGION_NAMES[region];
  if (noise < 0.05) amount = `"${whole},${frac}"`;
  else if (noise < 0.08) amount = `"${String(whole).replace(/\B(?=(\d{3})+(?!\d))/g, '\u00a0')},${frac}"`;
  else if (noise < 0.11) day = `${date.slice(8, 10)}.${date.slice(5, 7)}.${date.slice(0, 4)}`;
  else if (noise < 0.14) day = `${date}T12:30:00+03:00`;
  else if (noise < 0.17) name = ` ${region.toUpperCase()} `;
  return (
    `${saleId},${1 + Math.floor(rand() * 140_000)},${1 + Math.floor(rand() * 1000)},` +
    `${quantity},${day},${amount},${name}`
  );
}

/** `--baseline DATA_DIR`: the baseline alone, in this process, printed as one JSON line. */
async function baselineOnly(dataDir: string): Promise<void> {
  const { inputs, bytes } = await rawInputs(dataDir);
  const out = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-bench-csv-'));
  try {
    const { rows, seconds } = await csvBaseline(inputs, out);
    process.stdout.write(`${JSON.stringify({ files: inputs.length, bytes, rows, seconds })}\n`);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
}

async function main(args: string[]): Promise<void> {
  const baselineAt = args.indexOf('--baseline');
  if (baselineAt >= 0) {
    const dir = args[baselineAt + 1];
    if (!dir) throw new Error('bench/clean: --baseline needs a data directory');
    return baselineOnly(dir);
  }
  const bigAt = args.indexOf('--big');
  let dataDir = args.find((a, i) => !a.startsWith('--') && !(bigAt >= 0 && i === bigAt + 1));
  let temp: string | undefined;
  try {
    if (!dataDir) {
      temp = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-bench-raw-'));
      dataDir = temp;
      if (bigAt >= 0) {
        const rows = Number(args[bigAt + 1] ?? 20_000_000);
        process.stderr.write(`writing one synthetic week of ${rows.toLocaleString('en-US')} rows ...\n`);
        await writeSyntheticWeek(temp, parseWeek('2024-W20'), rows, 1, 1);
      } else {
        process.stderr.write('writing a synthetic year (52 weeks, about 1.04M rows) ...\n');
        const first = parseWeek('2024-W01');
        for (let i = 0; i < 52; i++) await writeSyntheticWeek(temp, addWeeks(first, i), 20_000, 1 + i * 25_000, i + 1);
      }
    }
    const r = await benchClean(dataDir, { baseline: !args.includes('--no-baseline') });
    process.stdout.write(
      [
        `clean: ${r.rowsRead.toLocaleString('en-US')} rows ` +
          `(${r.weeks} weeks, ${r.files} files, ${(r.bytes / 2 ** 20).toFixed(1)} MiB) ` +
          `in ${r.cleanSeconds.toFixed(2)} s = ${r.cleanRowsPerSecond.toLocaleString('en-US')} rows/s, ` +
          `${r.rowsWritten.toLocaleString('en-US')} written`,
        `baseline csv-parse → csv-stringify: ${r.baselineSeconds.toFixed(2)} s = ` +
          `${r.baselineRowsPerSecond.toLocaleString('en-US')} rows/s`,
        `ratio clean / baseline time: ${r.ratio.toFixed(2)}`,
        `peak RSS: ${r.peakRssBaselineMiB} MiB after the baseline, ${r.peakRssCleanMiB} MiB after clean`,
        '',
      ].join('\n'),
    );
  } finally {
    if (temp) await rm(temp, { recursive: true, force: true });
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await main(process.argv.slice(2));
}
