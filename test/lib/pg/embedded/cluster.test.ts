import assert from 'node:assert/strict';
import { mkdir, mkdtemp, realpath, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { statusTable } from '../../../../src/commands/status.js';
import { relocatedCluster } from '../../../../src/lib/pg/embedded/cluster.js';

test('relocatedCluster: the target of a <data-dir>/pg link, nothing for a directory or no cluster', async () => {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'relocated-'));
  try {
    const elsewhere = path.join(dir, 'clusters', 'abc', 'pg');
    await mkdir(elsewhere, { recursive: true });
    await mkdir(path.join(dir, 'data', 'pg'), { recursive: true });
    await mkdir(path.join(dir, 'linked'));
    await symlink(elsewhere, path.join(dir, 'linked', 'pg'));
    assert.equal(await relocatedCluster(path.join(dir, 'linked', 'pg')), await realpath(elsewhere));
    assert.equal(await relocatedCluster(path.join(dir, 'data', 'pg')), undefined);
    assert.equal(await relocatedCluster(path.join(dir, 'none', 'pg')), undefined);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('status prints where a relocated cluster is', () => {
  const table = statusTable({
    weeks: [],
    postgres: { state: 'ok', target: 'embedded PostgreSQL (data/pg)', cluster: '/var/lib/sales-etl/clusters/ab12/pg' },
    clickhouse: { state: 'absent' },
  });
  assert.match(
    table,
    /^PostgreSQL: the embedded cluster is kept in \/var\/lib\/sales-etl\/clusters\/ab12\/pg, outside/m,
  );
  const plain = statusTable({ weeks: [], postgres: { state: 'ok' }, clickhouse: { state: 'absent' } });
  assert.doesNotMatch(plain, /kept in/);
});
