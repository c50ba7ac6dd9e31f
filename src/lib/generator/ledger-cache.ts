import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { writeFileAtomic, type Layout } from '../files/layout.js';
import { REGIONS } from '../core/regions.js';
import { SEGMENTS, type LedgerState, type SalesModel } from './sales.js';
import type { GeneratorPlan, Schedule } from './store-plan.js';
import { writeWeek, type WrittenWeek } from './write-week.js';

/**
 * The buyer ledger at the start of the last week generated, kept in
 * `cache/buyer-ledger.bin` so that the next process need not rebuild it. A
 * week's buyers depend on every week before it, so generating week N alone
 * derives every customer's cap and replays the buyer draws of weeks 0..N-1:
 * a quarter of a second for the last week of a year, most of a cold
 * run-week's generate. From the cache, the same week (a re-run) starts where
 * it is, and the week after it (next Tuesday's) replays one week.
 *
 * The ledger is a pure function of the plan and of the generator's code, so
 * the file is keyed by both: the plan's content, and a digest of the compiled
 * code of the generator and of what it imports from `core/`. Any change to
 * either, a file that is cut short or of another layout, and the cache is
 * not used (the ledger is built as before); it is only ever a shortcut, and
 * deleting it is always safe.
 */

const MAGIC = 'sales-etl buyer ledger 1\n';

/** The digest of the code a ledger is a function of (the compiled generator and core modules), once per process. */
let codeDigest: Promise<string> | undefined;

function digestOfCode(): Promise<string> {
  codeDigest ??= (async () => {
    const hash = createHash('sha256');
    const here = path.dirname(fileURLToPath(import.meta.url));
    for (const dir of [here, path.join(here, '..', 'core')]) {
      const names = (await readdir(dir)).filter((name) => name.endsWith('.js')).sort();
      for (const name of names) hash.update(`${name}\n`).update(await readFile(path.join(dir, name)));
    }
    return hash.digest('hex');
  })();
  return codeDigest;
}

/**
 * What a cached ledger must have been made for: this plan, by this code, on a machine of this byte
 * order. Not when the plan was made, which nothing generated depends on: equal plans, equal files.
 */
async function keyOf(plan: GeneratorPlan): Promise<string> {
  const { createdAt: _, ...content } = plan;
  return createHash('sha256')
    .update(`${await digestOfCode()}\n${endianness()}\n${JSON.stringify(content)}`)
    .digest('hex');
}

interface Header {
  key: string;
  horizon: number;
  size: number;
  added: number;
  next: number;
}

/** The file's layout after its header: each array's length in elements is size + 1. */
const ARRAYS = [
  ['remaining', Int32Array],
  ['registeredDay', Int32Array],
  ['regions', Uint8Array],
  ['segments', Uint8Array],
] as const;

/**
 * The week whose starting ledger a generate of the weeks at `indices` caches: the last of them,
 * when that is the period's last week or later (what the weekly job generates); a backfill,
 * which generates week after week in one process, so writes the file once.
 */
export function ledgerCacheWeek(plan: GeneratorPlan, indices: readonly number[]): number | undefined {
  const last = indices.at(-1);
  return last !== undefined && last >= plan.weeks - 1 ? last : undefined;
}

/**
 * Write week `index` (write-week.ts) and, when `cache`, the ledger where it starts: taken before the
 * week is drawn, saved once it is written. Only a shortcut for the next process: a failure to save
 * goes to `uncached` and never fails the week. Both of generate's threads write their weeks so.
 */
export async function writeWeekCachingLedger(
  model: SalesModel,
  layout: Layout,
  index: number,
  cache: boolean,
  uncached: (error: unknown) => void,
): Promise<WrittenWeek> {
  const ledger = cache ? model.ledgerStateAt(index) : undefined;
  const written = await writeWeek(model, layout, index);
  if (ledger) await saveLedgerState(layout, model.plan, ledger).catch(uncached);
  return written;
}

/** Cache `state` (a ledger of `plan`, `SalesModel.ledgerStateAt`) for the next process. */
export async function saveLedgerState(layout: Layout, plan: GeneratorPlan, state: LedgerState): Promise<void> {
  const { horizon, size, added, next } = state;
  const header: Header = { key: await keyOf(plan), horizon, size, added, next };
  const head = Buffer.from(`${MAGIC}${JSON.stringify(header)}\n`);
  // Each array starts at a multiple of its element size: the header is padded to 4 bytes.
  const pad = Buffer.alloc((4 - (head.length % 4)) % 4, 0x20);
  const arrays = ARRAYS.map(([name]) =>
    Buffer.from(state[name].buffer, state[name].byteOffset, state[name].byteLength),
  );
  await writeFileAtomic(layout.ledgerCache, Buffer.concat([head, pad, ...arrays]));
}

/**
 * The cached ledger state, if the cache holds one of this plan and code from which week `first`
 * can be reached (its `next` at most `first`); otherwise undefined, whatever is wrong with the file.
 */
export async function loadLedgerStart(
  layout: Layout,
  plan: GeneratorPlan,
  schedule: Schedule,
  first: number,
): Promise<LedgerState | undefined> {
  let bytes: Buffer;
  try {
    bytes = await readFile(layout.ledgerCache);
  } catch {
    return undefined;
  }
  const end = bytes.indexOf(0x0a, MAGIC.length);
  if (end < 0 || bytes.toString('utf8', 0, MAGIC.length) !== MAGIC) return undefined;
  let header: Header;
  try {
    header = JSON.parse(bytes.toString('utf8', MAGIC.length, end)) as Header;
  } catch {
    return undefined;
  }
  const { horizon, size, added, next } = header;
  const whole = [horizon, size, added, next].every((n) => Number.isSafeInteger(n) && n >= 0);
  if (!whole || header.key !== (await keyOf(plan)) || next > first) return undefined;
  if (size !== schedule.customersBefore(horizon + 1) || added > size || next > horizon + 1) return undefined;
  let offset = end + 1 + ((4 - ((end + 1) % 4)) % 4);
  const length = ARRAYS.reduce((n, [, type]) => n + type.BYTES_PER_ELEMENT * (size + 1), 0);
  if (bytes.length !== offset + length) return undefined;
  const arrays = ARRAYS.map(([, type]) => {
    const array = new type(size + 1);
    // Copied: the file's buffer need not be aligned for an Int32Array.
    new Uint8Array(array.buffer).set(bytes.subarray(offset, offset + array.byteLength));
    offset += array.byteLength;
    return array;
  });
  const [remaining, registeredDay, regions, segments] = arrays as [Int32Array, Int32Array, Uint8Array, Uint8Array];
  // Weights the ledger's tree can hold, and groups that exist: a file of the right length can still be garbage.
  for (let id = 1; id <= size; id++) {
    if (
      (remaining[id] as number) < 0 ||
      (segments[id] as number) >= SEGMENTS ||
      (regions[id] as number) >= REGIONS.length
    ) {
      return undefined;
    }
  }
  return { horizon, size, added, next, remaining, registeredDay, regions, segments };
}
