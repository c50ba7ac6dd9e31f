import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runWeeks, type Slot, type StepOutcome, type Turn } from '../../../src/lib/pipeline/weeks.js';

/** Let every pending promise callback run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * A stage whose steps wait to be released by the test: `release(i, outcome)` ends week i's
 * current try (after its turn when the outcome is 'committed').
 */
function controlled(name: string, width: number, log: string[]) {
  const pending = new Map<number, (end: 'committed' | 'failed' | 'again') => void>();
  const beside: boolean[] = [];
  const turns: Turn[][] = [];
  const stage = {
    width,
    step: async (i: number, slot: Slot): Promise<StepOutcome<string>> => {
      log.push(`${name} start ${i}`);
      beside[i] = slot.beside;
      const end = await new Promise<'committed' | 'failed' | 'again'>((resolve) => pending.set(i, resolve));
      pending.delete(i);
      if (end === 'failed') {
        log.push(`${name} failed ${i}`);
        return { kind: 'failed', error: new Error(`${name} ${i} failed`) };
      }
      if (end === 'again') {
        log.push(`${name} again ${i}`);
        return { kind: 'again' };
      }
      const turn = await slot.turn();
      const mine = turns[i] ?? [];
      turns[i] = mine;
      mine.push(turn);
      if (turn !== 'commit') {
        log.push(`${name} rolled back ${i} (${turn})`);
        return turn === 'again' ? { kind: 'again' } : { kind: 'stopped' };
      }
      log.push(`${name} commit ${i}`);
      return { kind: 'committed', value: `${name}${i}` };
    },
  };
  const release = async (i: number, end: 'committed' | 'failed' | 'again' = 'committed') => {
    await settle();
    const resolve = pending.get(i);
    assert.ok(resolve, `${name} ${i} is running (${[...pending.keys()].join(', ')} are)`);
    resolve(end);
    await settle();
  };
  return { stage, release, running: () => [...pending.keys()].sort(), beside, turns };
}

const weeks = (n: number) => Array.from({ length: n }, (_, i) => i);

test('width 2: two weeks at once, in order; a week commits only after the week before it has', async () => {
  const log: string[] = [];
  const load = controlled('load', 2, log);
  const run = runWeeks(weeks(4), [load.stage]);
  await settle();
  assert.deepEqual(load.running(), [0, 1], 'the first two weeks start together');
  assert.deepEqual(load.beside.slice(0, 2), [true, true]);
  await load.release(1);
  assert.ok(!log.includes('load commit 1'), 'week 1 waits at its turn for week 0');
  assert.deepEqual(load.running(), [0], 'week 2 waits until week 0 is over');
  await load.release(0);
  assert.deepEqual(
    log.filter((l) => l.includes('commit')),
    ['load commit 0', 'load commit 1'],
  );
  assert.deepEqual(load.running(), [2, 3]);
  await load.release(2);
  await load.release(3);
  await run.settled;
  assert.deepEqual(
    log.filter((l) => l.includes('start')),
    ['load start 0', 'load start 1', 'load start 2', 'load start 3'],
  );
  assert.deepEqual(
    await Promise.all(run.weeks),
    weeks(4).map((i) => ({ kind: 'committed', value: `load${i}` })),
  );
});

test('a single week runs alone, and its turn is at once', async () => {
  const log: string[] = [];
  const load = controlled('load', 2, log);
  const run = runWeeks([0], [load.stage]);
  await load.release(0);
  await run.settled;
  assert.deepEqual(load.beside, [false]);
  assert.deepEqual(load.turns, [['commit']]);
});

test('a failure stops what is after it: no later week starts, and the week before still commits', async () => {
  const log: string[] = [];
  const load = controlled('load', 2, log);
  const run = runWeeks(weeks(5), [load.stage]);
  await load.release(1, 'failed'); // while week 0 is still loading
  assert.deepEqual(load.running(), [0]);
  await load.release(0);
  const outcomes = await Promise.all(run.weeks);
  await run.settled;
  assert.deepEqual(
    outcomes.map((o) => o.kind),
    ['committed', 'failed', 'stopped', 'stopped', 'stopped'],
  );
  assert.ok(log.includes('load commit 0'));
  assert.ok(!log.some((l) => /start [234]/.test(l)), 'no week after the failed one starts');
  const failed = outcomes[1] as { kind: 'failed'; error: Error };
  assert.equal(failed.error.message, 'load 1 failed');
});

test('the week beside a failed one is told to stop at its turn, and does not commit', async () => {
  const log: string[] = [];
  const load = controlled('load', 2, log);
  const run = runWeeks(weeks(3), [load.stage]);
  await load.release(1); // waits at its turn
  await load.release(0, 'failed');
  const outcomes = await Promise.all(run.weeks);
  await run.settled;
  assert.deepEqual(load.turns[1], ['stop']);
  assert.deepEqual(
    outcomes.map((o) => o.kind),
    ['failed', 'stopped', 'stopped'],
  );
  assert.ok(!log.some((l) => l.startsWith('load commit')), log.join('\n'));
});

test("'again': run again alone after the week before, the week beside too, then one week at a time", async () => {
  const log: string[] = [];
  const load = controlled('load', 2, log);
  const run = runWeeks(weeks(5), [load.stage]);
  await load.release(0);
  await load.release(1);
  assert.deepEqual(load.running(), [2, 3]);
  await load.release(2, 'again'); // met week 3 on a sale_id
  await load.release(3); // its turn says 'again': week 2 did not commit
  assert.deepEqual(load.turns[3], ['again']);
  assert.deepEqual(load.running(), [2], 'week 2 again, alone; week 4 waits');
  assert.equal(load.beside[2], false);
  await load.release(2);
  assert.deepEqual(load.running(), [3], 'then week 3, alone');
  assert.equal(load.beside[3], false);
  await load.release(3);
  assert.deepEqual(load.running(), [4], 'and the rest one at a time');
  assert.equal(load.beside[4], false);
  await load.release(4);
  await run.settled;
  assert.deepEqual(
    (await Promise.all(run.weeks)).map((o) => o.kind),
    weeks(5).map(() => 'committed'),
  );
  assert.deepEqual(
    log.filter((l) => l.includes('commit')),
    weeks(5).map((i) => `load commit ${i}`),
  );
});

test('width 1, lead 2: each stage takes the weeks in order, at most two weeks ahead of the last stage', async () => {
  const log: string[] = [];
  const a = controlled('a', 1, log);
  const b = controlled('b', 1, log);
  const run = runWeeks(weeks(4), [a.stage, b.stage], { lead: 2 });
  await settle();
  assert.deepEqual(a.running(), [0]);
  await a.release(0);
  assert.deepEqual([a.running(), b.running()], [[1], [0]], 'week 1 enters a while week 0 is in b');
  await a.release(1);
  assert.deepEqual(a.running(), [], 'week 2 waits for week 0 to leave b');
  await b.release(0);
  assert.deepEqual([a.running(), b.running()], [[2], [1]]);
  await a.release(2);
  await b.release(1);
  await a.release(3);
  await b.release(2);
  await b.release(3);
  await run.settled;
  assert.deepEqual(a.beside, [false, false, false, false]);
  for (const name of ['a', 'b']) {
    assert.deepEqual(
      log.filter((l) => l.startsWith(`${name} start`)),
      weeks(4).map((i) => `${name} start ${i}`),
    );
  }
  for (const i of weeks(4)) assert.ok(log.indexOf(`a commit ${i}`) < log.indexOf(`b start ${i}`));
  assert.deepEqual(
    await Promise.all(run.weeks),
    weeks(4).map((i) => ({ kind: 'committed', value: `b${i}` })),
  );
});

test('a failure in a later stage stops the weeks after it in every stage; the weeks before it go on', async () => {
  const log: string[] = [];
  const a = controlled('a', 1, log);
  const b = controlled('b', 1, log);
  const run = runWeeks(weeks(4), [a.stage, b.stage], { lead: 3 });
  await a.release(0);
  await a.release(1);
  // Week 0 in b, week 2 in a: week 1 fails in b after week 0.
  await b.release(0);
  await b.release(1, 'failed');
  await a.release(2);
  const outcomes = await Promise.all(run.weeks);
  await run.settled;
  assert.deepEqual(
    outcomes.map((o) => o.kind),
    ['committed', 'failed', 'stopped', 'stopped'],
  );
  assert.ok(!log.includes('b start 2'), 'week 2 does not enter b');
  assert.ok(!log.includes('a start 3'), 'week 3 does not enter a');
});

test('a failure stops only the weeks after it: an earlier week still in a stage finishes', async () => {
  const log: string[] = [];
  const a = controlled('a', 1, log);
  const b = controlled('b', 1, log);
  const run = runWeeks(weeks(3), [a.stage, b.stage], { lead: 2 });
  await a.release(0);
  await a.release(1, 'failed'); // while week 0 is in b
  await b.release(0);
  const outcomes = await Promise.all(run.weeks);
  await run.settled;
  assert.deepEqual(
    outcomes.map((o) => o.kind),
    ['committed', 'failed', 'stopped'],
  );
  assert.ok(log.includes('b commit 0'));
});

test('a step that throws has failed with that error; stop() starts nothing more', async () => {
  const boom = new Error('boom');
  const started: number[] = [];
  const thrown = runWeeks(weeks(3), [
    {
      width: 1,
      step: async (i: number): Promise<StepOutcome<void>> => {
        started.push(i);
        if (i === 1) throw boom;
        return { kind: 'committed', value: undefined };
      },
    },
  ]);
  assert.deepEqual(
    (await Promise.all(thrown.weeks)).map((o) => o.kind),
    ['committed', 'failed', 'stopped'],
  );
  assert.equal(((await thrown.weeks[1]!) as { error: unknown }).error, boom);
  assert.deepEqual(started, [0, 1]);

  const log: string[] = [];
  const a = controlled('a', 1, log);
  const run = runWeeks(weeks(3), [a.stage]);
  await settle();
  run.stop();
  await a.release(0);
  await run.settled;
  assert.deepEqual(
    (await Promise.all(run.weeks)).map((o) => o.kind),
    ['committed', 'stopped', 'stopped'],
  );
});
