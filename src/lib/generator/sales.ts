import { MOSCOW_OFFSET_MS } from '../calendar.js';
import { REGIONS, type Region } from '../layout.js';
import { customerCore } from './customers.js';
import { catalogue, type Product } from './products.js';
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

/** Promotions: most sales pay the list price. */
export const DISCOUNTS = [0, 5, 10, 15, 20, 25, 30, 40, 50] as const;
/** Among promoted sales (40%), how deep the promotion goes: DISCOUNTS[1..]. */
const DISCOUNT_TABLE = new WeightedTable([10, 9, 6, 6, 3, 3, 2, 1]);

/** The list price with `discount` percent off, rounded to the kopeck (halves up). */
export function promotedPrice(listPrice: number, discount: number): number {
  return Math.round((listPrice * (100 - discount)) / 100);
}

/** Quantities 1 to 15, small ones far more common. */
const QUANTITY_TABLE = new WeightedTable([40, 22, 12, 7, 5, 3.5, 2.5, 2, 1.5, 1.2, 1, 0.8, 0.6, 0.5, 0.4]);
/** From this list price (kopecks) up, people buy one or two, rarely three. */
const EXPENSIVE = 5_000_00;

/** Shopping by hour of the week (Monday 00:00 first): quiet nights, busy evenings and weekends. */
const HOUR_WEIGHTS = [
  0.15, 0.08, 0.05, 0.04, 0.04, 0.06, 0.15, 0.35, 0.55, 0.7, 0.8, 0.9,
  1, 1, 0.95, 0.95, 1, 1.1, 1.3, 1.5, 1.6, 1.45, 1.05, 0.5,
];
const DAY_WEIGHTS = [1, 0.97, 0.97, 1, 1.05, 1.2, 1.15];
const WEEK_HOURS = DAY_WEIGHTS.flatMap((d) => HOUR_WEIGHTS.map((h) => d * h));
const HOUR_CUMULATIVE = (() => {
  const c = new Float64Array(WEEK_HOURS.length + 1);
  WEEK_HOURS.forEach((w, i) => (c[i + 1] = (c[i] as number) + w));
  return c;
})();

/** Offset within the week (ms) of quantile x of the hourly profile; monotone in x. */
function offsetInWeek(x: number): number {
  const target = x * (HOUR_CUMULATIVE[WEEK_HOURS.length] as number);
  let lo = 0;
  let hi = WEEK_HOURS.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >>> 1;
    if ((HOUR_CUMULATIVE[mid] as number) <= target) lo = mid;
    else hi = mid - 1;
  }
  const frac = Math.min(1, (target - (HOUR_CUMULATIVE[lo] as number)) / (WEEK_HOURS[lo] as number));
  return Math.min(7 * DAY_MS - 1000, Math.floor(((lo + frac) * HOUR_MS) / 1000) * 1000);
}

/**
 * Who buys, and when, across weeks. Each customer may order at most
 * `maxOrders` times in their life, so the buyers of a week depend on every
 * week before it. The ledger keeps each registered customer's remaining
 * orders in a Fenwick tree; a buyer is drawn with probability proportional to
 * their remaining orders (so by activity, and never past the cap).
 *
 * Determinism across any generation order: the buyer stream of a week
 * (`STREAM.buyers`, week index) draws only sale times and buyers, so bringing
 * the ledger up to week N means replaying just that stream for weeks 0..N-1,
 * about 100 ns a sale. Products, quantities, prices and dirt use other
 * streams and are never replayed.
 */
class BuyerLedger {
  /** Customers the ledger can hold: those registered before `horizon + 1`. */
  readonly size: number;
  private readonly tree: Int32Array;
  private readonly remaining: Int32Array;
  private readonly registeredDay: Int32Array;
  /** Index into REGIONS (a typed array: a large holey array of strings would fall into dictionary mode). */
  private readonly regions: Uint8Array;
  private readonly topStep: number;
  private total = 0;
  private added = 0;
  /** The week drawn next; -1 while a week is half drawn. */
  next = 0;

  constructor(readonly schedule: Schedule, readonly horizon: number) {
    this.size = schedule.customersBefore(horizon + 1);
    this.tree = new Int32Array(this.size + 1);
    this.remaining = new Int32Array(this.size + 1);
    this.registeredDay = new Int32Array(this.size + 1);
    this.regions = new Uint8Array(this.size + 1);
    for (let id = 1; id <= this.size; id++) {
      const c = customerCore(schedule, id);
      this.remaining[id] = c.maxOrders;
      this.registeredDay[id] = c.registeredDay;
      this.regions[id] = REGIONS.indexOf(c.region);
    }
    let step = 1;
    while (step * 2 <= this.size) step *= 2;
    this.topStep = step;
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

/** A week's sale times and buyers, in time order, drawn one at a time without allocating. */
class WeekDraw {
  time = 0;
  day = 0;
  customerId = 0;
  private k = 0;
  private x = 0;
  private readonly rng: Rng;
  private readonly startMs: number;
  private readonly weekId: string;

  constructor(
    private readonly ledger: BuyerLedger,
    readonly index: number,
    readonly count: number,
  ) {
    const week = ledger.schedule.week(index);
    this.rng = rngFor(ledger.schedule.plan.seed, STREAM.buyers, index);
    this.startMs = week.startMs;
    this.weekId = week.id;
  }

  /** The next sale's time and buyer; false after the last. */
  next(): boolean {
    if (this.k >= this.count) return false;
    // Sorted uniforms one by one: the minimum of the m uniforms still to come.
    const m = this.count - this.k;
    this.x += (1 - this.x) * (1 - Math.pow(this.rng(), 1 / m));
    this.time = this.startMs + offsetInWeek(Math.min(this.x, 1 - 1e-12));
    this.day = Math.floor((this.time + MOSCOW_OFFSET_MS) / DAY_MS);
    this.customerId = this.ledger.buyer(this.day, this.rng(), this.weekId);
    this.k++;
    return true;
  }
}

/** The valid sales of any week of a plan, as pure functions of the plan. */
export class SalesModel {
  readonly schedule: Schedule;
  readonly products: readonly Product[];
  private readonly productTable: WeightedTable;
  private ledger: BuyerLedger;

  /** `horizon`: the last week index expected; later ones work too, at the cost of a replay. */
  constructor(readonly plan: GeneratorPlan, horizon = plan.weeks - 1) {
    this.schedule = new Schedule(plan);
    this.products = catalogue(plan);
    this.productTable = new WeightedTable(this.products.map((p) => p.popularity));
    this.ledger = new BuyerLedger(this.schedule, horizon);
  }

  /** The ledger, positioned at the start of week `index`. */
  private ledgerAt(index: number): BuyerLedger {
    if (index > this.ledger.horizon || this.ledger.next < 0 || this.ledger.next > index) {
      this.ledger = new BuyerLedger(this.schedule, Math.max(index, this.ledger.horizon));
    }
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

  /** The region of a customer the ledger knows (any buyer of a week drawn so far). */
  regionOf(customerId: number): Region {
    return this.ledger.regionOf(customerId);
  }

  /** Every valid sale of week `index` (0 = the period's first), in sale_id and time order. */
  *salesOfWeek(index: number): Generator<Sale> {
    const ledger = this.ledgerAt(index);
    const count = this.schedule.salesCount(index);
    const firstId = this.schedule.salesBefore(index) + 1;
    const draw = new WeekDraw(ledger, index, count);
    const items = rngFor(this.plan.seed, STREAM.items, index);
    ledger.next = -1;
    for (let k = 0; draw.next(); k++) {
      const product = this.products[this.productTable.draw(items)] as Product;
      let quantity = QUANTITY_TABLE.draw(items) + 1;
      if (product.listPrice >= EXPENSIVE) quantity = 1 + Math.floor((quantity - 1) / 5);
      const discount = items() < 0.6 ? 0 : (DISCOUNTS[DISCOUNT_TABLE.draw(items) + 1] as number);
      const unitPrice = promotedPrice(product.listPrice, discount);
      yield {
        saleId: firstId + k,
        customerId: draw.customerId,
        productId: product.id,
        quantity,
        time: draw.time,
        day: draw.day,
        unitPrice,
        discount,
        amount: quantity * unitPrice,
        region: ledger.regionOf(draw.customerId),
      };
    }
    ledger.next = index + 1;
  }
}
