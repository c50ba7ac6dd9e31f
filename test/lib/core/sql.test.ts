import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  loadSql,
  migrationNames,
  oneStatement,
  quoteIdentifier,
  SQL_DIR,
  sqlError,
  withNames,
} from '../../../src/lib/core/sql.js';

describe('oneStatement', () => {
  it('keeps the one statement of a file, without its comments and final semicolon', () => {
    assert.equal(
      oneStatement('a.sql', '-- a comment; with a semicolon\nCREATE DATABASE IF NOT EXISTS x;\n'),
      'CREATE DATABASE IF NOT EXISTS x',
    );
    assert.equal(
      oneStatement(
        'b.sql',
        "/* block; comment */ CREATE TABLE x.t (s String DEFAULT 'a;b', q String DEFAULT 'it''s; fine') " +
          'ENGINE = Memory;',
      ),
      "CREATE TABLE x.t (s String DEFAULT 'a;b', q String DEFAULT 'it''s; fine') ENGINE = Memory",
    );
    const trailing = 'SELECT "odd;name" FROM x.t -- trailing; comment\n;\n';
    assert.equal(oneStatement('c.sql', trailing), 'SELECT "odd;name" FROM x.t');
    assert.equal(oneStatement('d.sql', 'SELECT 1\n-- no semicolon\n'), 'SELECT 1');
  });

  it('refuses a file with two statements, or none, naming it', () => {
    assert.throws(() => oneStatement('sql/clickhouse/two.sql', 'SELECT 1;\nSELECT 2;\n'), {
      message: 'sql/clickhouse/two.sql: 2 statements, not one',
    });
    assert.throws(() => oneStatement('sql/clickhouse/none.sql', '-- nothing but a comment\n;;\n'), {
      message: 'sql/clickhouse/none.sql: 0 statements, not one',
    });
  });
});

describe('the sql folder', () => {
  it('holds one statement in every ClickHouse file, and every name it asks for is a word', async () => {
    const names = (await readdir(path.join(SQL_DIR, 'clickhouse'))).filter((n) => n.endsWith('.sql'));
    assert.ok(names.length >= 20);
    for (const name of names) {
      const file = await loadSql('clickhouse', name);
      assert.equal(file.name, `sql/clickhouse/${name}`);
      assert.ok(!/\{\{(?!\w+\}\})/.test(file.text), `${name}: a {{ that is not a {{name}}`);
    }
  });

  it('lists the numbered files of each dialect in order', async () => {
    assert.deepEqual(await migrationNames('pg'), [
      '001_tables.sql',
      '002_sales_region_weeks.sql',
      '003_week_daily_buyers.sql',
    ]);
    const ddl = await migrationNames('clickhouse');
    assert.equal(ddl[0], '001_database.sql');
    assert.deepEqual([...ddl].sort(), ddl);
    assert.ok(ddl.every((n) => /^\d{3}_/.test(n)));
  });

  it('gives a PostgreSQL file as it is, once read, and names a missing file', async () => {
    const file = await loadSql('pg', '001_tables.sql');
    assert.equal(file.text, await readFile(path.join(SQL_DIR, 'pg', '001_tables.sql'), 'utf8'));
    assert.equal(await loadSql('pg', '001_tables.sql'), file);
    await assert.rejects(loadSql('pg', 'no-such.sql'), { message: 'cannot read sql/pg/no-such.sql' });
  });
});

describe('quoteIdentifier', () => {
  it('quotes each part of a qualified name, doubling a double quote', () => {
    assert.equal(quoteIdentifier('sales_etl.sales_agg__stage_20240513'), '"sales_etl"."sales_agg__stage_20240513"');
    assert.equal(quoteIdentifier('a"b'), '"a""b"');
  });

  it('refuses what the two servers would read differently, or an empty part', () => {
    for (const name of ['a\\b', 'a\0b', '', 'sales_etl.', '.t']) {
      assert.throws(() => quoteIdentifier(name), /cannot quote/);
    }
  });
});

describe('withNames', () => {
  const text = 'ALTER TABLE {{table}} REPLACE PARTITION {week:Date} FROM {{source}}';
  const file = { name: 'sql/clickhouse/x.sql', text };

  it('fills each {{name}} through quoteIdentifier and leaves bound values alone', () => {
    assert.deepEqual(withNames(file, { table: 'sales_etl.t', source: 'sales_etl.t__ready' }), {
      name: 'sql/clickhouse/x.sql',
      text: 'ALTER TABLE "sales_etl"."t" REPLACE PARTITION {week:Date} FROM "sales_etl"."t__ready"',
    });
  });

  it('joins a list of names, and a list of pairs as RENAME takes them', () => {
    const drop = { name: 'd.sql', text: 'DROP TABLE IF EXISTS {{tables}} SYNC' };
    assert.equal(withNames(drop, { tables: ['a.b', 'a.c'] }).text, 'DROP TABLE IF EXISTS "a"."b", "a"."c" SYNC');
    const rename = { name: 'r.sql', text: 'RENAME TABLE {{renames}}' };
    const renames = [
      ['a.s1', 'a.r1'],
      ['a.s2', 'a.r2'],
    ] as const;
    assert.equal(withNames(rename, { renames }).text, 'RENAME TABLE "a"."s1" TO "a"."r1", "a"."s2" TO "a"."r2"');
  });

  it('refuses a name missing, a name unused, an empty list, and a name it cannot quote', () => {
    assert.throws(() => withNames(file, { table: 't' }), {
      message: 'sql/clickhouse/x.sql: no name given for {{source}}',
    });
    assert.throws(() => withNames(file, { table: 't', source: 's', other: 'o' }), {
      message: 'sql/clickhouse/x.sql: no {{other}} to fill in',
    });
    const drop = { name: 'd.sql', text: 'DROP TABLE {{t}}' };
    assert.throws(() => withNames(drop, { t: [] }), /an empty list for \{\{t\}\}/);
    assert.throws(() => withNames(file, { table: 't', source: 's\\' }), /cannot quote/);
  });
});

describe('sqlError', () => {
  it('names the file, and the line of the position the server gave', () => {
    const file = { name: 'sql/pg/broken.sql', text: '-- a comment\nSELECT 1\n  FROM no_such_table' };
    const cause = Object.assign(new Error('relation "no_such_table" does not exist'), { position: '25' });
    const error = sqlError(file, cause);
    assert.equal(error.message, 'sql/pg/broken.sql:3 failed');
    assert.equal(error.cause, cause);
    assert.equal(sqlError(file, new Error('no position')).message, 'sql/pg/broken.sql failed');
  });
});
