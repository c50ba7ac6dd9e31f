import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream, type WriteStream } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Week } from './calendar.js';
import { UsageError } from './errors.js';
import { processAlive } from './process-alive.js';

/** The four sales regions, in the order files are processed. */
export const REGIONS = ['north', 'south', 'east', 'west'] as const;
export type Region = (typeof REGIONS)[number];

/** The region as written inside CSV rows and tables: `North`, `South`, ... */
export const REGION_NAMES: Record<Region, string> = {
  north: 'North',
  south: 'South',
  east: 'East',
  west: 'West',
};

/** The header of every raw and clean sales file. */
export const SALES_COLUMNS = [
  'sale_id',
  'customer_id',
  'product_id',
  'quantity',
  'sale_date',
  'sale_amount',
  'region',
] as const;
export const SALES_HEADER = SALES_COLUMNS.join(',');

const WEEK_NAME = /^\d{4}-W\d{2}$/;

/** A region file name, checked: anything but the four regions is refused. */
export function checkRegion(name: string): Region {
  if ((REGIONS as readonly string[]).includes(name)) return name as Region;
  throw new UsageError(`unknown region ${JSON.stringify(name)}: expected one of ${REGIONS.join(', ')}`);
}

function weekDir(week: Week | string): string {
  const id = typeof week === 'string' ? week : week.id;
  if (!WEEK_NAME.test(id)) throw new UsageError(`bad week name ${JSON.stringify(id)}`);
  return id;
}

/** Every path under the data directory (SPEC 3). Week and region names are validated first. */
export class Layout {
  readonly root: string;
  constructor(dataDir: string) {
    if (dataDir.includes('\0')) throw new UsageError('the data directory name contains a NUL byte');
    this.root = path.resolve(dataDir);
  }
  get store(): string {
    return path.join(this.root, 'store.json');
  }
  get lock(): string {
    return path.join(this.root, '.lock');
  }
  dim(name: 'customers' | 'products'): string {
    return path.join(this.root, 'dim', `${name}.csv`);
  }
  rawDir(week: Week | string): string {
    return path.join(this.root, 'raw', weekDir(week));
  }
  raw(week: Week | string, region: string): string {
    return path.join(this.rawDir(week), `${checkRegion(region)}.csv`);
  }
  cleanDir(week: Week | string): string {
    return path.join(this.root, 'clean', weekDir(week));
  }
  clean(week: Week | string, region: string): string {
    return path.join(this.cleanDir(week), `${checkRegion(region)}.csv`);
  }
  manifest(week: Week | string): string {
    return path.join(this.cleanDir(week), 'manifest.json');
  }
  rejectsDir(week: Week | string): string {
    return path.join(this.root, 'rejects', weekDir(week));
  }
  rejects(week: Week | string, region: string): string {
    return path.join(this.rejectsDir(week), `${checkRegion(region)}.csv`);
  }
  get pg(): string {
    return path.join(this.root, 'pg');
  }
  get clickhouse(): string {
    return path.join(this.root, 'clickhouse');
  }
  get reports(): string {
    return path.join(this.root, 'reports');
  }
  /** A path relative to the data directory, for messages and manifests. */
  relative(file: string): string {
    return path.relative(this.root, file);
  }
}

/**
 * The modes the tool creates its directories and files with: its account's
 * alone. They are asked for at creation, so the kernel takes a stricter umask
 * off them too; nothing is chmod-ed wider afterwards.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Create `dir` and any missing parents, each for the tool's account alone. */
export async function makeDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
}

function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
}

const TEMP_NAME = /^\..+\.(\d+)\.[0-9a-f]{8}\.tmp$/;

/**
 * Remove the temporary files (`tempName`) a killed run left in a directory:
 * those of processes that are gone. A missing directory has none.
 */
export async function removeStaleTemps(dir: string): Promise<void> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const pid = Number(TEMP_NAME.exec(name)?.[1]);
    if (pid && pid !== process.pid && !processAlive(pid)) await rm(path.join(dir, name), { force: true });
  }
}

/** Write a whole file under a temporary name, then rename it into place. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  await makeDir(path.dirname(file));
  const tmp = tempName(file);
  try {
    await writeFile(tmp, data, { mode: PRIVATE_FILE_MODE });
    await rename(tmp, file);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
}

/** A file being written under a temporary name; `commit` renames it into place. */
export interface AtomicWriter {
  readonly path: string;
  readonly tempPath: string;
  readonly stream: WriteStream;
  /** Flush, close and rename into place. */
  commit(): Promise<void>;
  /** Close and remove the temporary file. */
  abort(): Promise<void>;
}

/**
 * A read stream over a file of `size` bytes, in reads of up to 256 KiB but
 * no larger than the file (nor under 64 KiB): a read stream allocates its whole
 * high-water mark for every read (the last, empty one too), and dead read
 * buffers pile up until a GC, so larger reads cost memory and gain no speed.
 */
export function readFileStream(file: string, size: number): ReadStream {
  return createReadStream(file, { highWaterMark: Math.min(1 << 18, Math.max(1 << 16, size)) });
}

/** Open a write stream on a temporary name next to `file`. */
export async function openAtomicWriter(file: string): Promise<AtomicWriter> {
  await makeDir(path.dirname(file));
  const tempPath = tempName(file);
  const stream = createWriteStream(tempPath, { highWaterMark: 1 << 20, mode: PRIVATE_FILE_MODE });
  await new Promise<void>((resolve, reject) => {
    stream.once('open', () => resolve());
    stream.once('error', reject);
  });
  const closed = () =>
    new Promise<void>((resolve, reject) => {
      if (stream.closed) return resolve();
      stream.once('error', reject);
      stream.end(() => resolve());
    });
  return {
    path: file,
    tempPath,
    stream,
    async commit() {
      await closed();
      await rename(tempPath, file);
    },
    async abort() {
      stream.destroy();
      await rm(tempPath, { force: true });
    },
  };
}
