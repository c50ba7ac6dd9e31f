import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { test } from 'node:test';
import { NODE_FLAGS } from '../../../src/lib/core/node-flags.js';

test("bin/sales-etl.js's #! line runs node with NODE_FLAGS, as cron and the benchmark do", async () => {
  const bin = await readFile(new URL('../../../../bin/sales-etl.js', import.meta.url), 'utf8');
  assert.equal(bin.split('\n')[0], `#!/usr/bin/env -S node ${NODE_FLAGS.join(' ')}`);
});
