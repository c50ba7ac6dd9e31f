import { MOSCOW_OFFSET_MS } from '../core/calendar.js';
import { REGIONS, type Region } from '../core/regions.js';
import { ageBand, customerCore } from './customers.js';
import { AGE_PROFILES, ITEM_TYPES, regionAffinity, SEASONS, type ItemType, type QuantityKind } from './item-types.js';
import { catalogue, type Product } from './products.js';
import { OCCASIONS, retailDay, type Occasion } from './retail-calendar.js';
import { rngFor, STREAM, WeightedTable, type Rng } from './random.js';
import { Schedule, type GeneratorPlan } from './store-plan.js';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** One valid sale, before it is written out. Money in kopecks. */
export interface Sale {
  readonly saleId: number;
  readonly customerId: number;
  readonly productId: number;
  readonly quantity: number;
  /** The moment of the sale, epoch milliseconds (whole seconds). */
  readonly time: number;
  /** Its Moscow calendar day, as a day number. */
  readonly day: number;
  /** The product's list price with the promotion applied. */
  readonly unitPrice: number;
  /** The promotion, in percent off the list price (0 = none). */
  readonly discount: number;
  /** quantity × unitPrice. */
  readonly amount: number;
  readonly region: Region;
}

/** Promotions, in percent off the list price; 0 = the list price. */
export const DISCOUNTS = [0, 5, 10, 15, 20, 25, 30, 40, 50] as const;
/** How deep a promotion goes (DISCOUNTS[1..]): shallow on ordinary days, deeper on sale days. */
const DEPTH_TABLE = new WeightedTable([10, 9, 6, 6, 3, 3, 2, 1]);
const SALE_DEPTH_TABLE = new WeightedTable([2, 4, 6, 8, 7, 7, 5, 3]);

/** The list price with `discount` percent off, rounded to the kopeck (halves up). */
export function promotedPrice(listPrice: number, discount: number): number {
  return Math.round((listPrice * (100 - discount)) / 100);
}

/** Quantities from 1 by kind of item: one phone; a pack or two of shampoo; several packs of pasta. */
const QUANTITY_TABLES: Record<QuantityKind, WeightedTable> = {
  one: new WeightedTable([96, 3.5, 0.5]),
  few: new WeightedTable([72, 20, 6, 2]),
  pack: new WeightedTable([38, 20, 12, 8, 5, 7, 1.5, 2, 0.5, 4, 0.5, 1.5]),
};
/** From this list price (kopecks) up, every item is bought as one, rarely two. */
export const EXPENSIVE = 3_000_00;

/** Lines in an order, from 1: most orders are one or two things. */
const BASKET_TABLE = new WeightedTable([50, 24, 12, 7, 3.5, 2, 1, 0.5]);

/** Shopping by hour of the day: quiet nights, busy evenings. */
const HOUR_WEIGHTS = [
  0.15, 0.08, 0.05, 0.04, 0.04, 0.06, 0.15, 0.35, 0.55, 0.7, 0.8, 0.9, 1, 1, 0.95, 0.95, 1, 1.1, 1.3, 1.5, 1.6, 1.45,
  1.05, 0.5,
];

/** The cumulative hourly profile of a week (168 hours from Monday 00:00), from the retail calendar's days. */
function weekHours(firstDay: number): Float64Array {
  const c = new Float64Array(7 * 24 + 1);
  for (let d = 0; d < 7; d++) {
    const w = retailDay(firstDay + d).weight;
    for (let h = 0; h < 24; h++) c[d * 24 + h + 1] = (c[d * 24 + h] as number) + w * (HOUR_WEIGHTS[h] as number);
  }
  return c;
}

/** Offset within the week (ms) of quantile x of the week's hourly profile; monotone in x. */
function offsetInWeek(cumulative: Float64Array, x: number): number {
  const hours = cumulative.length - 1;
  const target = x * (cumulative[hours] as number);
  let lo = 0;
  let hi = hours - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((cumulative[mid] as number) <= target) lo = mid;
    else hi = mid - 1;
  }
  const width = (cumulative[lo + 1] as number) - (cumulative[lo] as number);
  const frac = Math.min(1, (target - (cumulative[lo] as number)) / width);
  return Math.min(7 * DAY_MS - 1000, Math.floor(((lo + frac) * HOUR_MS) / 1000) * 1000);
}

/**
 * A buyer ledger's state at the start of week `next`: every customer it holds (ids 1..size, index 0
 * unused), of whom the first `added` are registered and can buy. The per-customer arrays other than
 * `remaining` are functions of the plan alone, kept so that a ledger built from the state need not
 * derive them again.
 */
export interface LedgerState {
  /** The last week the ledger was sized for: it holds the customers registered before week `horizon + 1`. */
  horizon: number;
  size: number;
  added: number;
  next: number;
  remaining: Int32Array;
  registeredDay: Int32Array;
  regions: Uint8Array;
  segments: Uint8Array;
}

/**
 * Who buys, and when, across weeks. Each customer may order at most
 * `maxOrders` times in their life, so the buyers of a week depend on every
 * week before it. The ledger keeps each registered customer's remaining
 * orders in a Fenwick tree; a buyer is drawn with probability proportional to
 * their remaining orders (so by activity, and never past the cap).
 *
 * Determinism across any generation order: the buyer stream of a week
 * (`STREAM.buyers`, week index) draws only basket sizes, order times and
 * buyers, so bringing the ledger up to week N means replaying just that
 * stream for weeks 0..N-1. Products, quantities, prices and dirt use other
 * streams and are never replayed.
 */
class BuyerLedger {
  /** The last week the ledger can draw. */
  readonly horizon: number;
  /** Customers the ledger can hold: those registered before `horizon + 1`. */
  readonly size: number;
  private readonly tree: Int32Array;
  private readonly remaining: Int32Array;
  private readonly registeredDay: Int32Array;
  /** Index into REGIONS (a typed array: a large holey array of strings would fall into dictionary mode). */
  private readonly regions: Uint8Array;
  /** The buyer's group: region × 8 + (man ? 4 : 0) + age band (what they buy depends on it). */
  readonly segments: Uint8Array;
  private readonly topStep: number;
  private total = 0;
  private added = 0;
  /** The week drawn next; -1 while a week is half drawn. */
  next = 0;

  /**
   * A ledger before week 0, able to draw weeks up to `horizon`; or, from `state` (of the same
   * plan), where that ledger was, with the customers registered up to `horizon` added. The draws
   * that follow are those of a ledger replayed from week 0, whatever size either had: only the
   * customers already registered are ever in the tree.
   */
  constructor(
    readonly schedule: Schedule,
    horizon: number,
    state?: LedgerState,
  ) {
    this.horizon = Math.max(horizon, state?.horizon ?? 0);
    this.size = schedule.customersBefore(this.horizon + 1);
    this.tree = new Int32Array(this.size + 1);
    this.remaining = new Int32Array(this.size + 1);
    this.registeredDay = new Int32Array(this.size + 1);
    this.regions = new Uint8Array(this.size + 1);
    this.segments = new Uint8Array(this.size + 1);
    let known = 0;
    if (state) {
      if (state.size > this.size) throw new Error('BuyerLedger: a state larger than its horizon holds');
      known = state.size;
      const upTo = known + 1;
      this.remaining.set(state.remaining.subarray(0, upTo));
      this.registeredDay.set(state.registeredDay.subarray(0, upTo));
      this.regions.set(state.regions.subarray(0, upTo));
      this.segments.set(state.segments.subarray(0, upTo));
      this.added = state.added;
      this.next = state.next;
    }
    for (let id = known + 1; id <= this.size; id++) {
      const c = customerCore(schedule, id);
      this.remaining[id] = c.maxOrders;
      this.registeredDay[id] = c.registeredDay;
      const region = REGIONS.indexOf(c.region);
      this.regions[id] = region;
      this.segments[id] = segmentOf(region, c.gender === 'M', ageBand(c.age));
    }
    // The Fenwick tree of the admitted customers' remaining orders, built in one pass.
    for (let id = 1; id <= this.size; id++) {
      if (id <= this.added) {
        const w = this.remaining[id] as number;
        this.total += w;
        this.tree[id] = (this.tree[id] as number) + w;
      }
      const up = id + (id & -id);
      if (up <= this.size) this.tree[up] = (this.tree[up] as number) + (this.tree[id] as number);
    }
    let step = 1;
    while (step * 2 <= this.size) step *= 2;
    this.topStep = step;
  }

  /** What the ledger knows, copied: enough to build it again where it is (`new BuyerLedger(schedule, h, state)`). */
  state(): LedgerState {
    if (this.next < 0) throw new Error('BuyerLedger.state: a week is half drawn');
    return {
      horizon: this.horizon,
      size: this.size,
      added: this.added,
      next: this.next,
      remaining: this.remaining.slice(),
      registeredDay: this.registeredDay.slice(),
      regions: this.regions.slice(),
      segments: this.segments.slice(),
    };
  }

  regionOf(id: number): Region {
    return REGIONS[this.regions[id] as number] as Region;
  }

  /** Let every customer registered by `day` buy. */
  private admit(day: number): void {
    while (this.added < this.size && (this.registeredDay[this.added + 1] as number) <= day) {
      const id = ++this.added;
      const w = this.remaining[id] as number;
      this.total += w;
      for (let i = id; i <= this.size; i += i & -i) this.tree[i] = (this.tree[i] as number) + w;
    }
  }

  /** Draw a buyer among the customers registered by `day`, and count the order. */
  buyer(day: number, u: number, weekId: string): number {
    this.admit(day);
    if (this.total === 0) {
      throw new Error(`generate: in week ${weekId} every registered customer has reached their order cap`);
    }
    let target = Math.floor(u * this.total);
    let pos = 0;
    for (let step = this.topStep; step > 0; step >>= 1) {
      const next = pos + step;
      if (next <= this.size && (this.tree[next] as number) <= target) {
        pos = next;
        target -= this.tree[next] as number;
      }
    }
    const id = pos + 1;
    this.remaining[id] = (this.remaining[id] as number) - 1;
    this.total--;
    for (let i = id; i <= this.size; i += i & -i) this.tree[i] = (this.tree[i] as number) - 1;
    return id;
  }
}

/** Buyer groups: 4 regions × 2 genders × 4 age bands. */
export const SEGMENTS = 32;

/** The group index of a buyer. */
export function segmentOf(region: number, male: boolean, band: number): number {
  return region * 8 + (male ? 4 : 0) + band;
}

/**
 * A week's orders, in time order, drawn one at a time without allocating:
 * first every order's size (so the week's line count comes out exact, the
 * last order cut short if need be), then each order's time and buyer.
 */
class WeekDraw {
  time = 0;
  day = 0;
  customerId = 0;
  /** Lines of the current order. */
  lines = 0;
  private k = 0;
  private x = 0;
  private readonly rng: Rng;
  private readonly startMs: number;
  private readonly weekId: string;
  private readonly sizes: Uint8Array;
  private readonly orders: number;
  private readonly hours: Float64Array;

  constructor(
    private readonly ledger: BuyerLedger,
    readonly index: number,
    readonly count: number,
  ) {
    const week = ledger.schedule.week(index);
    this.rng = rngFor(ledger.schedule.plan.seed, STREAM.buyers, index);
    this.startMs = week.startMs;
    this.weekId = week.id;
    this.hours = weekHours(ledger.schedule.firstDay + 7 * index);
    this.sizes = new Uint8Array(count);
    let n = 0;
    let lines = 0;
    while (lines < count) {
      const size = Math.min(BASKET_TABLE.draw(this.rng) + 1, count - lines);
      this.sizes[n++] = size;
      lines += size;
    }
    this.orders = n;
  }

  /** The next order's time, buyer and size; false after the last. */
  next(): boolean {
    if (this.k >= this.orders) return false;
    // Sorted uniforms one by one: the minimum of the m uniforms still to come.
    const m = this.orders - this.k;
    this.x += (1 - this.x) * (1 - this.rng() ** (1 / m));
    this.time = this.startMs + offsetInWeek(this.hours, Math.min(this.x, 1 - 1e-12));
    this.day = Math.floor((this.time + MOSCOW_OFFSET_MS) / DAY_MS);
    this.customerId = this.ledger.buyer(this.day, this.rng(), this.weekId);
    this.lines = this.sizes[this.k] as number;
    this.k++;
    return true;
  }
}

/** Contexts of the product mix: month × occasion. */
const CONTEXTS = 12 * OCCASIONS.length;

/** The valid sales of any week of a plan, as pure functions of the plan. */
export class SalesModel {
  readonly schedule: Schedule;
  readonly products: readonly Product[];
  /** Per item type: its products' ids (0-based indices into `products`) and a table by popularity. */
  private readonly typeProducts: ReadonlyArray<{ ids: Int32Array; table: WeightedTable } | undefined>;
  /** The types a catalogue has products of. */
  private readonly stocked: readonly number[];
  /** Type tables by segment × context, built when first needed. */
  private readonly typeTables: Array<WeightedTable | undefined> = new Array(SEGMENTS * CONTEXTS);
  private ledger: BuyerLedger;

  /**
   * `horizon`: the last week index expected; later ones work too, at the cost of a replay.
   * `ledger`: a state of this plan's buyer ledger (`ledgerStateAt`), to start from instead of week 0.
   */
  constructor(
    readonly plan: GeneratorPlan,
    horizon = plan.weeks - 1,
    ledger?: LedgerState,
  ) {
    this.schedule = new Schedule(plan);
    this.products = catalogue(plan);
    const byType = ITEM_TYPES.map(() => [] as number[]);
    for (const [i, p] of this.products.entries()) byType[p.type]?.push(i);
    this.typeProducts = byType.map((ids) =>
      ids.length === 0
        ? undefined
        : { ids: Int32Array.from(ids), table: new WeightedTable(ids.map((i) => this.products[i]?.popularity ?? 0)) },
    );
    this.stocked = byType.flatMap((ids, t) => (ids.length > 0 ? [t] : []));
    this.ledger = new BuyerLedger(this.schedule, horizon, ledger);
  }

  /** What a buyer group buys in a context: each stocked type's weight (docs/generator.md, "Who buys what"). */
  private typeTable(segment: number, context: number): WeightedTable {
    const key = segment * CONTEXTS + context;
    let table = this.typeTables[key];
    if (table === undefined) {
      const region = segment >> 3;
      const male = (segment & 4) !== 0;
      const band = segment & 3;
      const month = Math.floor(context / OCCASIONS.length);
      const occasion = OCCASIONS[context % OCCASIONS.length] as Occasion;
      table = new WeightedTable(
        this.stocked.map((t) => {
          const type = ITEM_TYPES[t] as ItemType;
          return (
            type.demand *
            (SEASONS[type.season][month] as number) *
            (type.boosts[occasion] ?? 1) *
            (AGE_PROFILES[type.age][band] as number) *
            Math.exp(male ? type.gender : -type.gender) *
            regionAffinity(type, region)
          );
        }),
      );
      this.typeTables[key] = table;
    }
    return table;
  }

  /** The ledger, positioned at the start of week `index`. */
  private ledgerAt(index: number): BuyerLedger {
    const { horizon, next } = this.ledger;
    if (next < 0 || next > index) this.ledger = new BuyerLedger(this.schedule, Math.max(index, horizon));
    // A week past the horizon: the same ledger, with room for the customers registered by then.
    else if (index > horizon) this.ledger = new BuyerLedger(this.schedule, index, this.ledger.state());
    const ledger = this.ledger;
    while (ledger.next < index) {
      const draw = new WeekDraw(ledger, ledger.next, this.schedule.salesCount(ledger.next));
      while (draw.next()) {
        // replay: only the ledger's state matters
      }
      ledger.next++;
    }
    return ledger;
  }

  /** The buyer ledger's state at the start of week `index` (where `salesOfWeek(index)` starts from). */
  ledgerStateAt(index: number): LedgerState {
    return this.ledgerAt(index).state();
  }

  /** The region of a customer the ledger knows (any buyer of a week drawn so far). */
  regionOf(customerId: number): Region {
    return this.ledger.regionOf(customerId);
  }

  /** Every valid sale of week `index` (0 = the period's first), in sale_id and time order; an order's lines adjoin. */
  *salesOfWeek(index: number): Generator<Sale> {
    const ledger = this.ledgerAt(index);
    const count = this.schedule.salesCount(index);
    const firstId = this.schedule.salesBefore(index) + 1;
    const draw = new WeekDraw(ledger, index, count);
    const items = rngFor(this.plan.seed, STREAM.items, index);
    ledger.next = -1;
    let k = 0;
    while (draw.next()) {
      const day = retailDay(draw.day);
      const context = day.month * OCCASIONS.length + day.occasion;
      const types = this.typeTable(ledger.segments[draw.customerId] as number, context);
      const region = ledger.regionOf(draw.customerId);
      for (let line = 0; line < draw.lines; line++) {
        const t = this.stocked[types.draw(items)] as number;
        const inType = this.typeProducts[t] as { ids: Int32Array; table: WeightedTable };
        const product = this.products[inType.ids[inType.table.draw(items)] as number] as Product;
        const kind = product.listPrice >= EXPENSIVE ? 'one' : (ITEM_TYPES[t] as ItemType).quantity;
        const quantity = QUANTITY_TABLES[kind].draw(items) + 1;
        const discount =
          items() >= day.discountShare
            ? 0
            : (DISCOUNTS[(day.saleDay ? SALE_DEPTH_TABLE : DEPTH_TABLE).draw(items) + 1] as number);
        const unitPrice = promotedPrice(product.listPrice, discount);
        yield {
          saleId: firstId + k++,
          customerId: draw.customerId,
          productId: product.id,
          quantity,
          time: draw.time,
          day: draw.day,
          unitPrice,
          discount,
          amount: quantity * unitPrice,
          region,
        };
      }
    }
    ledger.next = index + 1;
  }
}
