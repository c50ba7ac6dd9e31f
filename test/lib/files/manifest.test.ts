import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseWeek } from '../../../src/lib/core/calendar.js';
import { Layout } from '../../../src/lib/files/layout.js';
import {
  formatCleanManifest,
  parseCleanManifest,
  readCleanManifest,
  type CleanManifest,
} from '../../../src/lib/files/manifest.js';

const W = parseWeek('2024-W20');

function manifest(): CleanManifest {
  const file = {
    region: 'north' as const,
    input: 'raw/2024-W20/north.csv',
    inputSha256: 'a'.repeat(64),
    output: 'clean/2024-W20/north.csv',
    outputSha256: 'b'.repeat(64),
    rejects: 'rejects/2024-W20/north.csv',
    read: 12,
    written: 9,
    duplicates: 2,
    rejected: 1,
    rejectReasons: { bad_amount: 1 },
  };
  return {
    week: W.id,
    weekStart: W.start,
    weekEnd: W.end,
    files: [file],
    missingRegions: ['south'],
    totals: { read: 12, written: 9, duplicates: 2, rejected: 1 },
  };
}

describe('the clean manifest', () => {
  let dir = '';
  let layout: Layout;
  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'sales-etl-manifest-'));
    layout = new Layout(dir);
    await mkdir(layout.cleanDir(W), { recursive: true });
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('reads back what formatCleanManifest wrote, unchanged', async () => {
    await writeFile(layout.manifest(W), formatCleanManifest(manifest()));
    assert.deepEqual(await readCleanManifest(layout, W), { kind: 'ok', manifest: manifest() });
  });

  test('a week without a manifest is missing, with the file error as the cause', async () => {
    const read = await readCleanManifest(layout, parseWeek('2024-W21'));
    assert.equal(read.kind, 'missing');
    assert.equal((read as { error: NodeJS.ErrnoException }).error.code, 'ENOENT');
  });

  test('a manifest of before missingRegions reads as none missing', () => {
    const { missingRegions: _, ...old } = manifest();
    assert.deepEqual(parseCleanManifest(JSON.stringify(old), W.id).missingRegions, []);
  });

  const broken: Array<[string, (m: Record<string, unknown>) => unknown, RegExp]> = [
    ['another week', (m) => ({ ...m, week: '2024-W21' }), /not the manifest of 2024-W20/],
    ['no files', (m) => ({ ...m, files: undefined }), /not the manifest of 2024-W20/],
    ['a region that is a path', (m) => ({ ...m, files: [{ region: '../x', written: 0 }] }), /unknown region "\.\.\/x"/],
    ['a negative count', (m) => ({ ...m, files: [{ region: 'north', written: -1 }] }), /bad written count for north/],
    ['no totals', (m) => ({ ...m, totals: undefined }), /bad totals/],
    ['a fractional total', (m) => ({ ...m, totals: { ...(m.totals as object), read: 1.5 } }), /bad totals/],
    ['an unknown missing region', (m) => ({ ...m, missingRegions: ['mars'] }), /unknown region "mars"/],
  ];
  for (const [what, change, message] of broken) {
    test(`refuses ${what}`, async () => {
      const text = JSON.stringify(change(manifest() as unknown as Record<string, unknown>));
      assert.throws(() => parseCleanManifest(text, W.id), message);
      await writeFile(layout.manifest(W), text);
      const read = await readCleanManifest(layout, W);
      assert.equal(read.kind, 'invalid');
      assert.match(String((read as { error: unknown }).error), message);
    });
  }

  test('refuses text that is not JSON, and JSON that is not an object', async () => {
    assert.throws(() => parseCleanManifest('{"week": "2024-W20", ', W.id), SyntaxError);
    assert.throws(() => parseCleanManifest('null', W.id), /not the manifest of 2024-W20/);
  });
});
