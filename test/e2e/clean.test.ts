import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { CLI, HEADER, HOSTILE_DIR, readManifest, removeDir, tempDataDir, writeRaw } from '../helpers/clean-helpers.js';

const W = '2024-W20';
const run = promisify(execFile);

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function cli(dataDir: string, ...args: string[]): Promise<Run> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CLI, '--data-dir', dataDir, ...args], {
      env: { ...process.env, NO_COLOR: '1' },
      maxBuffer: 1 << 26,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : -1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

/** Never a crash: no stack trace, and a failure is exactly one `✖` line. */
function assertNoCrash(r: Run): void {
  assert.doesNotMatch(r.stderr, /^\s+at /m, r.stderr);
  assert.doesNotMatch(r.stderr, /^(\w*Error|node:internal|file:\/\/)/m, r.stderr);
  assert.equal(r.stderr.split('\n').filter((line) => line.startsWith('✖')).length, r.code === 0 ? 0 : 1, r.stderr);
}

test(
  'clean through the CLI: noise normalised, hostile bytes rejected, ' + 'missing regions warned, --json summary',
  async () => {
    const dir = await tempDataDir('e2e');
    try {
      await writeRaw(dir, W, 'north', await readFile(path.join(HOSTILE_DIR, 'noise-forms.csv')));
      const garbage = Buffer.concat([
        Buffer.from(`${HEADER}\n`),
        Buffer.from('1001,1,1,1,2024-05-14,1.00,South\n'),
        Buffer.from([0x00, 0xff, 0x22, 0x0d, 0xfe, 0x2c, 0x00, 0x0a]),
        Buffer.from(`1002,1,1,1,2024-05-14,"${'z'.repeat(2 ** 20)}",South\n`),
        Buffer.from('1003,1,1,1,2024-05-14,"1,00,South\n'),
      ]);
      await writeRaw(dir, W, 'south', garbage);
      const r = await cli(dir, '--json', 'clean', '--week', W, '--max-reject-rate', '0.8');
      assertNoCrash(r);
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(JSON.parse(r.stdout), {
        ok: true,
        command: 'clean',
        weeks: [
          {
            week: W,
            read: 11,
            written: 7,
            duplicates: 0,
            rejected: 4,
            missingRegions: ['east', 'west'],
            manifest: `clean/${W}/manifest.json`,
          },
        ],
      });
      assert.match(
        r.stderr,
        /warn +2024-W20: no raw file for region east \(raw\/2024-W20\/east\.csv\); cleaning the week without it/,
      );
      assert.match(r.stderr, /info +2024-W20: 7 written, 0 duplicates, 4 rejected, missing east, west\n/);
      assert.equal(
        await readFile(path.join(dir, 'clean', W, 'north.csv'), 'utf8'),
        await readFile(path.join(HOSTILE_DIR, 'noise-forms.expected.csv'), 'utf8'),
      );
      const south = (await readManifest(dir, W)).files[1];
      assert.deepEqual(south?.rejectReasons, { line_too_long: 1, malformed_csv: 2 });
      const rejects = await readFile(path.join(dir, 'rejects', W, 'south.csv'), 'utf8');
      assert.ok(rejects.length < 3000, `rejects file of ${rejects.length} characters`);
      assert.ok(!rejects.includes('\0'));
    } finally {
      await removeDir(dir);
    }
  },
);

test(
  'clean through the CLI: unreadable input, the quality gate, no raw files and a bad week ' +
    'give one line and their exit code',
  async () => {
    const dir = await tempDataDir('e2e');
    try {
      const noRaw = await cli(dir, 'clean', '--week', W);
      assertNoCrash(noRaw);
      assert.equal(noRaw.code, 1, noRaw.stderr);
      assert.match(
        noRaw.stderr,
        new RegExp(
          String.raw`^✖ clean: no raw files for 2024-W20 \(raw\/2024-W20 does not exist\); ` +
            'run `sales-etl generate --week 2024-W20` first$',
          'm',
        ),
      );

      await mkdir(path.join(dir, 'raw', W, 'north.csv'), { recursive: true });
      const directory = await cli(dir, 'clean', '--week', W);
      assertNoCrash(directory);
      assert.equal(directory.code, 1, directory.stderr);
      assert.match(directory.stderr, /^✖ clean: cannot read raw\/2024-W20\/north\.csv: it is a directory$/m);
      await removeDir(path.join(dir, 'raw', W, 'north.csv'));

      await writeFile(
        path.join(dir, 'raw', W, 'west.csv'),
        Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x01, 0x02, 0x0a, 0x03]),
      );
      const binary = await cli(dir, 'clean', '--week', W);
      assertNoCrash(binary);
      assert.equal(binary.code, 1, binary.stderr);
      assert.match(
        binary.stderr,
        new RegExp(
          String.raw`^✖ clean: raw\/2024-W20\/west\.csv line 1: expected the header .* ` +
            String.raw`found binary data, not UTF-8 CSV text \(UTF-16\?\)$`,
          'm',
        ),
      );

      await writeRaw(
        dir,
        W,
        'west',
        (await readFile(path.join(HOSTILE_DIR, 'invalid-values.csv'), 'utf8')).replaceAll('North', 'West'),
      );
      const gate = await cli(dir, 'clean', '--week', '2024-05-15');
      assertNoCrash(gate);
      assert.equal(gate.code, 1, gate.stderr);
      assert.match(
        gate.stderr,
        new RegExp(
          String.raw`^✖ clean: raw\/2024-W20\/west\.csv rejected 84\.62% of its rows ` +
            String.raw`\(11 of 13: bad_quantity 3, bad_amount 2, bad_date 1\), ` +
            String.raw`above --max-reject-rate 5%; clean\/2024-W20 left as it was$`,
          'm',
        ),
      );

      const badWeek = await cli(dir, 'clean', '--week', '2024-W60');
      assert.equal(badWeek.code, 2, badWeek.stderr);
      assert.match(badWeek.stderr, /bad week "2024-W60"/);
    } finally {
      await removeDir(dir);
    }
  },
);
