import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, type ReadStream, type WriteStream } from 'node:fs';
import { constants } from 'node:fs';
import { access, mkdir, readdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Week } from '../core/calendar.js';
import { UsageError } from '../core/errors.js';
import { checkRegion } from '../core/regions.js';
import { processAlive } from '../core/process-alive.js';

const WEEK_NAME = /^\d{4}-W\d{2}$/;

function weekDir(week: Week | string): string {
  const id = typeof week === 'string' ? week : week.id;
  if (!WEEK_NAME.test(id)) throw new UsageError(`bad week name ${JSON.stringify(id)}`);
  return id;
}

/** Whether a path exists (a dangling link does not). */
export function pathExists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
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
  /** The generator's buyer ledger where the last week generated starts (src/lib/generator/ledger-cache.ts). */
  get ledgerCache(): string {
    return path.join(this.root, 'cache', 'buyer-ledger.bin');
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

const errno = (error: unknown) => (error as NodeJS.ErrnoException | null)?.code;

/**
 * `mkdir -p` that always ends. Node's own `mkdir(dir, { recursive: true })` (Node 20) spins
 * forever when a parent exists but answers ENOENT for a child (/proc, /sys): it makes the
 * parent and retries the child without end. Here each directory is tried at most twice, and
 * an existing entry that is not a directory is ENOTDIR, as `mkdir -p` says. Directories it
 * makes are for the tool's account alone unless `mode` says otherwise.
 */
export async function makeDirectory(dir: string, mode: number = PRIVATE_DIR_MODE): Promise<void> {
  const once = async () => {
    try {
      await mkdir(dir, { mode });
      return true;
    } catch (error) {
      if (errno(error) === 'ENOENT') return false;
      if (errno(error) !== 'EEXIST') throw error;
      if ((await stat(dir)).isDirectory()) return true;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${dir}'`), { code: 'ENOTDIR', path: dir });
    }
  };
  if (await once()) return;
  const parent = path.dirname(dir);
  if (parent === dir) throw Object.assign(new Error(`ENOENT: no root directory ${dir}`), { code: 'ENOENT', path: dir });
  await makeDirectory(parent, mode);
  if (!(await once())) {
    const message = `ENOENT: ${parent} refuses new directories, mkdir '${dir}'`;
    throw Object.assign(new Error(message), { code: 'ENOENT', path: dir });
  }
}

/** The first entry on the way up to `dir` that exists but is not a directory. */
async function fileInTheWay(dir: string): Promise<string | undefined> {
  for (let current = dir; ; current = path.dirname(current)) {
    const info = await stat(current).catch(() => undefined);
    if (info) return info.isDirectory() ? undefined : current;
    if (path.dirname(current) === current) return undefined;
  }
}

const whoAmI = () => {
  try {
    return `user ${os.userInfo().username}`;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
};

/** One sentence for a data directory that cannot be made or written: the path, the reason, what to do. */
async function dataDirProblem(dir: string, error: unknown): Promise<string> {
  const code = errno(error);
  const failed = (error as NodeJS.ErrnoException).path ?? dir;
  const other = 'give --data-dir (or SALES_ETL_DATA_DIR) another directory';
  if (code === 'ENOTDIR' || code === 'EEXIST') {
    const file = (await fileInTheWay(dir)) ?? failed;
    return `the data directory ${dir} cannot be made: ${file} is a file, not a directory; move it away or ${other}`;
  }
  if (code === 'ENOENT') {
    return (
      `the data directory ${dir} cannot be made: ${path.dirname(failed)} does not hold new directories ` +
      `(a virtual file system); ${other}`
    );
  }
  if (code === 'EACCES' || code === 'EPERM') {
    const fix = `change its owner or mode, or ${other}`;
    if ((error as NodeJS.ErrnoException).syscall === 'mkdir') {
      const parent = path.dirname(failed);
      return `the data directory ${dir} cannot be made: ${whoAmI()} may not create directories in ${parent}; ${fix}`;
    }
    return `the data directory ${dir} is not writable by ${whoAmI()}; ${fix}`;
  }
  if (code === 'EROFS') return `the data directory ${dir} is on a read-only file system; ${other}`;
  return `the data directory ${dir} cannot be used (${code ?? String(error)}); ${other}`;
}

/**
 * Make the data directory (and its parents) if it is missing and check that this process may
 * write to it, before anything else touches it. A path that cannot serve is a usage error
 * (exit 2) in one sentence, not a raw EEXIST/ENOTDIR/EACCES.
 */
export async function prepareDataDir(layout: Layout): Promise<void> {
  try {
    await makeDirectory(layout.root);
    await access(layout.root, constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new UsageError(await dataDirProblem(layout.root, error));
  }
}

/**
 * For commands that only read: a data directory that is missing is an empty one, but a path
 * through a file is the same usage error `prepareDataDir` gives.
 */
export async function inspectDataDir(layout: Layout): Promise<void> {
  const error = await stat(layout.root).then(
    (info) => (info.isDirectory() ? undefined : Object.assign(new Error('not a directory'), { code: 'ENOTDIR' })),
    (error: unknown) => (errno(error) === 'ENOENT' ? undefined : error),
  );
  if (error) throw new UsageError(await dataDirProblem(layout.root, error));
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
  await makeDirectory(path.dirname(file));
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

/**
 * Open a write stream on a temporary name next to `file`. Its buffer is 256 KiB: the writers
 * (generate, clean) wait for it to drain, and what it holds is garbage only after a young-generation
 * collection, so a larger one only raises a backfill's peak memory.
 */
export async function openAtomicWriter(file: string): Promise<AtomicWriter> {
  await makeDirectory(path.dirname(file));
  const tempPath = tempName(file);
  const stream = createWriteStream(tempPath, { highWaterMark: 1 << 18, mode: PRIVATE_FILE_MODE });
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
