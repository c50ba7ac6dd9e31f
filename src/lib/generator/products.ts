import { intBetween, pick, rngFor, STREAM, WeightedTable, type Rng } from './random.js';
import { csvField } from './customers.js';
import type { GeneratorPlan } from './store-plan.js';

interface Category {
  readonly name: string;
  /** Share of the catalogue. */
  readonly share: number;
  /** How often its products sell, relative to other categories. */
  readonly demand: number;
  /** List prices in roubles, [min, max], drawn log-uniformly. */
  readonly price: readonly [number, number];
  readonly items: readonly string[];
}

/** About a dozen categories with prices typical for each. */
export const CATEGORIES: readonly Category[] = [
  { name: 'Kitchen', share: 0.1, demand: 1, price: [150, 9_000],
    items: ['Сковорода', 'Кастрюля', 'Нож поварской', 'Набор ножей', 'Разделочная доска', 'Тарелка', 'Кружка', 'Половник', 'Форма для выпечки', 'Термос', 'Чайник заварочный', 'Тёрка'] },
  { name: 'Food and drinks', share: 0.12, demand: 2.2, price: [60, 2_500],
    items: ['Кофе в зёрнах', 'Чай чёрный', 'Шоколад горький', 'Масло оливковое', 'Мёд цветочный', 'Макароны', 'Орехи ассорти', 'Сок яблочный', 'Вода минеральная', 'Печенье овсяное', 'Крупа гречневая', 'Варенье'] },
  { name: 'Electronics', share: 0.1, demand: 0.8, price: [900, 120_000],
    items: ['Смартфон', 'Наушники беспроводные', 'Планшет', 'Умная колонка', 'Внешний аккумулятор', 'Электронная книга', 'Фитнес-браслет', 'Ноутбук', 'Монитор', 'Роутер', 'Клавиатура', 'Веб-камера'] },
  { name: 'Toys', share: 0.08, demand: 0.9, price: [200, 12_000],
    items: ['Конструктор', 'Кукла', 'Машинка на радиоуправлении', 'Настольная игра', 'Пазл', 'Мягкая игрушка', 'Мяч детский', 'Железная дорога', 'Набор для творчества', 'Кубик-головоломка'] },
  { name: 'Clothing and shoes', share: 0.12, demand: 1.2, price: [300, 15_000],
    items: ['Футболка', 'Джинсы', 'Кроссовки', 'Куртка', 'Свитер', 'Ботинки', 'Платье', 'Носки, набор', 'Шапка', 'Рубашка', 'Кеды', 'Толстовка'] },
  { name: 'DIY', share: 0.08, demand: 0.6, price: [150, 25_000],
    items: ['Дрель-шуруповёрт', 'Набор отвёрток', 'Молоток', 'Рулетка', 'Уровень строительный', 'Перфоратор', 'Краска интерьерная', 'Шпатель', 'Набор бит', 'Лобзик электрический'] },
  { name: 'Storage', share: 0.06, demand: 0.7, price: [100, 8_000],
    items: ['Контейнер пластиковый', 'Коробка для хранения', 'Вешалка', 'Органайзер', 'Стеллаж', 'Корзина плетёная', 'Вакуумный пакет', 'Полка настенная'] },
  { name: 'Cleaning', share: 0.07, demand: 1.6, price: [60, 3_000],
    items: ['Средство для мытья посуды', 'Швабра', 'Губки, набор', 'Стиральный порошок', 'Салфетки из микрофибры', 'Ведро', 'Освежитель воздуха', 'Средство для стёкол', 'Перчатки хозяйственные'] },
  { name: 'Beauty', share: 0.09, demand: 1.3, price: [90, 9_000],
    items: ['Шампунь', 'Крем для лица', 'Зубная паста', 'Гель для душа', 'Тушь для ресниц', 'Фен', 'Парфюмерная вода', 'Бальзам для губ', 'Маска для волос', 'Крем для рук'] },
  { name: 'Auto and bike', share: 0.07, demand: 0.5, price: [250, 45_000],
    items: ['Видеорегистратор', 'Велошлем', 'Велосипед горный', 'Автошампунь', 'Щётки стеклоочистителя', 'Насос велосипедный', 'Компрессор автомобильный', 'Моторное масло 4 л', 'Велофонарь', 'Автомобильный пылесос'] },
  { name: 'Sports and outdoors', share: 0.06, demand: 0.7, price: [200, 20_000],
    items: ['Гантели', 'Коврик для йоги', 'Палатка', 'Спальный мешок', 'Скакалка', 'Термокружка', 'Рюкзак туристический', 'Мяч футбольный'] },
  { name: 'Pet supplies', share: 0.05, demand: 1.1, price: [100, 5_000],
    items: ['Корм для кошек', 'Корм для собак', 'Наполнитель для лотка', 'Лежанка', 'Когтеточка', 'Поводок', 'Миска', 'Игрушка для собак'] },
];

const BRANDS = ['Север', 'ДомПро', 'Альфа', 'Вектор', 'Радуга', 'Уют', 'Технолайн', 'Гранит', 'Лидер', 'Арктика', 'Меридиан', 'Соната'];
const CODE_LETTERS = 'ABCEKMPTX';

/** A row of `dim/products.csv`, plus how well it sells. */
export interface Product {
  readonly id: number;
  readonly name: string;
  readonly category: string;
  /** List price in kopecks. */
  readonly listPrice: number;
  /** Relative popularity: how often a sale is of this product. */
  readonly popularity: number;
}

/** Shop-style prices: x99 roubles, or xx.90 under 300 roubles; in kopecks. */
function shopPrice(roubles: number): number {
  if (roubles < 300) return Math.max(1, Math.floor(roubles)) * 100 + 90;
  return (Math.floor(roubles / 10) * 10 + 9) * 100;
}

/** A roughly normal draw (mean 0, sd 1), enough for a log-normal popularity. */
function normal(rng: Rng): number {
  return (rng() + rng() + rng() + rng() - 2) * Math.sqrt(3);
}

/** The plan's catalogue, ids 1..plan.products; one stream, so the same for every week. */
export function catalogue(plan: Pick<GeneratorPlan, 'seed' | 'products'>): Product[] {
  const rng = rngFor(plan.seed, STREAM.products);
  const categories = new WeightedTable(CATEGORIES.map((c) => c.share));
  return Array.from({ length: plan.products }, (_, i) => {
    const cat = CATEGORIES[categories.draw(rng)] as Category;
    const [min, max] = cat.price;
    const roubles = min * Math.exp(rng() * Math.log(max / min));
    const code = `${pick(rng, [...CODE_LETTERS])}${pick(rng, [...CODE_LETTERS])}-${intBetween(rng, 10, 990)}`;
    return {
      id: i + 1,
      name: `${pick(rng, cat.items)} ${pick(rng, BRANDS)} ${code}`,
      category: cat.name,
      listPrice: shopPrice(roubles),
      popularity: cat.demand * Math.exp(0.9 * normal(rng)),
    };
  });
}

/** The header of `dim/products.csv` (docs/architecture.md). */
export const PRODUCTS_HEADER = 'product_id,name,category,list_price';

/** Kopecks as `1234.50`. */
export function formatKopecks(kopecks: number): string {
  const sign = kopecks < 0 ? '-' : '';
  const abs = Math.abs(kopecks);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

/** A product as a `dim/products.csv` line (without the newline). */
export function productLine(p: Product): string {
  return `${p.id},${csvField(p.name)},${csvField(p.category)},${formatKopecks(p.listPrice)}`;
}
