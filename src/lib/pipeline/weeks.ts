/**
 * Running weeks concurrently: the one mechanism load-pg and backfill share.
 *
 * A run is a list of weeks and a list of stages; each stage has a step that
 * does one week's work in it. The guarantees, for every stage:
 *
 * - The stage takes the weeks in order: a week's step starts after the
 *   previous week's step in the stage has started, and after the same week's
 *   step in the stage before has committed.
 * - At most `width` weeks are in a stage at once: a week enters once the week
 *   `width` before it is over there. With `lead`, a week also waits until the
 *   week `lead` before it is over in the next stage (backfill: never more than
 *   two weeks ahead of the one being published).
 * - A week commits only after the week before it has committed: a step asks
 *   `slot.turn()` just before it commits, which waits for the week before and
 *   says `commit`, `again` (that week is run again: roll back, this one is
 *   run again too) or `stop` (that week failed: roll back). With width 1 the
 *   week before is over when a week starts, so its turn is at once.
 * - A step that ends `again` (it met the week beside it, or its turn said so)
 *   is run once more alone, after the week before it is over; from then on
 *   the stage takes one week at a time.
 * - A failure stops everything after it: once a week fails in any stage, no
 *   later week starts another step (those running finish, and their turn says
 *   `stop`), while the weeks before it go on to the end. What committed stays.
 *
 * Outcomes are values: a step never needs to throw to roll back, and a step
 * that throws anyway has failed with that error.
 */

/** What a week learns at its turn to commit: what the week before it did. */
export type Turn = 'commit' | 'again' | 'stop';

/** A week's place in a stage, handed to its step. */
export interface Slot {
  /** Whether another week runs beside this one in the stage (their work may meet). */
  readonly beside: boolean;
  /** Wait for the week before: `commit` now, or roll back (`again`, `stop`). */
  turn(): Promise<Turn>;
}

/** How a week ended (in a stage, or in the run). */
export type WeekOutcome<T> =
  | { kind: 'committed'; value: T }
  | { kind: 'failed'; error: unknown }
  /** Not run, or rolled back, because a week before it failed or the run was stopped. */
  | { kind: 'stopped' };

/** How one step ended: as a week does, or rolled back to be run again alone. */
export type StepOutcome<T> = WeekOutcome<T> | { kind: 'again' };

/** One stage of a run. */
export interface WeekStage<W, T> {
  /** How many weeks the stage works on at once (1: one after another). */
  readonly width: number;
  step(week: W, slot: Slot): Promise<StepOutcome<T>>;
}

/** A run in progress. */
export interface WeeksRun<T> {
  /** Each week's outcome, in week order: that of its last stage, or of the first that did not commit. */
  readonly weeks: readonly Promise<WeekOutcome<T>>[];
  /** Resolves once no step runs any more. */
  readonly settled: Promise<void>;
  /** Start no further step; those running finish. */
  stop(): void;
}

/** A stage's end for one week, and whether the week had to be run again there. */
interface End<T> {
  outcome: WeekOutcome<T>;
  ranAgain: boolean;
}

interface Cell<T> {
  /** The first try's outcome: what the turn of a week beside it waits for. */
  first: Deferred<StepOutcome<T>>;
  end: Deferred<End<T>>;
}

/** Run `stages` over `weeks` with the guarantees above. */
export function runWeeks<W, T>(
  weeks: readonly W[],
  stages: readonly WeekStage<W, T>[],
  options: { lead?: number } = {},
): WeeksRun<T> {
  const run = new Run(weeks, stages, options.lead);
  const loops = stages.map((_, s) => run.stageLoop(s));
  return {
    weeks: weeks.map((_, i) => run.weekOutcome(i)),
    settled: Promise.all(loops).then(() => undefined),
    stop: () => run.stopAfter(-1),
  };
}

class Run<W, T> {
  private readonly cells: Cell<T>[][];
  /** Weeks after this index start nothing more. */
  private stopLine = Number.POSITIVE_INFINITY;

  constructor(
    private readonly weeks: readonly W[],
    private readonly stages: readonly WeekStage<W, T>[],
    private readonly lead = Number.POSITIVE_INFINITY,
  ) {
    this.cells = stages.map(() => weeks.map(() => ({ first: deferred(), end: deferred() })));
  }

  stopAfter(index: number): void {
    this.stopLine = Math.min(this.stopLine, index);
  }

  async weekOutcome(i: number): Promise<WeekOutcome<T>> {
    let last: WeekOutcome<T> = { kind: 'stopped' };
    for (const row of this.cells) {
      last = (await row[i]!.end.promise).outcome;
      if (last.kind !== 'committed') return last;
    }
    return last;
  }

  /** Stage `s` takes the weeks in order; each enters once what it waits for is over. */
  async stageLoop(s: number): Promise<void> {
    const row = this.cells[s]!;
    let width = this.weeks.length > 1 ? this.stages[s]!.width : 1;
    const running: Promise<void>[] = [];
    for (const [i, week] of this.weeks.entries()) {
      const upstream = await this.cells[s - 1]?.[i]?.end.promise;
      await this.cells[s + 1]?.[i - this.lead]?.end.promise;
      if (width > 1 && (await row[i - width]?.end.promise)?.ranAgain) width = 1;
      if (width === 1) await row[i - 1]?.end.promise;
      const cell = row[i]!;
      if (i > this.stopLine || (upstream && upstream.outcome.kind !== 'committed')) {
        cell.first.resolve({ kind: 'stopped' });
        cell.end.resolve({ outcome: { kind: 'stopped' }, ranAgain: false });
        continue;
      }
      // `first` is settled already unless the cell broke before its first try ended.
      const end = (result: End<T>) => {
        cell.first.resolve(result.outcome);
        cell.end.resolve(result);
      };
      const broke = (error: unknown) => end(this.ended(i, { kind: 'failed', error }, false));
      running.push(this.runCell(s, i, week, width > 1).then(end, broke));
    }
    await Promise.all(running);
  }

  /** One week in one stage: a first try, and one more alone if it ended `again`. */
  private async runCell(s: number, i: number, week: W, beside: boolean): Promise<End<T>> {
    const stage = this.stages[s]!;
    const before = this.cells[s]![i - 1];
    const turn = async (): Promise<Turn> => {
      if (!before) return 'commit';
      const first = await (beside ? before.first.promise : before.end.promise.then((e) => e.outcome));
      return first.kind === 'committed' ? 'commit' : first.kind === 'again' ? 'again' : 'stop';
    };
    const first = await tryStep(stage, week, { beside, turn });
    this.cells[s]![i]!.first.resolve(first);
    if (first.kind !== 'again') return this.ended(i, first, false);
    const previous = await before?.end.promise;
    if ((previous && previous.outcome.kind !== 'committed') || i > this.stopLine) {
      return this.ended(i, { kind: 'stopped' }, true);
    }
    const alone = await tryStep(stage, week, { beside: false, turn: async () => 'commit' });
    if (alone.kind !== 'again') return this.ended(i, alone, true);
    return this.ended(i, { kind: 'failed', error: new Error('a step run alone asked to be run again') }, true);
  }

  private ended(i: number, outcome: WeekOutcome<T>, ranAgain: boolean): End<T> {
    if (outcome.kind === 'failed') this.stopAfter(i);
    return { outcome, ranAgain };
  }
}

/** The step's outcome; a step that throws has failed with that error. */
function tryStep<W, T>(stage: WeekStage<W, T>, week: W, slot: Slot): Promise<StepOutcome<T>> {
  return stage.step(week, slot).then(
    (outcome) => outcome,
    (error: unknown) => ({ kind: 'failed', error }),
  );
}

/** A promise and the function that resolves it. */
export interface Deferred<V> {
  promise: Promise<V>;
  resolve(value: V): void;
}

export function deferred<V>(): Deferred<V> {
  let resolve!: (value: V) => void;
  const promise = new Promise<V>((r) => (resolve = r));
  return { promise, resolve };
}
