import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import type { ProcessUsage } from '../../bench/usage-hook.js';

const run = promisify(execFile);
const HOOK = pathToFileURL(
  path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../bench/usage-hook.js'),
).href;

// npm run bench's peak-memory figures come from this hook: it must see memory a process touched,
// and not disturb the process it measures.
test('the bench usage hook reports the peak RSS of the process it is preloaded into', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-usage-hook-'));
  try {
    const file = path.join(dir, 'usage.json');
    const env = { ...process.env, SALES_ETL_BENCH_USAGE: file };
    // 300 MB touched then released: the peak stays, whatever the RSS is at exit.
    const big = "let b = Buffer.alloc(300e6, 1); b = null; globalThis.gc?.(); console.log('done');";
    const { stdout } = await run(process.execPath, ['--import', HOOK, '-e', big], { env });
    assert.equal(stdout, 'done\n');
    const usage = JSON.parse(await readFile(file, 'utf8')) as ProcessUsage;
    assert.ok(usage.maxRssKiB * 1024 >= 300e6, `peak ${usage.maxRssKiB} KiB`);
    assert.ok(usage.userSeconds + usage.systemSeconds > 0);

    const small = path.join(dir, 'small.json');
    await run(process.execPath, ['--import', HOOK, '-e', '0'], {
      env: { ...process.env, SALES_ETL_BENCH_USAGE: small },
    });
    const idle = JSON.parse(await readFile(small, 'utf8')) as ProcessUsage;
    assert.ok(idle.maxRssKiB * 1024 < 300e6, `an idle node process peaked at ${idle.maxRssKiB} KiB`);

    // A failing process still reports, and keeps its exit code.
    const failed = path.join(dir, 'failed.json');
    await assert.rejects(
      run(process.execPath, ['--import', HOOK, '-e', 'process.exitCode = 3'], {
        env: { ...process.env, SALES_ETL_BENCH_USAGE: failed },
      }),
      (error: { code?: number }) => error.code === 3,
    );
    assert.ok((JSON.parse(await readFile(failed, 'utf8')) as ProcessUsage).maxRssKiB > 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
