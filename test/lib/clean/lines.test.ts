import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { LineSplitter } from '../../../src/lib/clean/lines.js';
import { MAX_LINE_CHARS, RAW_EXCERPT_CHARS } from '../../../src/lib/clean/normalize.js';

/** What a splitter hands its sink for `data` fed in chunks cut at `cuts` (byte offsets). */
function split(data: string | Buffer, cuts: number[] = []): string[] {
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  const seen: string[] = [];
  const splitter = new LineSplitter({
    line: (text, lineNo) => seen.push(`${lineNo}:${text}`),
    overlong: (cut, lineNo) => seen.push(`${lineNo}!${cut}`),
  });
  let from = 0;
  for (const cut of [...cuts].sort((a, b) => a - b)) {
    splitter.write(bytes.subarray(from, Math.max(from, cut)));
    from = Math.max(from, cut);
  }
  splitter.write(bytes.subarray(from));
  splitter.end();
  return seen;
}

describe('LineSplitter', () => {
  test('lines end at LF or CRLF; the first loses a BOM; a last line without newline counts', () => {
    assert.deepEqual(split('\ufeffa,b\r\n\r\n\ufeffc\nd\r'), ['1:a,b', '2:', '3:\ufeffc', '4:d']);
    assert.deepEqual(split('x\n'), ['1:x']);
    assert.deepEqual(split(''), []);
    // A bare CR is no line ending: the classifier sees it (and names it in a bad header).
    assert.deepEqual(split('a\rb\n'), ['1:a\rb']);
  });

  test('a line of MAX_LINE_CHARS is a line; one character more is overlong, cut, and never held', () => {
    const limit = 'x'.repeat(MAX_LINE_CHARS);
    assert.deepEqual(split(`${limit}\nok`), [`1:${limit}`, '2:ok']);
    const over = `${'y'.repeat(RAW_EXCERPT_CHARS)}${'z'.repeat(MAX_LINE_CHARS)}`;
    const cut = `2!${'y'.repeat(RAW_EXCERPT_CHARS)}… [${MAX_LINE_CHARS} more characters]`;
    assert.deepEqual(split(`a\n${over}\nb`), ['1:a', cut, '3:b']);
    // Fed a character at a time, and as the last line without newline.
    const cuts = Array.from({ length: over.length + 2 }, (_, i) => i);
    assert.deepEqual(split(`a\n${over}`, cuts), ['1:a', cut]);
  });

  test('property: how the bytes are cut into chunks, even inside a character, changes nothing', () => {
    const line = fc.array(fc.constantFrom('a', ',', '"', ' ', '\r', 'é', '€', '\u00a0', '𝄞', '\ufeff'), {
      maxLength: 12,
    });
    const text = fc
      .array(
        line.map((chars) => chars.join('')),
        { maxLength: 8 },
      )
      .map((lines) => lines.join('\n'));
    fc.assert(
      fc.property(text, fc.array(fc.nat(200), { maxLength: 6 }), (data, cuts) => {
        assert.deepEqual(split(data, cuts), split(data));
      }),
    );
  });

  test('lineNo counts the lines handed over so far', () => {
    const splitter = new LineSplitter({ line: () => undefined, overlong: () => undefined });
    splitter.write(Buffer.from('a\nb\nc'));
    assert.equal(splitter.lineNo, 2);
    splitter.end();
    assert.equal(splitter.lineNo, 3);
  });
});
