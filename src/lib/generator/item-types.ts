import type { Occasion } from './retail-calendar.js';

/**
 * The store's item types: what each costs, how many people take at once,
 * when it sells, who buys it and how often (docs/generator.md, "Catalogue").
 * Prices are 2025-2026 Russian online retail bands in roubles.
 */

/** The categories, as the store names them, with the English the report's `--locale en` shows. */
export const CATEGORIES = [
  { ru: 'Кухня', en: 'Kitchen' },
  { ru: 'Продукты и напитки', en: 'Food and drinks' },
  { ru: 'Электроника', en: 'Electronics' },
  { ru: 'Игрушки', en: 'Toys' },
  { ru: 'Одежда и обувь', en: 'Clothing and shoes' },
  { ru: 'Ремонт и сад', en: 'DIY and garden' },
  { ru: 'Хранение', en: 'Storage' },
  { ru: 'Уборка', en: 'Cleaning' },
  { ru: 'Красота и здоровье', en: 'Beauty and health' },
  { ru: 'Авто и вело', en: 'Auto and bike' },
  { ru: 'Спорт и отдых', en: 'Sports and outdoors' },
  { ru: 'Зоотовары', en: 'Pet supplies' },
  { ru: 'Цветы и подарки', en: 'Flowers and gifts' },
  { ru: 'Школа и канцелярия', en: 'School and stationery' },
] as const;

/** Russian category name → English, for the report. */
export const CATEGORY_EN: Readonly<Record<string, string>> = Object.fromEntries(CATEGORIES.map((c) => [c.ru, c.en]));

/** How many of an item a line takes: one phone; a pack or two of shampoo; several packs of pasta. */
export type QuantityKind = 'one' | 'few' | 'pack';

/** Monthly demand multipliers, January first. */
export const SEASONS = {
  flat: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1],
  summer: [0.5, 0.5, 0.7, 0.9, 1.3, 1.6, 1.6, 1.3, 0.8, 0.6, 0.5, 0.5],
  garden: [0.3, 0.8, 1.8, 2.5, 2.6, 1.6, 1.1, 0.9, 0.6, 0.35, 0.25, 0.25],
  bike: [0.25, 0.3, 0.9, 2.0, 2.4, 2.2, 1.9, 1.4, 0.8, 0.45, 0.25, 0.25],
  cold: [1.2, 1.0, 0.7, 0.5, 0.3, 0.2, 0.2, 0.4, 0.9, 1.6, 1.9, 1.6],
  winter: [1.8, 1.5, 0.7, 0.2, 0.1, 0.1, 0.1, 0.1, 0.3, 0.7, 1.6, 2.2],
  school: [0.6, 0.6, 0.7, 0.6, 0.6, 0.7, 1.0, 2.0, 1.4, 0.9, 0.7, 0.7],
  festive: [0.3, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.2, 0.5, 2.5, 5.0],
  gifts: [0.7, 1.1, 1.1, 0.9, 0.9, 0.8, 0.8, 0.8, 0.9, 1.0, 1.3, 2.2],
  toys: [0.6, 0.7, 0.7, 0.8, 0.8, 1.0, 0.8, 0.8, 0.8, 0.9, 1.4, 2.0],
  spring: [0.6, 0.8, 1.3, 1.4, 1.4, 1.3, 1.1, 0.9, 0.8, 0.7, 0.7, 0.8],
  fitness: [1.8, 1.3, 1.1, 1.0, 1.0, 0.9, 0.8, 0.8, 1.0, 1.0, 0.9, 0.8],
  health: [1.3, 1.3, 1.1, 0.9, 0.7, 0.6, 0.6, 0.7, 1.0, 1.3, 1.4, 1.3],
} as const;
/** One of SEASONS. */
export type Season = keyof typeof SEASONS;

/** Who buys it by age band (18-29, 30-44, 45-59, 60+). */
export const AGE_PROFILES = {
  a: [1, 1, 1, 1],
  y: [1.9, 1.2, 0.6, 0.3],
  p: [0.6, 1.9, 0.9, 0.6],
  m: [0.7, 1.2, 1.2, 0.8],
  o: [0.4, 0.7, 1.3, 1.9],
} as const;
/** Age bands' lower bounds, matching AGE_PROFILES. */
export const AGE_BANDS = [18, 30, 45, 60] as const;

/** One item type of the catalogue. */
export interface ItemType {
  readonly name: string;
  /** Index into CATEGORIES. */
  readonly category: number;
  /** List prices in roubles, [min, max]. */
  readonly price: readonly [number, number];
  readonly quantity: QuantityKind;
  readonly season: Season;
  /** Gender lean: positive men, negative women; a man's weight is e^gender, a woman's e^-gender. */
  readonly gender: number;
  readonly age: keyof typeof AGE_PROFILES;
  /** Lines the type sells, relative to other types (before season, occasion and audience). */
  readonly demand: number;
  /** Extra demand on the days of an occasion (retail-calendar.ts). */
  readonly boosts: Readonly<Partial<Record<Occasion, number>>>;
  /** Name endings of its products (size, volume, kind). */
  readonly variants: readonly string[];
}

const GENDER: Record<string, number> = { F: -1.2, f: -0.5, '-': 0, m: 0.5, M: 1.2 };

/**
 * One row: name, category, price band, quantity, season, audience (gender
 * lean F f - m M, then age profile), demand, occasion boosts, variants.
 */
function t(
  name: string,
  category: number,
  price: [number, number],
  quantity: QuantityKind,
  season: Season,
  audience: string,
  demand: number,
  boosts: Partial<Record<Occasion, number>> = {},
  variants = '',
): ItemType {
  const [g = '-', age = 'a'] = audience.split('');
  return {
    name,
    category,
    price,
    quantity,
    season,
    gender: GENDER[g] ?? 0,
    age: age as keyof typeof AGE_PROFILES,
    demand,
    boosts,
    variants: variants ? variants.split('|') : [],
  };
}

const [KITCHEN, FOOD, ELECTRONICS, TOYS, CLOTHES, DIY, STORAGE, CLEANING, BEAUTY, AUTO, SPORT, PETS, GIFTS, SCHOOL] =
  CATEGORIES.map((_, i) => i) as [
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
    number,
  ];

const NY = { newYear: 1.8 };
const SALE = { sale: 1.8 };
const GIFT_HIM = { defender: 3, newYear: 1.5, sale: 1.4 };

/** The item types (about 150); the catalogue spreads its products over them. */
export const ITEM_TYPES: readonly ItemType[] = [
  t('Сковорода', KITCHEN, [700, 3500], 'one', 'flat', 'fm', 0.9, SALE, '24 см|26 см|28 см|гриль'),
  t('Кастрюля', KITCHEN, [900, 4500], 'one', 'flat', 'fm', 0.6, SALE, '2 л|3 л|4,5 л'),
  t('Нож поварской', KITCHEN, [500, 3000], 'one', 'flat', '-m', 0.5, GIFT_HIM, '20 см|15 см'),
  t('Разделочная доска', KITCHEN, [300, 1200], 'one', 'flat', 'fa', 0.5, {}, 'бамбук|пластик|бук'),
  t('Кружка', KITCHEN, [250, 900], 'few', 'gifts', 'fa', 0.9, { newYear: 1.8, valentine: 1.8 }, '350 мл|400 мл'),
  t('Тарелка', KITCHEN, [200, 700], 'pack', 'flat', 'fm', 0.6, {}, 'десертная|глубокая|обеденная'),
  t('Термос', KITCHEN, [900, 3500], 'one', 'cold', '-a', 0.5, GIFT_HIM, '0,5 л|0,75 л|1 л'),
  t('Форма для выпечки', KITCHEN, [350, 1500], 'one', 'flat', 'Fm', 0.4, NY, 'круглая|прямоугольная'),
  t('Чайник электрический', KITCHEN, [1500, 6000], 'one', 'flat', '-a', 0.6, { womensDay: 1.8, sale: 1.8 }, '1,7 л'),
  t('Блендер', KITCHEN, [2500, 9000], 'one', 'flat', 'fm', 0.35, { womensDay: 2, sale: 2 }, 'погружной|стационарный'),
  t('Мультиварка', KITCHEN, [4000, 12000], 'one', 'flat', 'fo', 0.25, { womensDay: 2, sale: 2 }, '5 л'),
  t('Кофеварка', KITCHEN, [6000, 25000], 'one', 'flat', '-m', 0.15, { sale: 2.2, newYear: 1.5 }, 'капельная|рожковая'),

  t('Кофе в зёрнах', FOOD, [600, 2200], 'pack', 'flat', '-m', 3, SALE, '250 г|500 г|1 кг'),
  t('Чай чёрный', FOOD, [150, 600], 'pack', 'health', '-o', 2.5, {}, '100 г|25 пакетиков|200 г'),
  t(
    'Шоколад',
    FOOD,
    [90, 350],
    'pack',
    'gifts',
    'fa',
    4,
    { valentine: 2, womensDay: 1.5, newYear: 1.5 },
    'горький 85 г|молочный 90 г|с орехом 100 г',
  ),
  t(
    'Конфеты в коробке',
    FOOD,
    [400, 1800],
    'few',
    'gifts',
    '-a',
    1.5,
    { newYear: 3, valentine: 3, womensDay: 3 },
    '200 г|250 г|400 г',
  ),
  t('Макароны', FOOD, [80, 250], 'pack', 'flat', '-o', 5, {}, 'спагетти 450 г|перья 400 г|рожки 500 г'),
  t('Крупа гречневая', FOOD, [90, 220], 'pack', 'health', '-o', 4, {}, '800 г|900 г'),
  t('Масло оливковое', FOOD, [600, 1500], 'few', 'flat', 'fm', 1.2, {}, '0,5 л|1 л'),
  t('Мёд', FOOD, [350, 1200], 'few', 'health', '-o', 1, {}, 'цветочный 500 г|гречишный 350 г'),
  t('Вода минеральная', FOOD, [60, 150], 'pack', 'summer', '-a', 4, {}, '0,5 л|1,5 л'),
  t('Сок', FOOD, [110, 250], 'pack', 'summer', 'fp', 3, {}, 'яблочный 1 л|апельсиновый 1 л|томатный 1 л'),
  t('Орехи', FOOD, [300, 1200], 'few', 'flat', '-m', 1.2, NY, 'кешью 200 г|миндаль 300 г|ассорти 500 г'),
  t('Печенье', FOOD, [90, 300], 'pack', 'flat', 'fp', 3.5, {}, 'овсяное|сахарное|с шоколадом'),
  t('Икра красная', FOOD, [900, 3500], 'few', 'festive', '-m', 0.4, { newYear: 3 }, '95 г|140 г|250 г'),

  t(
    'Смартфон',
    ELECTRONICS,
    [9000, 90000],
    'one',
    'flat',
    'my',
    1.3,
    { sale: 2.4, newYear: 1.8 },
    '128 ГБ|256 ГБ|512 ГБ',
  ),
  t(
    'Наушники беспроводные',
    ELECTRONICS,
    [1500, 20000],
    'one',
    'flat',
    '-y',
    1.2,
    { sale: 2.2, newYear: 2 },
    'вкладыши|накладные|полноразмерные',
  ),
  t('Ноутбук', ELECTRONICS, [35000, 150000], 'one', 'school', 'my', 0.35, { sale: 2.4, school: 2 }, '14"|15,6"|16"'),
  t('Планшет', ELECTRONICS, [12000, 70000], 'one', 'gifts', '-p', 0.4, { sale: 2.2, newYear: 2 }, '64 ГБ|128 ГБ'),
  t(
    'Телевизор',
    ELECTRONICS,
    [18000, 90000],
    'one',
    'gifts',
    'mm',
    0.25,
    { sale: 2.6, newYear: 1.5 },
    '43"|50"|55"|65"',
  ),
  t('Умная колонка', ELECTRONICS, [3000, 15000], 'one', 'gifts', '-a', 0.45, { sale: 2, newYear: 2.2 }, 'мини|макс'),
  t('Фитнес-браслет', ELECTRONICS, [2000, 8000], 'one', 'fitness', '-y', 0.5, { sale: 2, defender: 2, newYear: 1.8 }),
  t('Монитор', ELECTRONICS, [9000, 45000], 'one', 'flat', 'My', 0.3, SALE, '24"|27"|32"'),
  t('Роутер', ELECTRONICS, [1800, 9000], 'one', 'flat', 'mm', 0.35, SALE, 'Wi-Fi 5|Wi-Fi 6'),
  t('Внешний аккумулятор', ELECTRONICS, [1000, 4000], 'one', 'summer', '-y', 0.6, SALE, '10000 мА·ч|20000 мА·ч'),
  t('Клавиатура', ELECTRONICS, [900, 7000], 'one', 'flat', 'My', 0.4, SALE, 'механическая|мембранная'),
  t('Электронная книга', ELECTRONICS, [8000, 20000], 'one', 'gifts', 'fo', 0.15, { newYear: 2, womensDay: 1.5 }, '6"'),
  t('Игровая приставка', ELECTRONICS, [30000, 70000], 'one', 'toys', 'My', 0.1, { newYear: 2.5, sale: 2 }),
  t('Кабель USB-C', ELECTRONICS, [200, 900], 'few', 'flat', '-y', 1.3, {}, '1 м|2 м'),

  t('Конструктор', TOYS, [800, 9000], 'one', 'toys', '-p', 1.3, { newYear: 2.2, sale: 1.5 }, '250 деталей|500 деталей'),
  t('Кукла', TOYS, [600, 4000], 'one', 'toys', 'Fp', 0.9, NY, '30 см|45 см'),
  t('Машинка на радиоуправлении', TOYS, [1200, 7000], 'one', 'toys', 'mp', 0.6, { newYear: 2.2, defender: 1.3 }),
  t('Настольная игра', TOYS, [700, 4000], 'one', 'toys', '-p', 0.8, NY, 'семейная|для компании'),
  t('Пазл', TOYS, [300, 1500], 'one', 'toys', 'fp', 0.8, NY, '500 элементов|1000 элементов'),
  t('Мягкая игрушка', TOYS, [400, 3000], 'one', 'toys', 'fa', 0.8, { newYear: 2, valentine: 2.5 }, 'мишка|зайка|кот'),
  t('Набор для творчества', TOYS, [400, 2500], 'one', 'toys', 'Fp', 0.6, { newYear: 1.6, school: 1.5 }),
  t('Водяной пистолет', TOYS, [300, 1500], 'one', 'summer', '-p', 0.3, {}),

  t('Футболка', CLOTHES, [600, 2500], 'few', 'summer', '-y', 1.8, SALE, 'S|M|L|XL'),
  t('Джинсы', CLOTHES, [2000, 7000], 'one', 'flat', '-y', 1, SALE, 'прямые|слим|свободные'),
  t('Кроссовки', CLOTHES, [3000, 14000], 'one', 'spring', '-y', 1.2, { sale: 2, school: 1.5 }, '39|41|43|45'),
  t('Куртка зимняя', CLOTHES, [5000, 20000], 'one', 'cold', '-m', 0.6, SALE, 'M|L|XL'),
  t('Свитер', CLOTHES, [1800, 6000], 'one', 'cold', 'fm', 0.7, { sale: 1.6, newYear: 1.5 }, 'S|M|L'),
  t('Платье', CLOTHES, [1800, 8000], 'one', 'spring', 'Fy', 0.9, { womensDay: 1.6, sale: 1.6 }, '42|44|46|48'),
  t('Носки', CLOTHES, [150, 600], 'pack', 'flat', 'ma', 1.8, { defender: 2.5 }, '3 пары|5 пар|хлопок'),
  t('Шапка', CLOTHES, [600, 2500], 'one', 'cold', '-a', 0.6, {}, 'вязаная|флисовая'),
  t('Школьная форма', CLOTHES, [2500, 8000], 'one', 'school', 'fp', 0.4, { school: 2 }, '128|140|152|164'),
  t('Сапоги зимние', CLOTHES, [4000, 15000], 'one', 'cold', 'Fm', 0.4, SALE, '37|38|39|40'),
  t('Купальник', CLOTHES, [1500, 5000], 'one', 'summer', 'Fy', 0.35, {}, 'слитный|раздельный'),
  t('Шорты', CLOTHES, [800, 2500], 'one', 'summer', 'my', 0.5, {}, 'S|M|L'),

  t('Дрель-шуруповёрт', DIY, [3000, 15000], 'one', 'spring', 'Mm', 0.45, { defender: 3.5, sale: 2 }, '12 В|18 В'),
  t('Набор отвёрток', DIY, [600, 3000], 'one', 'flat', 'Mm', 0.4, { defender: 3 }, '6 предметов|24 предмета'),
  t('Перфоратор', DIY, [5000, 20000], 'one', 'spring', 'Mm', 0.2, { defender: 2.5, sale: 2 }, 'SDS-plus'),
  t('Краска интерьерная', DIY, [800, 4000], 'few', 'spring', '-m', 0.7, {}, '2,5 л|5 л|9 л'),
  t('Шпатель', DIY, [150, 600], 'few', 'spring', 'mm', 0.5, {}, '100 мм|250 мм'),
  t('Рулетка', DIY, [250, 1200], 'one', 'flat', 'Mm', 0.5, { defender: 2 }, '5 м|8 м'),
  t('Семена овощей', DIY, [30, 120], 'pack', 'garden', 'fo', 3, {}, 'томат|огурец|перец|морковь'),
  t('Грунт для рассады', DIY, [150, 600], 'pack', 'garden', '-o', 1.4, {}, '10 л|25 л|50 л'),
  t('Шланг садовый', DIY, [700, 3500], 'one', 'garden', 'mo', 0.4, {}, '15 м|25 м'),
  t('Секатор', DIY, [500, 2500], 'one', 'garden', '-o', 0.4, {}, 'плоскостной|контактный'),
  t('Газонокосилка', DIY, [8000, 30000], 'one', 'garden', 'Mm', 0.1, {}, 'электрическая|бензиновая'),
  t('Лейка', DIY, [300, 1200], 'one', 'garden', 'fo', 0.4, {}, '5 л|10 л'),

  t('Контейнер пластиковый', STORAGE, [150, 700], 'pack', 'flat', 'fm', 1.5, {}, '0,5 л|1 л|2 л'),
  t('Коробка для хранения', STORAGE, [300, 1500], 'few', 'flat', 'fm', 0.8, {}, 'малая|средняя|большая'),
  t('Вешалки', STORAGE, [200, 800], 'pack', 'flat', 'fm', 0.8, {}, '5 шт|10 шт'),
  t('Органайзер', STORAGE, [400, 2000], 'one', 'flat', 'fy', 0.6, {}, 'для косметики|для ящика'),
  t('Стеллаж', STORAGE, [2500, 12000], 'one', 'flat', '-m', 0.2, SALE, '4 полки|5 полок'),
  t('Вакуумные пакеты', STORAGE, [400, 1200], 'few', 'spring', 'fm', 0.5, {}, '60×80 см|5 шт'),
  t('Полка настенная', STORAGE, [700, 3500], 'one', 'flat', '-m', 0.3, {}, '60 см|80 см'),

  t('Средство для мытья посуды', CLEANING, [120, 400], 'pack', 'flat', 'fm', 4, {}, '450 мл|900 мл'),
  t('Стиральный порошок', CLEANING, [400, 1500], 'few', 'flat', 'fm', 2, SALE, '3 кг|6 кг|гель 2 л'),
  t('Губки для посуды', CLEANING, [80, 300], 'pack', 'flat', 'fm', 2.5, {}, '5 шт|10 шт'),
  t('Швабра', CLEANING, [600, 3000], 'one', 'spring', 'fm', 0.4, {}, 'с отжимом|плоская'),
  t('Салфетки из микрофибры', CLEANING, [150, 600], 'few', 'flat', 'fm', 1.2, {}, '3 шт|5 шт'),
  t('Средство для стёкол', CLEANING, [150, 400], 'few', 'spring', 'fm', 1.2, {}, '500 мл'),
  t('Мешки для мусора', CLEANING, [100, 400], 'pack', 'flat', '-a', 3, {}, '30 л|60 л|120 л'),
  t('Робот-пылесос', CLEANING, [12000, 50000], 'one', 'gifts', '-m', 0.15, { sale: 2.6, newYear: 1.5 }),
  t(
    'Пылесос',
    CLEANING,
    [6000, 30000],
    'one',
    'flat',
    '-m',
    0.2,
    { sale: 2.2, womensDay: 1.5 },
    'вертикальный|с мешком',
  ),

  t('Шампунь', BEAUTY, [250, 1200], 'few', 'flat', 'Fa', 2.5, {}, '250 мл|400 мл'),
  t(
    'Крем для лица',
    BEAUTY,
    [400, 4000],
    'one',
    'flat',
    'Fm',
    1.2,
    { womensDay: 2, valentine: 1.5, sale: 1.6 },
    'дневной|ночной|SPF 30',
  ),
  t('Зубная паста', BEAUTY, [120, 450], 'pack', 'flat', '-a', 3, {}, '75 мл|100 мл'),
  t('Гель для душа', BEAUTY, [200, 700], 'few', 'flat', 'fa', 2, {}, '250 мл|500 мл'),
  t('Тушь для ресниц', BEAUTY, [350, 2000], 'one', 'flat', 'Fy', 0.9, { womensDay: 1.8 }, 'объём|удлинение'),
  t(
    'Парфюмерная вода',
    BEAUTY,
    [2500, 15000],
    'one',
    'gifts',
    'Fm',
    0.35,
    { womensDay: 3, valentine: 3, newYear: 2 },
    '30 мл|50 мл|100 мл',
  ),
  t(
    'Туалетная вода мужская',
    BEAUTY,
    [2000, 9000],
    'one',
    'gifts',
    '-m',
    0.25,
    { defender: 4, newYear: 2 },
    '50 мл|100 мл',
  ),
  t('Фен', BEAUTY, [1500, 8000], 'one', 'flat', 'Fy', 0.3, { womensDay: 2, sale: 1.8 }, '1800 Вт|2200 Вт'),
  t('Бритва электрическая', BEAUTY, [2500, 12000], 'one', 'gifts', 'Mm', 0.25, { defender: 4, newYear: 1.8 }),
  t('Витамины', BEAUTY, [300, 1500], 'few', 'health', 'fo', 1.5, {}, '30 капсул|60 капсул|90 таблеток'),
  t('Маска для лица тканевая', BEAUTY, [60, 200], 'pack', 'flat', 'Fy', 1.2, {}, 'увлажняющая|очищающая'),
  t('Подарочный набор косметики', BEAUTY, [1200, 5000], 'one', 'gifts', '-m', 0.3, {
    newYear: 3,
    womensDay: 3.5,
    valentine: 2,
  }),

  t('Велосипед горный', AUTO, [15000, 60000], 'one', 'bike', 'my', 0.15, { sale: 1.5 }, '27,5"|29"'),
  t('Велосипед детский', AUTO, [6000, 20000], 'one', 'bike', '-p', 0.15, {}, '16"|20"|24"'),
  t('Самокат', AUTO, [4000, 20000], 'one', 'bike', '-p', 0.3, {}, 'городской|электрический'),
  t('Велошлем', AUTO, [1500, 5000], 'one', 'bike', '-p', 0.25, {}, 'S|M|L'),
  t('Видеорегистратор', AUTO, [3000, 15000], 'one', 'flat', 'Mm', 0.3, { defender: 2.5, sale: 2 }),
  t('Моторное масло', AUTO, [2000, 5000], 'few', 'flat', 'Mm', 0.5, {}, '4 л|5 л'),
  t('Щётки стеклоочистителя', AUTO, [600, 2500], 'few', 'cold', 'Mm', 0.4, {}, '500 мм|600 мм'),
  t('Автошампунь', AUTO, [300, 900], 'few', 'summer', 'Mm', 0.4, {}, '1 л'),
  t('Компрессор автомобильный', AUTO, [1800, 6000], 'one', 'flat', 'Mm', 0.2, { defender: 2.5 }),
  t('Омыватель зимний', AUTO, [200, 600], 'pack', 'winter', 'Mm', 0.8, {}, '4 л|5 л'),
  t('Коврики автомобильные', AUTO, [1000, 4000], 'one', 'cold', 'Mm', 0.2, {}, 'резиновые|ворсовые'),

  t('Гантели', SPORT, [1000, 6000], 'one', 'fitness', 'my', 0.3, {}, '2×3 кг|2×5 кг|разборные'),
  t('Коврик для йоги', SPORT, [800, 3000], 'one', 'fitness', 'Fy', 0.35, {}, '4 мм|6 мм'),
  t('Палатка', SPORT, [4000, 20000], 'one', 'summer', 'mm', 0.15, {}, '2-местная|4-местная'),
  t('Спальный мешок', SPORT, [2500, 9000], 'one', 'summer', 'mm', 0.15, {}),
  t('Рюкзак туристический', SPORT, [2500, 10000], 'one', 'summer', 'my', 0.2, {}, '40 л|60 л'),
  t('Мяч футбольный', SPORT, [800, 3500], 'one', 'summer', 'mp', 0.3, {}, 'размер 4|размер 5'),
  t('Лыжи беговые', SPORT, [4000, 15000], 'one', 'winter', 'mm', 0.1, {}),
  t('Тюбинг', SPORT, [1000, 4000], 'one', 'winter', '-p', 0.2, NY, '80 см|100 см'),
  t('Мангал', SPORT, [1500, 6000], 'one', 'summer', 'Mm', 0.15, {}, 'складной|стационарный'),
  t('Протеин', SPORT, [1500, 4000], 'few', 'fitness', 'My', 0.3, {}, '900 г|2 кг'),

  t('Влажный корм для кошек', PETS, [40, 90], 'pack', 'flat', 'fa', 4, {}, 'курица 85 г|лосось 85 г|говядина 75 г'),
  t('Сухой корм для кошек', PETS, [700, 3500], 'few', 'flat', 'fa', 1.3, SALE, '1,5 кг|3 кг|10 кг'),
  t('Корм для собак', PETS, [900, 4500], 'few', 'flat', '-a', 1, SALE, '2 кг|3 кг|12 кг'),
  t('Наполнитель для лотка', PETS, [300, 1200], 'few', 'flat', 'fa', 1.4, {}, 'комкующийся 5 л|силикагель 4 л'),
  t('Лежанка', PETS, [900, 4000], 'one', 'cold', 'fa', 0.2, {}, 'S|M|L'),
  t('Когтеточка', PETS, [500, 3000], 'one', 'flat', 'fa', 0.2, {}, 'столбик|домик'),
  t('Поводок', PETS, [400, 2000], 'one', 'spring', '-a', 0.2, {}, 'рулетка 5 м|брезентовый'),
  t('Лакомство для собак', PETS, [100, 400], 'pack', 'flat', '-a', 1.2, {}, '100 г|200 г'),

  t(
    'Букет роз',
    GIFTS,
    [2500, 9000],
    'one',
    'gifts',
    'Mm',
    0.25,
    { valentine: 9, womensDay: 8, school: 3 },
    '15 роз|25 роз|51 роза',
  ),
  t(
    'Букет тюльпанов',
    GIFTS,
    [1500, 5000],
    'one',
    'spring',
    'Mm',
    0.15,
    { womensDay: 14, valentine: 3 },
    '15 тюльпанов|25 тюльпанов',
  ),
  t('Цветок в горшке', GIFTS, [500, 3000], 'one', 'spring', 'Fo', 0.4, { womensDay: 2 }, 'орхидея|фикус|спатифиллум'),
  t(
    'Подарочный сертификат',
    GIFTS,
    [1000, 10000],
    'one',
    'gifts',
    '-m',
    0.2,
    { newYear: 3, womensDay: 3, defender: 3, valentine: 2 },
    '1000 ₽|3000 ₽|5000 ₽',
  ),
  t('Ёлка искусственная', GIFTS, [2500, 15000], 'one', 'festive', '-p', 0.12, { newYear: 2 }, '150 см|180 см|210 см'),
  t('Гирлянда', GIFTS, [400, 3000], 'few', 'festive', 'fa', 0.4, { newYear: 2 }, '5 м|10 м|штора'),
  t('Ёлочные игрушки', GIFTS, [300, 1500], 'few', 'festive', 'fp', 0.4, { newYear: 2 }, 'шары 6 шт|набор 12 шт'),
  t('Открытка', GIFTS, [80, 300], 'few', 'gifts', 'fa', 0.5, {
    newYear: 3,
    valentine: 5,
    womensDay: 4,
    defender: 3,
    school: 2,
  }),
  t('Подарочная упаковка', GIFTS, [100, 400], 'few', 'festive', 'fa', 0.4, { newYear: 2, valentine: 3, womensDay: 3 }),
  t('Свеча ароматическая', GIFTS, [400, 2000], 'one', 'gifts', 'Fy', 0.4, { newYear: 2, valentine: 2.5 }),

  t('Рюкзак школьный', SCHOOL, [2500, 9000], 'one', 'school', '-p', 0.3, { school: 2 }, 'ортопедический|лёгкий'),
  t('Тетради', SCHOOL, [20, 120], 'pack', 'school', 'fp', 2.5, { school: 2.5 }, '12 листов|48 листов|96 листов'),
  t('Ручки', SCHOOL, [30, 300], 'pack', 'school', '-p', 1.5, { school: 2 }, 'синие|гелевые 4 шт'),
  t('Пенал', SCHOOL, [300, 1500], 'one', 'school', 'fp', 0.3, { school: 2 }),
  t('Дневник школьный', SCHOOL, [150, 500], 'one', 'school', 'fp', 0.3, { school: 2.5 }),
  t('Альбом для рисования', SCHOOL, [100, 350], 'pack', 'school', 'fp', 0.8, { school: 2 }, 'А4 24 листа|А3 40 листов'),
  t('Глобус', SCHOOL, [700, 3000], 'one', 'school', '-p', 0.08, { school: 2 }),
  t('Ежедневник', SCHOOL, [400, 2000], 'one', 'gifts', '-m', 0.3, { newYear: 2.5, defender: 1.5 }, 'датированный|А5'),
  t('Бумага для принтера', SCHOOL, [350, 700], 'few', 'flat', '-m', 0.8, {}, 'А4 500 листов'),
  t('Краски акварельные', SCHOOL, [150, 700], 'one', 'school', 'fp', 0.4, { school: 2 }, '12 цветов|24 цвета'),
];

/**
 * How much more (or less) a region buys a type: sunny south gardens and
 * cycles early and long, the cold north and east wear warm clothes, ski and
 * clear windscreens, Moscow's west leans to electronics and beauty.
 */
export function regionAffinity(type: ItemType, region: number): number {
  // REGIONS order: north, south, east, west.
  switch (type.season) {
    case 'garden':
      return [0.6, 1.7, 0.9, 1.0][region] as number;
    case 'bike':
      return [0.6, 1.6, 0.8, 1.15][region] as number;
    case 'cold':
    case 'winter':
      return [1.5, 0.45, 1.45, 0.95][region] as number;
    case 'summer':
      return [0.85, 1.3, 0.9, 1.0][region] as number;
    default:
      break;
  }
  if (type.category === ELECTRONICS) return [1.0, 0.85, 0.9, 1.2][region] as number;
  if (type.category === BEAUTY) return [1.0, 0.95, 0.85, 1.15][region] as number;
  if (type.category === AUTO) return [0.9, 1.0, 1.35, 0.85][region] as number;
  return 1;
}
