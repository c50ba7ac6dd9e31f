import { once } from 'node:events';
import { rm } from 'node:fs/promises';
import type { Writable } from 'node:stream';
import { openAtomicWriter, removeStaleTemps, type AtomicWriter, type Layout } from '../files/layout.js';
import { REGIONS, type Region } from '../core/regions.js';
import { SALES_HEADER } from '../core/headers.js';
import { DirtyRegion } from './dirt.js';
import { rngFor, STREAM } from './random.js';
import type { SalesModel } from './sales.js';

/** Invalid rows take ids from here on, far above any valid sale_id: base + week × 10^7 + region × 10^6 + n. */
export const INVALID_ID_BASE = 1_000_000_000_000;

/** The period's weeks 20 to 23 (1-based) each miss one region's file when the plan simulates the outage. */
export function outageRegion(simulateOutage: boolean, index: number): Region | undefined {
  return simulateOutage && index >= 19 && index <= 22 ? REGIONS[index - 19] : undefined;
}

/** What writing one week produced. */
export interface WrittenWeek {
  week: string;
  validSales: number;
  /** Valid sales of the region whose file was not delivered. */
  undeliveredSales: number;
  files: Array<{ region: Region; rows: number; path: string }>;
  missingRegions: Region[];
}

async function write(stream: Writable, bytes: Buffer): Promise<void> {
  if (!stream.write(bytes)) await once(stream, 'drain');
}

/**
 * Write week `index` of the model's plan as raw/<week>/<region>.csv, one
 * streaming pass over its sales, each file under a temporary name until all
 * are complete.
 */
export async function writeWeek(model: SalesModel, layout: Layout, index: number): Promise<WrittenWeek> {
  const { plan, schedule } = model;
  const week = schedule.week(index);
  const missing = outageRegion(plan.simulateOutage, index);
  const writers = new Map<Region, { writer: AtomicWriter; dirt: DirtyRegion }>();
  await removeStaleTemps(layout.rawDir(week));
  try {
    for (const [r, region] of REGIONS.entries()) {
      if (region === missing) continue;
      const writer = await openAtomicWriter(layout.raw(week, region));
      writer.stream.write(`${SALES_HEADER}\n`);
      const dirt = new DirtyRegion(
        plan.dirt,
        rngFor(plan.seed, STREAM.dirt, index, r),
        week,
        INVALID_ID_BASE + index * 10_000_000 + r * 1_000_000,
      );
      writers.set(region, { writer, dirt });
    }
    let valid = 0;
    let undelivered = 0;
    for (const sale of model.salesOfWeek(index)) {
      const out = writers.get(sale.region);
      if (!out) {
        undelivered++;
        continue;
      }
      valid++;
      out.dirt.add(sale);
      if (out.dirt.buffered > 1 << 16) await write(out.writer.stream, out.dirt.take());
    }
    const files: WrittenWeek['files'] = [];
    for (const [region, { writer, dirt }] of writers) {
      dirt.finish();
      await write(writer.stream, dirt.take());
      await writer.commit();
      files.push({ region, rows: dirt.lines, path: layout.relative(writer.path) });
    }
    if (missing) await rm(layout.raw(week, missing), { force: true });
    return {
      week: week.id,
      validSales: valid,
      undeliveredSales: undelivered,
      files,
      missingRegions: missing ? [missing] : [],
    };
  } catch (error) {
    await Promise.all([...writers.values()].map(({ writer }) => writer.abort()));
    throw new Error(`generate: cannot write ${layout.relative(layout.rawDir(week))}`, { cause: error });
  }
}
