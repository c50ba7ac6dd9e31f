/**
 * Preloaded by `npm run bench` into each process it measures
 * (`node --import <this file> bin/sales-etl.js ...`): at exit, it writes the
 * process's own peak resident set size and CPU time, as the kernel counted them
 * (getrusage RUSAGE_SELF: no polling, nothing missed between samples), to the
 * file named by $SALES_ETL_BENCH_USAGE. The command itself runs unchanged.
 */
import { writeFileSync } from 'node:fs';

/** What the hook writes. */
export interface ProcessUsage {
  /** Peak RSS of this process, KiB. */
  maxRssKiB: number;
  userSeconds: number;
  systemSeconds: number;
}

const file = process.env.SALES_ETL_BENCH_USAGE;
if (file) {
  process.on('exit', () => {
    const u = process.resourceUsage();
    const usage: ProcessUsage = {
      maxRssKiB: u.maxRSS,
      userSeconds: u.userCPUTime / 1e6,
      systemSeconds: u.systemCPUTime / 1e6,
    };
    writeFileSync(file, JSON.stringify(usage));
  });
}
