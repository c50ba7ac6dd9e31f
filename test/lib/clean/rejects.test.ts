import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { RAW_EXCERPT_CHARS } from '../../../src/lib/clean/normalize.js';
import { RejectsWriter } from '../../../src/lib/clean/rejects.js';
import { memorySink } from '../../helpers/clean-helpers.js';

/** The rejects rows for these raw lines, as written. */
async function rejectsText(raws: string[]): Promise<string> {
  const out = memorySink();
  const writer = new RejectsWriter(out.sink);
  for (const [i, raw] of raws.entries()) writer.add(i + 1, 'malformed_csv', raw);
  await writer.flush();
  return out.text();
}

/** The rule the rejects file was written by before csv-stringify (RFC 4180, plus outer white space). */
function byRule(text: string): string {
  return /[",\r\n]|^\s|\s$/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

describe('RejectsWriter', () => {
  test('hostile raw lines are quoted exactly when needed, byte for byte', async () => {
    const raws = ['', 'plain', 'a,b', 'say "hi"', '"', 'cr\rin', 'lf\nin', ' lead', 'trail\t', '\u00a0nbsp', 'a\0b'];
    assert.equal(
      await rejectsText(raws),
      [
        '1,malformed_csv,',
        '2,malformed_csv,plain',
        '3,malformed_csv,"a,b"',
        '4,malformed_csv,"say ""hi"""',
        '5,malformed_csv,""""',
        '6,malformed_csv,"cr\rin"',
        '7,malformed_csv,"lf\nin"',
        '8,malformed_csv," lead"',
        '9,malformed_csv,"trail\t"',
        '10,malformed_csv,"\u00a0nbsp"',
        '11,malformed_csv,a\ufffdb',
        '',
      ].join('\n'),
    );
  });

  test('a long raw line is cut to its excerpt', async () => {
    const raw = 'x'.repeat(RAW_EXCERPT_CHARS + 41);
    const cut = `${'x'.repeat(RAW_EXCERPT_CHARS)}… [41 more characters]`;
    assert.equal(await rejectsText([raw]), `1,malformed_csv,${cut}\n`);
    const kept = 'x'.repeat(RAW_EXCERPT_CHARS + 40);
    assert.equal(await rejectsText([kept]), `1,malformed_csv,${kept}\n`);
  });

  test('property: any raw text is written as the hand-written rule wrote it', async () => {
    const char = fc.constantFrom('a', ',', '"', ' ', '\t', '\r', '\n', '\u00a0', '\u2028', '\ufeff', 'é', ';', "'");
    const raw = fc.array(char, { maxLength: 8 }).map((chars) => chars.join(''));
    await fc.assert(
      fc.asyncProperty(fc.array(raw, { maxLength: 5 }), async (raws) => {
        const expected = raws.map((raw, i) => `${i + 1},malformed_csv,${byRule(raw)}\n`).join('');
        assert.equal(await rejectsText(raws), expected);
      }),
    );
  });

  test('rows wait for flush; end hands them to the sink without flushing it', async () => {
    const out = memorySink();
    const writer = new RejectsWriter(out.sink);
    writer.add(3, 'bad_id', 'x');
    assert.equal(out.sink.pending, 0);
    writer.end();
    assert.equal(out.sink.pending, '3,bad_id,x\n'.length);
    assert.equal(out.text(), '');
  });
});
