import assert from 'node:assert/strict';
import { copyFile, lstat, mkdir, readdir, readFile, symlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import type { CleanManifest } from '../../src/lib/files/manifest.js';
import { dataLines, HEADER, HOSTILE_DIR, removeDir, tempDataDir } from '../helpers/clean-helpers.js';
import { assertCleanFailure, assertExit, cli, type CliExit } from '../helpers/faults-cli.js';

// Every file of the hostile corpus (test/fixtures/hostile), and a few made here, through the built
// CLI's `clean` as raw/2024-W20/north.csv: exit 0 with rejects, or exit 1 with one clear line naming
// the file; never a crash, a stack trace or a hang; the manifest's accounting holds for every file.
// (test/commands/clean-hostile.test.ts checks each file's exact counts in-process.)

const W = '2024-W20';
const RAW = `raw/${W}/north.csv`;

interface Outcome {
  run: CliExit;
  dir: string;
}

/** Clean a data directory whose north.csv is put there by `place`; the caller removes `dir`. */
async function cleanWith(label: string, place: (rawNorth: string, dir: string) => Promise<void>): Promise<Outcome> {
  const dir = await tempDataDir('faults-hostile');
  await mkdir(path.join(dir, 'raw', W), { recursive: true });
  await place(path.join(dir, RAW), dir);
  // 60 s is a hang guard: a small file takes a second or two.
  const run = await cli(['--data-dir', dir, '--json', 'clean', '--week', W, '--max-reject-rate', '1'], {
    timeoutMs: 60_000,
  });
  assertExit(run, run.code === 1 ? 1 : 0, label);
  return { run, dir };
}

/** The checks every outcome must pass; returns the manifest's entry for north when the run succeeded. */
async function checkOutcome(
  label: string,
  { run, dir }: Outcome,
  week = W,
): Promise<CleanManifest['files'][number] | undefined> {
  if (run.code === 1) {
    const line = assertCleanFailure(run, 1, label);
    assert.ok(line.includes(RAW), `${label}: the error names the file: ${line}`);
    assert.deepEqual(JSON.parse(run.stdout), { ok: false, exitCode: 1, error: line.replace(/^✖ /, '') }, label);
    assert.deepEqual(
      await readdir(path.join(dir, 'clean', week)).catch(() => []),
      [],
      `${label}: no clean output for a failed week`,
    );
    return undefined;
  }
  assert.doesNotMatch(run.stdout + run.stderr, /^\s+at |node:internal/m, label);
  const summary = JSON.parse(run.stdout) as { ok: boolean };
  assert.equal(summary.ok, true, label);
  const manifest = JSON.parse(await readFile(path.join(dir, 'clean', week, 'manifest.json'), 'utf8')) as CleanManifest;
  const totals = { read: 0, written: 0, duplicates: 0, rejected: 0 };
  for (const f of manifest.files) {
    assert.equal(
      f.read,
      f.written + f.duplicates + f.rejected,
      `${label}: ${f.region} read = written + duplicates + rejected`,
    );
    assert.equal(
      Object.values(f.rejectReasons).reduce((a, b) => a + b, 0),
      f.rejected,
      `${label}: ${f.region} reject reasons add up`,
    );
    const cleanRows = dataLines(await readFile(path.join(dir, f.output), 'utf8'));
    assert.equal(cleanRows.length, f.written, `${label}: ${f.output} has the written rows`);
    const rejects = await readFile(path.join(dir, f.rejects), 'utf8');
    assert.equal(dataLines(rejects).length, f.rejected, `${label}: ${f.rejects} has a line per reject`);
    for (const k of Object.keys(totals) as (keyof typeof totals)[]) totals[k] += f[k];
  }
  assert.deepEqual(manifest.totals, totals, `${label}: totals`);
  assert.deepEqual(manifest.missingRegions, ['south', 'east', 'west'], label);
  return manifest.files.find((f) => f.region === 'north');
}

/** Run `work` over `items`, `limit` at a time (each CLI run is mostly waiting on node's start-up). */
async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  const queue = [...items];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let item = queue.shift(); item !== undefined; item = queue.shift()) await work(item);
    }),
  );
}

/** The files that cannot be read as CSV at all: the week fails with one line. Everything else is rows and rejects. */
const UNREADABLE = ['all-binary.csv', 'cr-only.csv', 'utf16.csv', 'wrong-header.csv'];

test(
  'every file of the hostile corpus through the CLI: ' + 'rejects or one clear error, never a crash or a hang',
  async () => {
    const names = (await readdir(HOSTILE_DIR)).filter((n) => n.endsWith('.csv') && !n.endsWith('.expected.csv')).sort();
    assert.ok(names.length >= 20, `the corpus has ${names.length} files`);
    // The unreadable ones one run each (a failing file fails its run).
    await pool(UNREADABLE, 2, async (name) => {
      const outcome = await cleanWith(name, (target) => copyFile(path.join(HOSTILE_DIR, name), target));
      try {
        assert.equal(outcome.run.code, 1, `${name} cannot be read as CSV`);
        await checkOutcome(name, outcome);
      } finally {
        await removeDir(outcome.dir);
      }
    });
    // The rest in one run, each file the north.csv of its own week from 2024-W20 on (node's start-up is most of a
    // small run): the first is inside its week, the others' rows are also date_outside_week, which is fine here.
    const readable = names.filter((n) => !UNREADABLE.includes(n));
    const weeks = readable.map((_, i) => `2024-W${String(20 + i).padStart(2, '0')}`);
    const dir = await tempDataDir('faults-hostile-batch');
    try {
      for (const [i, name] of readable.entries()) {
        await mkdir(path.join(dir, 'raw', weeks[i]!), { recursive: true });
        await copyFile(path.join(HOSTILE_DIR, name), path.join(dir, 'raw', weeks[i]!, 'north.csv'));
      }
      const run = await cli(
        ['--data-dir', dir, '--json', 'clean', '--from', weeks[0]!, '--to', weeks.at(-1)!, '--max-reject-rate', '1'],
        {
          timeoutMs: 120_000,
        },
      );
      assertExit(run, 0, 'the readable files');
      for (const [i, name] of readable.entries()) {
        const north = await checkOutcome(name, { run, dir }, weeks[i]!);
        assert.ok(north, `${name}: a manifest entry for north`);
      }
    } finally {
      await removeDir(dir);
    }
  },
);

test('a 20 MB line without a line end: as the header, one error; after a header, one rejected row', async () => {
  const huge = Buffer.alloc(20 * 2 ** 20, 'z');
  const alone = await cleanWith('huge header', (target) => writeFile(target, huge));
  try {
    assert.equal(await checkOutcome('huge header', alone), undefined);
    assert.ok(alone.run.stderr.length < 4096, `the error line is bounded: ${alone.run.stderr.length} characters`);
  } finally {
    await removeDir(alone.dir);
  }
  const after = await cleanWith('huge last line', (target) =>
    writeFile(target, Buffer.concat([Buffer.from(`${HEADER}\n1,1,1,1,2024-05-14,1.00,North\n`), huge])),
  );
  try {
    const north = await checkOutcome('huge last line', after);
    assert.deepEqual(
      [north?.read, north?.written, north?.rejected, north?.rejectReasons],
      [2, 1, 1, { line_too_long: 1 }],
    );
    assert.ok(
      (await readFile(path.join(after.dir, 'rejects', W, 'north.csv'))).length < 4096,
      'the reject keeps an excerpt',
    );
  } finally {
    await removeDir(after.dir);
  }
});

test(
  'links: a raw file linked to /etc/passwd is read and refused as not sales; ' +
    'outputs linked outside are replaced, never written through',
  async () => {
    // Decision: a raw file may be a link (deliveries are often linked in), it is only read; so a link to
    // /etc/passwd is a file with the wrong header: one error, exit 1, nothing written anywhere.
    const passwd = await cleanWith('raw link to /etc/passwd', (target) => symlink('/etc/passwd', target));
    try {
      const line = assertCleanFailure(passwd.run, 1, 'passwd');
      assert.match(line, new RegExp(`^✖ clean: ${RAW} line 1: expected the header`));
      assert.deepEqual(await readdir(path.join(passwd.dir, 'clean', W)).catch(() => []), []);
    } finally {
      await removeDir(passwd.dir);
    }

    // Outputs: clean/, rejects/ and the manifest are links to files outside the data directory.
    const outside = await tempDataDir('faults-outside');
    try {
      const victims = ['clean.csv', 'rejects.csv', 'manifest.json'].map((n) => path.join(outside, n));
      for (const v of victims) await writeFile(v, 'precious\n');
      const linked = await cleanWith('linked outputs', async (target, dir) => {
        await copyFile(path.join(HOSTILE_DIR, 'invalid-values.csv'), target);
        await mkdir(path.join(dir, 'clean', W), { recursive: true });
        await mkdir(path.join(dir, 'rejects', W), { recursive: true });
        await symlink(victims[0]!, path.join(dir, 'clean', W, 'north.csv'));
        await symlink(victims[1]!, path.join(dir, 'rejects', W, 'north.csv'));
        await symlink(victims[2]!, path.join(dir, 'clean', W, 'manifest.json'));
      });
      try {
        const north = await checkOutcome('linked outputs', linked);
        assert.equal(north?.written, 2);
        for (const v of victims)
          assert.equal(await readFile(v, 'utf8'), 'precious\n', `${v} is not written through a link`);
        for (const f of [`clean/${W}/north.csv`, `rejects/${W}/north.csv`, `clean/${W}/manifest.json`]) {
          assert.ok((await lstat(path.join(linked.dir, f))).isFile(), `${f} is now a file of the data directory`);
        }
      } finally {
        await removeDir(linked.dir);
      }
    } finally {
      await removeDir(outside);
    }
  },
);
