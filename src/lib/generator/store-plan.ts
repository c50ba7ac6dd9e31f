import { addWeeks, dayNumber, dateOfDay, parseWeek, previousWeek, weeksApart, type Week } from '../core/calendar.js';
import { UsageError } from '../core/errors.js';
import { writeFileAtomic, type Layout } from '../files/layout.js';
import type { Logger } from '../ui/logger.js';
import { readPlan, type PlanFlags, type StorePlan } from '../core/plan.js';
import { rngFor, STREAM } from './random.js';
import { retailDay } from './retail-calendar.js';

/**
 * The generator model a new plan is made with. Model 1 (flat noise, before
 * issue 14) is no longer generated: a plan made by it is refused with a
 * message naming `--new-plan` (docs/generator.md, "Models").
 */
export const MODEL = 2;

/** How much dirt a raw file carries, as shares of its valid rows (SPEC 4). */
export interface DirtRates {
  /** The same line written twice, byte for byte. */
  readonly exactDuplicate: number;
  /** The same sale written again with other formatting. */
  readonly reExport: number;
  /** Valid rows written in one of the accepted non-canonical forms. */
  readonly formatNoise: number;
  /** Invalid rows, on top of the valid ones. */
  readonly invalid: number;
}

/** The generator's view of `store.json`: the shared fields plus everything a week is a function of. */
export interface GeneratorPlan extends StorePlan {
  readonly version: 1;
  /** The generator model that made the plan (MODEL). */
  readonly model: typeof MODEL;
  /** When the plan was made (for people; nothing is derived from it). */
  readonly createdAt: string;
  /** Registration dates of the customers who predate the period start here. */
  readonly storeOpenedOn: string;
  /** Customers registered before the first week. */
  readonly initialCustomers: number;
  /** Customers registering in an average week (each week varies by `customerSpread`). */
  readonly weeklyNewCustomers: number;
  readonly customerSpread: number;
  /** A week's sales stay within this share around total / weeks. */
  readonly salesSpread: number;
  /** The seasonal swing of weekly totals around total / weeks, at most (inside salesSpread). */
  readonly seasonAmplitude: number;
  readonly products: number;
  readonly dirt: DirtRates;
}

/** The plan flags of `generate`; they only matter when the plan is created. */
export interface GeneratePlanFlags extends PlanFlags {
  /** Replace an existing plan (of any model) with a new one made from the flags. */
  newPlan?: boolean | undefined;
}

export const DEFAULT_SEED = 42;
export const DEFAULT_TOTAL = 1_000_000;
export const DEFAULT_WEEKS = 52;
const DEFAULT_DIRT: DirtRates = { exactDuplicate: 0.01, reExport: 0.003, formatNoise: 0.05, invalid: 0.005 };
const STORE_OPENED = '2023-01-01';
const DEFAULT_SALES_SPREAD = 0.095;
const DEFAULT_SEASON_AMPLITUDE = 0.085;

/**
 * The customer base is sized for the sales volume: 72,700 customers and 1,346
 * new ones a week at a million sales a year, in proportion otherwise (with a
 * floor), so a small test plan stays small and every plan keeps the same
 * orders-per-customer mix.
 */
function customerBase(total: number, weeks: number): { initial: number; weekly: number } {
  const scale = (total / weeks) * (52 / 1_000_000);
  return { initial: Math.max(100, Math.round(72_700 * scale)), weekly: Math.max(1, Math.round(1_346 * scale)) };
}

/** A new plan from the flags, with every default filled in. */
export function newPlan(flags: PlanFlags, now: number = Date.now()): GeneratorPlan {
  const weeks = flags.periodWeeks ?? DEFAULT_WEEKS;
  const total = flags.total ?? DEFAULT_TOTAL;
  const lastComplete = previousWeek(now);
  const start = flags.startWeek ?? addWeeks(lastComplete, -(weeks - 1));
  const end = addWeeks(start, weeks - 1);
  if (weeksApart(lastComplete, end) > 0) {
    throw new UsageError(
      `generate: a period of ${weeks} weeks from ${start.id} would end in ${end.id}, ` +
        `after the last complete week ${lastComplete.id}`,
    );
  }
  // The store predates the period by at least half a year.
  const startDay = dayNumber(start.start);
  const opened = Math.min(dayNumber(STORE_OPENED), startDay - 182);
  const base = customerBase(total, weeks);
  return {
    version: 1,
    model: MODEL,
    seed: flags.seed ?? DEFAULT_SEED,
    total,
    startWeek: start.id,
    weeks,
    simulateOutage: flags.simulateOutage ?? false,
    createdAt: new Date(now).toISOString(),
    storeOpenedOn: dateOfDay(opened),
    initialCustomers: base.initial,
    weeklyNewCustomers: base.weekly,
    customerSpread: 0.1,
    salesSpread: DEFAULT_SALES_SPREAD,
    seasonAmplitude: DEFAULT_SEASON_AMPLITUDE,
    products: 1000,
    dirt: DEFAULT_DIRT,
  };
}

function check(condition: boolean, what: string): void {
  if (!condition) throw new Error(what);
}

const isRate = (x: unknown) => typeof x === 'number' && x >= 0 && x <= 1;

/** A plan read from disk, checked, with generator fields a hand-written plan left out filled in. */
export function completePlan(stored: StorePlan): GeneratorPlan {
  const total = stored.total;
  check(Number.isSafeInteger(total) && total >= 1, 'total must be a positive integer');
  check(Number.isSafeInteger(stored.seed) && stored.seed >= 0, 'seed must be a non-negative integer');
  const start = parseWeek(stored.startWeek);
  const base = customerBase(total, stored.weeks);
  const raw = stored as Partial<GeneratorPlan>;
  const dirt = { ...DEFAULT_DIRT, ...(raw.dirt ?? {}) };
  for (const [k, v] of Object.entries(dirt)) check(isRate(v), `dirt.${k} must be a rate from 0 to 1`);
  check(raw.model === MODEL, `model must be ${MODEL}`);
  const plan: GeneratorPlan = {
    ...stored,
    version: 1,
    model: MODEL,
    simulateOutage: stored.simulateOutage === true,
    createdAt: typeof raw.createdAt === 'string' ? raw.createdAt : '',
    storeOpenedOn: raw.storeOpenedOn ?? dateOfDay(Math.min(dayNumber(STORE_OPENED), dayNumber(start.start) - 182)),
    initialCustomers: raw.initialCustomers ?? base.initial,
    weeklyNewCustomers: raw.weeklyNewCustomers ?? base.weekly,
    customerSpread: raw.customerSpread ?? 0.1,
    salesSpread: raw.salesSpread ?? DEFAULT_SALES_SPREAD,
    seasonAmplitude: raw.seasonAmplitude ?? DEFAULT_SEASON_AMPLITUDE,
    products: raw.products ?? 1000,
    dirt,
  };
  check(dayNumber(plan.storeOpenedOn) < dayNumber(start.start), 'storeOpenedOn must be before the first week');
  check(Number.isSafeInteger(plan.initialCustomers) && plan.initialCustomers >= 1, 'initialCustomers must be positive');
  check(
    Number.isSafeInteger(plan.weeklyNewCustomers) && plan.weeklyNewCustomers >= 0,
    'weeklyNewCustomers must be >= 0',
  );
  check(Number.isSafeInteger(plan.products) && plan.products >= 1, 'products must be positive');
  check(isRate(plan.customerSpread) && isRate(plan.salesSpread), 'spreads must be rates from 0 to 1');
  check(
    isRate(plan.seasonAmplitude) && plan.seasonAmplitude <= plan.salesSpread,
    'seasonAmplitude must be a rate no larger than salesSpread',
  );
  return plan;
}

/**
 * The plan of the data directory: read it, or make a new one from the flags
 * (not yet written: `savePlan` does that once the caller has checked its
 * request against it). Plan flags that disagree with an existing plan are
 * ignored with a warning, since the plan is what keeps every week reproducible.
 */
export async function openPlan(
  layout: Layout,
  flags: GeneratePlanFlags,
  log: Logger,
  now: number = Date.now(),
): Promise<{ plan: GeneratorPlan; created: boolean }> {
  const stored = await readPlan(layout);
  if (!stored || flags.newPlan) return { plan: newPlan(flags, now), created: true };
  const model = typeof stored.model === 'number' ? stored.model : 1;
  if (model !== MODEL) {
    throw new UsageError(
      `generate: ${layout.relative(layout.store)} was made by generator model ${String(model)}, which this version ` +
        `no longer generates; run \`sales-etl generate --new-plan\` to replace it with a model ${MODEL} plan`,
    );
  }
  let plan: GeneratorPlan;
  try {
    plan = completePlan(stored);
  } catch (error) {
    throw new Error(`${layout.store} is not a valid plan`, { cause: error });
  }
  const given: Array<[string, unknown, unknown]> = [
    ['--seed', flags.seed, plan.seed],
    ['--total', flags.total, plan.total],
    ['--start-week', flags.startWeek?.id, plan.startWeek],
    ['--weeks', flags.periodWeeks, plan.weeks],
    ['--simulate-outage', flags.simulateOutage, plan.simulateOutage],
  ];
  for (const [flag, value, planned] of given) {
    if (value !== undefined && value !== planned) {
      log.warn(
        `${flag} ${String(value)} ignored: the existing plan ${layout.relative(layout.store)} has ${String(planned)}`,
      );
    }
  }
  return { plan, created: false };
}

/** Write a new plan to `store.json`. */
export async function savePlan(layout: Layout, plan: GeneratorPlan, log: Logger): Promise<void> {
  await writeFileAtomic(layout.store, `${JSON.stringify(plan, null, 2)}\n`);
  log.info(
    `created the plan ${layout.relative(layout.store)}: ` +
      `${plan.total.toLocaleString('en-US')} sales over ${plan.weeks} weeks ` +
      `from ${plan.startWeek}, seed ${plan.seed}${plan.simulateOutage ? ', with the outage of weeks 20-23' : ''}`,
  );
}

/**
 * The plan's calendar: how many sales each week has, where its sale ids
 * start, and how many customers have registered by then. Pure functions of
 * the plan, computed on demand.
 */
export class Schedule {
  readonly plan: GeneratorPlan;
  readonly firstWeek: Week;
  readonly firstDay: number;
  readonly openedDay: number;
  private readonly periodCounts: number[];
  private readonly season: WeeklySeason;
  /** salesBefore[i]: valid sales in the weeks before week i. */
  private readonly salesBeforeCache: number[] = [0];
  /** customersBefore[i]: customers registered before week i starts. */
  private readonly customersBeforeCache: number[];

  constructor(plan: GeneratorPlan) {
    this.plan = plan;
    this.firstWeek = parseWeek(plan.startWeek);
    this.firstDay = dayNumber(this.firstWeek.start);
    this.openedDay = dayNumber(plan.storeOpenedOn);
    this.season = new WeeklySeason(plan);
    this.periodCounts = periodSalesCounts(plan);
    this.customersBeforeCache = [plan.initialCustomers];
  }

  /** The week's index from the start of the period (0 = the first week). */
  indexOf(week: Week): number {
    return weeksApart(this.firstWeek, week);
  }

  week(index: number): Week {
    return addWeeks(this.firstWeek, index);
  }

  /** Valid sales in week `index`; after the period, the same rate and season. */
  salesCount(index: number): number {
    if (index < this.plan.weeks) return this.periodCounts[index] as number;
    const mean = this.plan.total / this.plan.weeks;
    const rng = rngFor(this.plan.seed, STREAM.weekCounts, index);
    return Math.max(0, Math.round(mean * this.season.factor(index) * (1 + WEEK_NOISE * (2 * rng() - 1))));
  }

  /** Valid sales in the weeks before week `index`; sale ids of week `index` start after them. */
  salesBefore(index: number): number {
    const cache = this.salesBeforeCache;
    while (cache.length <= index) cache.push((cache[cache.length - 1] as number) + this.salesCount(cache.length - 1));
    return cache[index] as number;
  }

  /** Customers registering during week `index`. */
  newCustomers(index: number): number {
    const rng = rngFor(this.plan.seed, STREAM.newCustomers, index);
    const n = this.plan.weeklyNewCustomers * (1 + this.plan.customerSpread * (2 * rng() - 1));
    return Math.max(0, Math.round(n));
  }

  /** Customers registered before week `index` starts (ids 1 to this number). */
  customersBefore(index: number): number {
    const cache = this.customersBeforeCache;
    while (cache.length <= index) {
      cache.push((cache[cache.length - 1] as number) + this.newCustomers(cache.length - 1));
    }
    return cache[index] as number;
  }

  /**
   * The registration day (day number) of a customer, given the uniform draw
   * `u` of its own stream. Days never decrease with the id: customers before
   * the period spread from the opening day with a growing rate, those of a
   * week spread over its seven days.
   */
  registrationDay(id: number, u: number): number {
    const initial = this.plan.initialCustomers;
    if (id <= initial) {
      const span = this.firstDay - this.openedDay;
      return this.openedDay + Math.floor(span * Math.sqrt((id - 1 + u) / initial));
    }
    let lo = 0;
    let hi = 1;
    while (this.customersBefore(hi) < id) hi *= 2;
    // The week j with customersBefore(j) < id <= customersBefore(j + 1).
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.customersBefore(mid + 1) < id) lo = mid + 1;
      else hi = mid;
    }
    const k = id - this.customersBefore(lo) - 1;
    const n = this.newCustomers(lo);
    return this.firstDay + 7 * lo + Math.floor((7 * (k + u)) / n);
  }
}

/** Week-to-week noise on top of the season, as a share of the mean. */
const WEEK_NOISE = 0.01;

/** The fields of a plan the weekly totals depend on. */
export type WeeklyPlan = Pick<
  GeneratorPlan,
  'seed' | 'total' | 'weeks' | 'startWeek' | 'salesSpread' | 'seasonAmplitude'
>;

/**
 * The season of weekly totals: each week's mean retail level (retail-calendar.ts,
 * holiday dips in, peaks out), relative to the period's mean, scaled so that
 * the widest swing of a whole year from the period's start is
 * `seasonAmplitude` (so a short period keeps the year's proportions instead
 * of stretching its own small differences). Weeks after the period use the
 * same scale; every factor is clamped to the amplitude.
 */
export class WeeklySeason {
  private readonly firstDay: number;
  private readonly mean: number;
  private readonly scale: number;

  constructor(private readonly plan: WeeklyPlan) {
    this.firstDay = dayNumber(parseWeek(plan.startWeek).start);
    const mean = (levels: number[]) => levels.reduce((a, b) => a + b, 0) / levels.length;
    this.mean = mean(Array.from({ length: plan.weeks }, (_, i) => this.level(i)));
    const year = Array.from({ length: 52 }, (_, i) => this.level(i));
    const yearMean = mean(year);
    const widest = Math.max(...year.map((l) => Math.abs(l / yearMean - 1)));
    this.scale = widest > 0 ? plan.seasonAmplitude / widest : 0;
  }

  private level(index: number): number {
    let sum = 0;
    for (let d = 0; d < 7; d++) sum += retailDay(this.firstDay + 7 * index + d).level;
    return sum / 7;
  }

  /** The week's total relative to total / weeks, before noise. */
  factor(index: number): number {
    const swing = (this.level(index) / this.mean - 1) * this.scale;
    const a = this.plan.seasonAmplitude;
    return 1 + Math.min(a, Math.max(-a, swing));
  }
}

/**
 * The period's weekly sales counts: each week the season's share of
 * total / weeks with ±1% noise, then nudged, week by week in a seeded order,
 * until they add up to exactly the total, never leaving ±salesSpread. The
 * last week thus takes the remainder and stays in the band like the others,
 * for every seed. (For a total too small for the band, the band widens to the
 * nearest integers.)
 */
export function periodSalesCounts(plan: WeeklyPlan): number[] {
  const { total, weeks, salesSpread } = plan;
  const mean = total / weeks;
  const lo = Math.min(Math.ceil(mean * (1 - salesSpread)), Math.floor(mean));
  const hi = Math.max(Math.floor(mean * (1 + salesSpread)), Math.ceil(mean));
  const season = new WeeklySeason(plan);
  const rng = rngFor(plan.seed, STREAM.weekCounts);
  const counts = Array.from({ length: weeks }, (_, i) =>
    Math.min(hi, Math.max(lo, Math.round(mean * season.factor(i) * (1 + WEEK_NOISE * (2 * rng() - 1))))),
  );
  const order = Array.from({ length: weeks }, (_, i) => i);
  for (let i = weeks - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  let missing = total - counts.reduce((a, b) => a + b, 0);
  while (missing !== 0) {
    const step = Math.max(1, Math.floor(Math.abs(missing) / weeks));
    for (const i of order) {
      if (missing === 0) break;
      const c = counts[i] as number;
      const next = missing > 0 ? Math.min(hi, c + Math.min(step, missing)) : Math.max(lo, c - Math.min(step, -missing));
      counts[i] = next;
      missing -= next - c;
    }
  }
  return counts;
}
