import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { pathToFileURL } from 'node:url';
import { generate } from '../src/commands/generate.js';
import { createContext, resolveConfig } from '../src/lib/core/config.js';
import { silentLogger } from '../src/lib/ui/logger.js';

/** What generating a year costs. */
export interface GenerateBench {
  validSales: number;
  /** Data lines written to raw files, dirt included. */
  rows: number;
  bytes: number;
  seconds: number;
  /** CPU time (user + system) the generation took: steadier than wall time on a busy machine. */
  cpuSeconds: number;
  rowsPerSecond: number;
  /** Baseline: seconds to copy the same raw files with plain streams, in the same run. */
  copySeconds: number;
  /** seconds / copySeconds: how far the generator is from the disk's own speed. */
  vsCopy: number;
  /** Peak resident set size of this process so far, in MiB (process.resourceUsage().maxRSS). */
  peakRssMiB: number;
}

/** Generate a full default year (1,000,000 sales, 52 weeks) into a fresh temporary directory, and measure it. */
export async function benchGenerate(options: { total?: number } = {}): Promise<GenerateBench> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-bench-generate-'));
  try {
    const ctx = { ...createContext(resolveConfig({ dataDir: dir }, {})), log: silentLogger() };
    const started = process.hrtime.bigint();
    const cpuStarted = process.cpuUsage();
    const result = await generate({ ctx, total: options.total });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const cpu = process.cpuUsage(cpuStarted);
    const rows = result.weeks.reduce((n, w) => n + w.files.reduce((m, f) => m + f.rows, 0), 0);
    const validSales = result.weeks.reduce((n, w) => n + w.validSales, 0);

    let bytes = 0;
    const copyStarted = process.hrtime.bigint();
    const out = path.join(dir, 'copy');
    for (const week of await readdir(path.join(dir, 'raw'))) {
      for (const name of await readdir(path.join(dir, 'raw', week))) {
        const file = path.join(dir, 'raw', week, name);
        bytes += (await stat(file)).size;
        await pipeline(createReadStream(file), createWriteStream(out));
      }
    }
    const copySeconds = Number(process.hrtime.bigint() - copyStarted) / 1e9;
    return {
      validSales,
      rows,
      bytes,
      seconds,
      cpuSeconds: (cpu.user + cpu.system) / 1e6,
      rowsPerSecond: rows / seconds,
      copySeconds,
      vsCopy: seconds / copySeconds,
      peakRssMiB: process.resourceUsage().maxRSS / 1024,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** One line for people. */
export function describeGenerateBench(b: GenerateBench): string {
  const n = (x: number) => Math.round(x).toLocaleString('en-US');
  return (
    `generate: ${n(b.validSales)} valid sales, ${n(b.rows)} rows (${(b.bytes / 2 ** 20).toFixed(1)} MiB) ` +
    `in ${b.seconds.toFixed(2)} s (CPU ${b.cpuSeconds.toFixed(2)} s): ` +
    `${n(b.rowsPerSecond)} rows/s, ${b.vsCopy.toFixed(1)}× the time to copy its output ` +
    `(${b.copySeconds.toFixed(2)} s), ` +
    `peak RSS ${b.peakRssMiB.toFixed(0)} MiB`
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const result = await benchGenerate();
  process.stdout.write(`${describeGenerateBench(result)}\n`);
}
