import { formatKopecks } from '../core/money.js';
import { CATEGORIES, ITEM_TYPES, type ItemType } from './item-types.js';
import { intBetween, pick, rngFor, STREAM, type Rng } from './random.js';
import type { GeneratorPlan } from './store-plan.js';

/** Made-up brands, Russian-sounding like a marketplace's private labels. */
const BRANDS = [
  'Север',
  'ДомПро',
  'Альфа',
  'Вектор',
  'Радуга',
  'Уют',
  'Технолайн',
  'Гранит',
  'Лидер',
  'Арктика',
  'Меридиан',
  'Соната',
  'Заря',
  'Волна',
  'Байкал',
  'Светоч',
  'Ока',
  'Кедр',
  'Полюс',
  'Русич',
  'Эверест',
  'Лукоморье',
  'Ладога',
  'Сибирь',
  'Терем',
  'Огонёк',
  'Орбита',
  'Малахит',
];
const CODE_LETTERS = 'ABCEKMPTX';

/** A row of `dim/products.csv`, plus what the sales need to know of it. */
export interface Product {
  readonly id: number;
  readonly name: string;
  /** The category's Russian name. */
  readonly category: string;
  /** List price in kopecks. */
  readonly listPrice: number;
  /** Relative popularity among the products of its type. */
  readonly popularity: number;
  /** Index into ITEM_TYPES. */
  readonly type: number;
}

/** Shop-style prices: x99 roubles, or xx.90 under 300 roubles; in kopecks. */
function shopPrice(roubles: number): number {
  if (roubles < 300) return Math.max(1, Math.floor(roubles)) * 100 + 90;
  return (Math.floor(roubles / 10) * 10 + 9) * 100;
}

/** A roughly normal draw (mean 0, sd 1), enough for a log-normal popularity. */
export function normal(rng: Rng): number {
  return (rng() + rng() + rng() + rng() - 2) * Math.sqrt(3);
}

/**
 * How many products each type gets: in proportion to the square root of its
 * demand (staples sell a lot from a short shelf, a few expensive types still
 * come in several models), by largest remainder so they add up to `total`.
 */
export function productsPerType(total: number): number[] {
  const weights = ITEM_TYPES.map((t) => Math.sqrt(t.demand));
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (w * total) / sum);
  const counts = exact.map(Math.floor);
  let left = total - counts.reduce((a, b) => a + b, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left === 0) break;
    counts[i]!++;
    left--;
  }
  return counts;
}

/** A list price inside the type's band: log-triangular, so most sit near the band's geometric middle. */
function priceIn(type: ItemType, rng: Rng): number {
  const [min, max] = type.price;
  const x = (rng() + rng()) / 2;
  return shopPrice(min * Math.exp(x * Math.log(max / min)));
}

/**
 * The plan's catalogue, ids 1..plan.products, type by type; one stream, so
 * the same for every week. Popularity within a type is log-normal (σ 1.4):
 * a few best sellers and a long tail that rarely sells.
 */
export function catalogue(plan: Pick<GeneratorPlan, 'seed' | 'products'>): Product[] {
  const rng = rngFor(plan.seed, STREAM.products);
  const counts = productsPerType(plan.products);
  const products: Product[] = [];
  const names = new Set<string>();
  for (const [typeIndex, type] of ITEM_TYPES.entries()) {
    for (let k = 0; k < (counts[typeIndex] as number); k++) {
      const variant = type.variants.length > 0 ? ` ${pick(rng, type.variants)}` : '';
      let name = `${type.name} ${pick(rng, BRANDS)}${variant}`;
      const code = `${pick(rng, [...CODE_LETTERS])}${pick(rng, [...CODE_LETTERS])}-${intBetween(rng, 10, 990)}`;
      if (names.has(name) || type.quantity === 'one') name = `${name} ${code}`;
      names.add(name);
      products.push({
        id: products.length + 1,
        name,
        category: CATEGORIES[type.category]?.ru as string,
        listPrice: priceIn(type, rng),
        popularity: Math.exp(1.4 * normal(rng)),
        type: typeIndex,
      });
    }
  }
  return products;
}

/** A product as the fields of a `dim/products.csv` record, in PRODUCTS_HEADER's order. */
export function productFields(p: Product): string[] {
  return [String(p.id), p.name, p.category, formatKopecks(p.listPrice)];
}
