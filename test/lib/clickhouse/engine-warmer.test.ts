import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { assertCleanFailure, cli } from '../../helpers/faults-cli.js';
import { openClickHouse } from '../../../src/lib/clickhouse/database.js';
import { chTestContext, tempDataDir } from '../../helpers/clickhouse.js';

const helper = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'helpers', 'ch-warm.js');

/**
 * Run ch-warm to its end (killed after 60 s: a thread that kept it alive, or a hung exit). `stop`:
 * `stopAfterMs` after it says `warming`, two SIGINTs 5 ms apart, as a user's double Ctrl-C.
 */
function warm(
  dir: string,
  what: 'open' | 'never' | 'stop',
  stopAfterMs = 0,
): Promise<{ code: number | null; signal: string | null; out: string; err: string }> {
  const child = spawn(process.execPath, [helper, dir, what], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (c: Buffer) => {
    out += c.toString();
    if (what === 'stop' && out === 'warming\n') {
      setTimeout(() => {
        child.kill('SIGINT');
        setTimeout(() => child.kill('SIGINT'), 5);
      }, stopAfterMs);
    }
  });
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
  return new Promise((resolve) =>
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, out, err });
    }),
  );
}

const ENDINGS = [
  ['open', 'opened, used and closed here', 'rows some\n'],
  ['never', 'never opened (a stage before migrate-click failed)', 'cooled\n'],
] as const;

for (const [what, how, said] of ENDINGS) {
  test(`the engine warmed on a second thread, ${how}: the process ends by itself, three times`, async () => {
    const tmp = await tempDataDir(`ch-warm-${what}`);
    try {
      for (let trial = 0; trial < 3; trial++) {
        const run = await warm(tmp.dir, what);
        assert.deepEqual({ code: run.code, signal: run.signal }, { code: 0, signal: null }, `${trial}: ${run.err}`);
        assert.equal(run.out, said);
        assert.equal(run.err, '');
      }
    } finally {
      await tmp.remove();
    }
  });
}

test('a second Ctrl-C while the engine starts on its second thread: exit 130 once out of chDB, no hang', async () => {
  // The engine takes about 0.2 s to start: the signals land before, inside and after that.
  for (const ms of [0, 40, 80, 120, 160, 250]) {
    const tmp = await tempDataDir(`ch-warm-stop-${ms}`);
    try {
      const run = await warm(tmp.dir, 'stop', ms);
      assert.deepEqual({ code: run.code, signal: run.signal }, { code: 130, signal: null }, `${ms} ms: ${run.err}`);
      assert.match(run.err, /SIGINT again while stopping \(.+\): stopped at once/, `${ms} ms`);
    } finally {
      await tmp.remove();
    }
  }
});

test('run-week, embedded, while another process holds ClickHouse: one line, exit 1, no engine dump', async () => {
  const tmp = await tempDataDir('ch-warm-held');
  try {
    const made = await cli(['--data-dir', tmp.dir, 'generate', '--total', '3000', '--weeks', '2']);
    assert.equal(made.code, 0, made.stderr);
    const holder = await openClickHouse(chTestContext({ dataDir: tmp.dir }));
    try {
      const run = await cli(['--data-dir', tmp.dir, 'run-week', '--skip-generate']);
      const line = assertCleanFailure(run, 1, 'held');
      assert.match(
        line,
        new RegExp(`migrate-click failed: another sales-etl process is using .*\\(pid ${process.pid}\\)`),
      );
      assert.doesNotMatch(run.stderr, /DB::Exception|Poco|Code: \d+/);
    } finally {
      await holder.close();
    }
  } finally {
    await tmp.remove();
  }
});
