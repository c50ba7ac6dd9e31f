/**
 * backfill of a whole default year (1,000,000 sales, 52 weeks) on the embedded
 * databases in a temporary directory: the wall time, and each stage's share of
 * it. The baseline, measured in the same run, is the sum of the stages' own
 * times: what is left over is the chaining (opening the databases once,
 * recording runs, the week loop).
 *
 *   node dist/bench/backfill.js [TOTAL] [WEEKS]     default 1000000 52
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { backfill } from '../src/commands/backfill.js';
import { STAGES } from '../src/commands/run-week.js';
import { createContext, resolveConfig } from '../src/lib/core/config.js';
import { silentLogger } from '../src/lib/ui/logger.js';

/** What `benchBackfill` measured. */
export interface BackfillBench {
  weeks: number;
  sales: number;
  seconds: number;
  /** Seconds spent inside each stage, over all weeks. */
  stageSeconds: Record<(typeof STAGES)[number], number>;
  /** seconds / the sum of the stages' seconds. */
  chainingRatio: number;
  salesPerSecond: number;
}

/** Run a whole default year (or `total` sales over `weeks`) through backfill in a fresh temporary data directory. */
export async function benchBackfill(options: { total?: number; weeks?: number } = {}): Promise<BackfillBench> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-bench-backfill-'));
  await chmod(dir, 0o711); // the embedded PostgreSQL may run as another user
  try {
    const config = resolveConfig(
      { dataDir: dir, color: false },
      { ...process.env, DATABASE_URL: '', CLICKHOUSE_URL: '' },
    );
    const ctx = { ...createContext(config), log: silentLogger() };
    const started = performance.now();
    const result = await backfill({ ctx, total: options.total, periodWeeks: options.weeks, notify: false });
    const seconds = (performance.now() - started) / 1000;
    const stageSeconds = Object.fromEntries(STAGES.map((s) => [s, 0])) as BackfillBench['stageSeconds'];
    for (const w of result.weeks) for (const s of w.stages) stageSeconds[s.stage] += s.seconds;
    const inStages = Object.values(stageSeconds).reduce((a, b) => a + b, 0);
    return {
      weeks: result.weeks.length,
      sales: result.totals.clean,
      seconds,
      stageSeconds,
      chainingRatio: seconds / inStages,
      salesPerSecond: result.totals.clean / seconds,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The figures as lines for `npm run bench`. */
export function describeBackfillBench(b: BackfillBench): string {
  const total = Object.values(b.stageSeconds).reduce((a, c) => a + c, 0);
  return [
    `backfill: ${b.weeks} weeks, ${b.sales.toLocaleString('en-US')} sales in ${b.seconds.toFixed(1)}s ` +
      `(${Math.round(b.salesPerSecond).toLocaleString('en-US')} sales/s); ` +
      `${(b.chainingRatio).toFixed(2)}× the stages' own time`,
    ...STAGES.map(
      (s) =>
        `  ${s.padEnd(14)} ${b.stageSeconds[s].toFixed(1).padStart(6)}s  ` +
        `${((100 * b.stageSeconds[s]) / total).toFixed(0).padStart(3)}%`,
    ),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [total, weeks] = process.argv.slice(2).map(Number);
  console.log(describeBackfillBench(await benchBackfill({ total: total || undefined, weeks: weeks || undefined })));
}
