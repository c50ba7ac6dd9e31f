import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { CleanManifest } from '../../src/lib/files/manifest.js';
import { createContext, resolveConfig, type Context } from '../../src/lib/core/config.js';
import { silentLogger, type Logger } from '../../src/lib/ui/logger.js';
import { OutputSink } from '../../src/lib/ui/output-sink.js';

/** The repository's root, from dist/test/helpers. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CLI = path.join(REPO_ROOT, 'bin', 'sales-etl.js');
export const HOSTILE_DIR = path.join(REPO_ROOT, 'test', 'fixtures', 'hostile');
export const HEADER = 'sale_id,customer_id,product_id,quantity,sale_date,sale_amount,region';

/** A fresh temporary data directory; remove it with `removeDir`. */
export function tempDataDir(name = 'clean'): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `sales-etl-${name}-`));
}

export function removeDir(dir: string): Promise<void> {
  return rm(dir, { recursive: true, force: true });
}

/** A context on a data directory whose log keeps its warnings. */
export function testContext(dataDir: string): { ctx: Context; warnings: string[]; infos: string[] } {
  const warnings: string[] = [];
  const infos: string[] = [];
  const log: Logger = { ...silentLogger(), warn: (m) => warnings.push(m), info: (m) => infos.push(m) };
  const config = resolveConfig({ dataDir }, {});
  return { ctx: { ...createContext(config), log }, warnings, infos };
}

/** Write a raw file of a week and region. */
export async function writeRaw(
  dataDir: string,
  week: string,
  region: string,
  data: string | Uint8Array,
): Promise<string> {
  const dir = path.join(dataDir, 'raw', week);
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, `${region}.csv`);
  await writeFile(file, data);
  return file;
}

export async function readManifest(dataDir: string, week: string): Promise<CleanManifest> {
  return JSON.parse(await readFile(path.join(dataDir, 'clean', week, 'manifest.json'), 'utf8')) as CleanManifest;
}

/** An OutputSink that keeps what is written in memory. */
export function memorySink(name = 'memory'): { sink: OutputSink; text: () => string } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk);
      done();
    },
  });
  const sink = new OutputSink(stream, name);
  return { sink, text: () => Buffer.concat(chunks).toString('utf8') };
}

const CANONICAL_ROW = new RegExp(
  String.raw`^([1-9]\d*),([1-9]\d*),([1-9]\d*),([1-9]\d*),(\d{4}-\d{2}-\d{2}),` +
    String.raw`((?:0|[1-9]\d*)\.\d{2}),(North|South|East|West)$`,
);

/** A strict check of a canonical clean row inside a week; returns its sale_id. */
export function assertCanonicalRow(row: string, weekStart: string, weekEnd: string): string {
  const m = CANONICAL_ROW.exec(row);
  if (!m) throw new Error(`not a canonical row: ${JSON.stringify(row)}`);
  const date = m[5] as string;
  if (date < weekStart || date > weekEnd) throw new Error(`date outside the week: ${row}`);
  if (m[6] === '0.00') throw new Error(`zero amount: ${row}`);
  return m[1] as string;
}

/** A line-oriented view of a CSV text: data lines after the header. */
export function dataLines(text: string): string[] {
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(1);
}
