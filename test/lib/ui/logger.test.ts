import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createLogger } from '../../../src/lib/ui/logger.js';

/** A stream that keeps what is written, without ANSI colour codes. */
function collector(): { stream: NodeJS.WritableStream; text(): string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString();
      done();
    },
  });
  // biome-ignore lint/suspicious/noControlCharactersInRegex: ANSI escapes are what is removed
  return { stream, text: () => text.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '') };
}

test('cron and pipes: a task is two plain lines, started and done', async () => {
  const out = collector();
  const log = createLogger({ interactive: false, verbose: false, stream: out.stream });
  assert.equal(await log.task('load-pg 2024-W20', async () => 42), 42);
  const lines = out.text().trimEnd().split('\n');
  assert.equal(lines.length, 2);
  assert.match(lines[0]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ info {2}load-pg 2024-W20 \.\.\.$/);
  assert.match(lines[1]!, /ok {4}load-pg 2024-W20 done in \d+\.\ds$/);
});

test('a terminal: a task ends as one line behind its symbol, one inside adds none, a failure is marked', async () => {
  const out = collector();
  const log = createLogger({ interactive: true, verbose: false, stream: out.stream });
  const result = await log.task('generate 4 weeks', async (progress) => {
    progress('2024-W20 (1/4)');
    log.info('a line while it spins');
    return log.task('generate: customers', async () => 'done');
  });
  assert.equal(result, 'done');
  await assert.rejects(
    log.task('clean 2024-W21', async () => {
      throw new Error('disk full');
    }),
    /disk full/,
  );
  const lines = out.text().trimEnd().split('\n');
  assert.deepEqual(
    lines.map((l) => l.replace(/\d+\.\ds$/, 'N.Ns')),
    // (ora starts with a plain `- text` line where the stream is no terminal)
    [
      '- generate 4 weeks',
      'ℹ a line while it spins',
      '✔ generate 4 weeks N.Ns',
      '- clean 2024-W21',
      '✖ clean 2024-W21 N.Ns',
    ],
  );
});
