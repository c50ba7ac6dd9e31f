// The Russian locale alone: the package's main entry loads every locale (a second and 30 MB more).
import { faker as fakerRU } from '@faker-js/faker/locale/ru';
import { REGIONS, type Region } from '../core/regions.js';
import { civilFromDays, yearsBefore } from './days.js';
import { firstName, patronymicFor } from './first-names.js';
import { AGE_BANDS } from './item-types.js';
import { intBetween, pick, rngFor, STREAM, WeightedTable, type Rng } from './random.js';
import type { Schedule } from './store-plan.js';

/** How often a customer orders; the level caps the orders they ever make. */
export const ACTIVITIES = ['none', 'low', 'medium', 'high', 'vip'] as const;
/** One of ACTIVITIES. */
export type Activity = (typeof ACTIVITIES)[number];
const ACTIVITY_TABLE = new WeightedTable([0.15, 0.35, 0.3, 0.15, 0.05]);
/** Lifetime order caps per level, [min, max]. The mean (about 18) keeps the base ahead of demand for years. */
export const ORDER_CAPS: Record<Activity, readonly [number, number]> = {
  none: [0, 0],
  low: [1, 4],
  medium: [5, 20],
  high: [21, 60],
  vip: [61, 250],
};

/** Most customers live in the populous west: regions are deliberately not uniform. */
const REGION_TABLE = new WeightedTable([0.17, 0.24, 0.21, 0.38]); // REGIONS order: north, south, east, west

/** Cities per region, with rough weights by population: a customer lives in one of their region's. */
export const CITIES: Record<Region, ReadonlyArray<readonly [string, number]>> = {
  north: [
    ['Санкт-Петербург', 40],
    ['Архангельск', 8],
    ['Мурманск', 7],
    ['Вологда', 7],
    ['Петрозаводск', 6],
    ['Сыктывкар', 6],
    ['Великий Новгород', 5],
    ['Череповец', 6],
    ['Псков', 5],
    ['Северодвинск', 4],
  ],
  south: [
    ['Краснодар', 18],
    ['Ростов-на-Дону', 20],
    ['Волгоград', 15],
    ['Сочи', 8],
    ['Ставрополь', 8],
    ['Астрахань', 8],
    ['Махачкала', 9],
    ['Новороссийск', 5],
    ['Таганрог', 4],
    ['Севастополь', 5],
  ],
  east: [
    ['Новосибирск', 18],
    ['Екатеринбург', 17],
    ['Красноярск', 12],
    ['Омск', 11],
    ['Иркутск', 8],
    ['Владивосток', 8],
    ['Хабаровск', 7],
    ['Томск', 6],
    ['Барнаул', 7],
    ['Тюмень', 8],
  ],
  west: [
    ['Москва', 55],
    ['Калининград', 5],
    ['Смоленск', 4],
    ['Брянск', 4],
    ['Тверь', 5],
    ['Калуга', 4],
    ['Воронеж', 9],
    ['Тула', 5],
    ['Ярославль', 5],
    ['Нижний Новгород', 9],
  ],
};
const CITY_TABLES = Object.fromEntries(
  REGIONS.map((r) => [r, new WeightedTable(CITIES[r].map(([, w]) => w))]),
) as Record<Region, WeightedTable>;

/** Ages at the plan's end (or at registration, if later), in bands: [from, to, weight]. */
const AGE_BANDS_DRAWN: ReadonlyArray<readonly [number, number, number]> = [
  [18, 24, 12],
  [25, 34, 25],
  [35, 44, 24],
  [45, 54, 17],
  [55, 64, 12],
  [65, 74, 7],
  [75, 87, 3],
];
const AGE_TABLE = new WeightedTable(AGE_BANDS_DRAWN.map(([, , w]) => w));

// Name parts from faker's Russian locale, drawn independently with our own
// seeded stream: fast, and independent of the order faker would be called in.
// Surnames stay uniform over faker's list; first names and patronymics follow the generation (first-names.ts).
const PERSON = fakerRU.rawDefinitions.person as { last_name: { male: string[]; female: string[] } };
const STREET_PARTS = fakerRU.rawDefinitions.location?.street_name_part as string[];
// Street names are feminine adjectives, so only feminine kinds of street agree with them.
const STREET_KINDS = ['ул.', 'ул.', 'улица', 'аллея', 'наб.'] as const;

/** What the sales need to know about a customer: cheap to compute for every customer. */
export interface CustomerCore {
  readonly id: number;
  /** Day number of the registration date. */
  readonly registeredDay: number;
  readonly region: Region;
  readonly activity: Activity;
  readonly maxOrders: number;
  readonly gender: 'M' | 'F';
  /** Age in whole years on the reference day (ageReferenceDay, or the registration if later). */
  readonly age: number;
}

/** A customer's age band: index into AGE_BANDS (18-29, 30-44, 45-59, 60+). */
export function ageBand(age: number): number {
  let band = 0;
  while (band + 1 < AGE_BANDS.length && age >= (AGE_BANDS[band + 1] as number)) band++;
  return band;
}

/** A row of `dim/customers.csv`. */
export interface Customer extends CustomerCore {
  readonly fullName: string;
  /** Day number of the birth date. */
  readonly birthDay: number;
  readonly city: string;
  readonly address: string;
}

function coreFrom(schedule: Schedule, id: number, rng: Rng): CustomerCore {
  const registeredDay = schedule.registrationDay(id, rng());
  const region = REGIONS[REGION_TABLE.draw(rng)] as Region;
  const activity = ACTIVITIES[ACTIVITY_TABLE.draw(rng)] as Activity;
  const [min, max] = ORDER_CAPS[activity];
  const maxOrders = intBetween(rng, min, max);
  const gender = rng() < 0.46 ? 'M' : 'F';
  const [from, to] = AGE_BANDS_DRAWN[AGE_TABLE.draw(rng)] as readonly [number, number, number];
  return { id, registeredDay, region, activity, maxOrders, gender, age: intBetween(rng, from, to) };
}

/** A customer's registration, region and order cap (no names: those cost more). */
export function customerCore(schedule: Schedule, id: number): CustomerCore {
  return coreFrom(schedule, id, rngFor(schedule.plan.seed, STREAM.customer, id));
}

/** The plan's last day (a Sunday), as a day number: ages are 18 to 87 on it. */
export function ageReferenceDay(schedule: Schedule): number {
  return schedule.firstDay + 7 * schedule.plan.weeks - 1;
}

/** A whole customer, from its own stream: the same customer whatever else is generated. */
export function customer(schedule: Schedule, id: number): Customer {
  const rng = rngFor(schedule.plan.seed, STREAM.customer, id);
  const core = coreFrom(schedule, id, rng);
  const male = core.gender === 'M';
  const sex = male ? 'male' : 'female';
  // Age on the reference day, with a day or two of margin from birthdays so leap years cannot tip it.
  const reference = Math.max(ageReferenceDay(schedule), core.registeredDay);
  const earliest = yearsBefore(reference, core.age + 1) + 2;
  const latest = yearsBefore(reference, core.age) - 1;
  let birthDay = intBetween(rng, earliest, latest);
  const adultAtRegistration = yearsBefore(core.registeredDay, 18) - 1;
  if (birthDay > adultAtRegistration) birthDay = adultAtRegistration - intBetween(rng, 0, 300);
  const born = civilFromDays(birthDay)[0];
  const surname = pick(rng, PERSON.last_name[sex]);
  const fullName = `${surname} ${firstName(rng, male, born)} ${patronymicFor(rng, male, born)}`;
  const city = CITIES[core.region][CITY_TABLES[core.region].draw(rng)]?.[0] as string;
  const street = `${pick(rng, STREET_KINDS)} ${pick(rng, STREET_PARTS)}`;
  const house = `д. ${intBetween(rng, 1, 150)}`;
  const address = rng() < 0.8 ? `${street}, ${house}, кв. ${intBetween(rng, 1, 400)}` : `${street}, ${house}`;
  const { registeredDay, region, activity, maxOrders, gender, age } = core;
  // Spelled out: an object spread here costs more than the whole customer.
  return { id, registeredDay, region, activity, maxOrders, gender, age, birthDay, fullName, city, address };
}
