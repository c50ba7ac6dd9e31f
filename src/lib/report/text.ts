import { CATEGORY_EN } from '../generator/item-types.js';
import type { ReportLocale } from './format.js';

/** Every word the report shows, per locale. */
export interface ReportText {
  title: string;
  period: string;
  weeks: (n: number) => string;
  generated: string;
  source: string;
  orders: string;
  revenue: string;
  averageCheck: string;
  buyers: string;
  units: string;
  versusPrevious: (from: string, to: string) => string;
  previousValue: string;
  noPrevious: string;
  partialPrevious: (withData: number, weeks: number) => string;
  regionsTitle: string;
  revenueShare: string;
  orderShare: string;
  region: string;
  share: string;
  total: string;
  weeklyTitle: string;
  weeklyNote: string;
  ordersAxis: string;
  revenueAxis: string;
  missingTitle: string;
  missingNone: string;
  missingAll: string;
  missingWeekCount: (n: number) => string;
  noData: string;
  week: string;
  regionsMissing: string;
  topProductsTitle: string;
  topCategoriesTitle: string;
  product: string;
  category: string;
  unknownCategory: string;
  unknownProduct: (id: number) => string;
  noRows: string;
  regionNames: Record<string, string>;
  /** A category as the store names it (in Russian), in the report's language. */
  categoryName: (category: string) => string;
  calendarTitle: string;
  dailyNote: string;
  noDaily: string;
  peaksTitle: string;
  day: string;
  occasion: string;
  versusMonth: string;
  /** The retail calendar's peak names (src/lib/generator/retail-calendar.ts). */
  peakNames: Record<string, string>;
  categoryMonthsTitle: string;
  categoryMonthsNote: string;
  footer: string;
}

function ruPlural(n: number, one: string, few: string, many: string): string {
  const d10 = n % 10;
  const d100 = n % 100;
  if (d10 === 1 && d100 !== 11) return one;
  if (d10 >= 2 && d10 <= 4 && (d100 < 12 || d100 > 14)) return few;
  return many;
}

const RU: ReportText = {
  title: 'Продажи интернет-магазина',
  period: 'Период',
  weeks: (n) => `${n} ${ruPlural(n, 'неделя', 'недели', 'недель')}`,
  generated: 'Отчёт построен',
  source: 'Источник: ClickHouse',
  orders: 'Заказы',
  revenue: 'Выручка',
  averageCheck: 'Средний чек',
  buyers: 'Покупатели',
  units: 'Штук',
  versusPrevious: (from, to) => `к периоду ${from} — ${to}`,
  previousValue: 'было',
  noPrevious: 'нет данных за предыдущий период',
  partialPrevious: (d, n) => `данные есть за ${d} из ${n} ${ruPlural(n, 'недели', 'недель', 'недель')}`,
  regionsTitle: 'Регионы',
  revenueShare: 'Доля выручки',
  orderShare: 'Доля заказов',
  region: 'Регион',
  share: 'Доля',
  total: 'Итого',
  weeklyTitle: 'Выручка по неделям и регионам',
  weeklyNote: 'Линии — выручка регионов, столбцы — число заказов; красным отмечены недели без данных региона.',
  ordersAxis: 'Заказы',
  revenueAxis: 'Выручка, ₽',
  missingTitle: 'Недели без данных',
  missingNone: 'Данные есть по всем регионам за все недели периода.',
  missingAll: 'все регионы',
  missingWeekCount: (n) => `${n} ${ruPlural(n, 'неделя', 'недели', 'недель')} с пропусками`,
  noData: 'нет данных',
  week: 'Неделя',
  regionsMissing: 'Нет данных по регионам',
  topProductsTitle: 'Лучшие товары по регионам',
  topCategoriesTitle: 'Категории по регионам',
  product: 'Товар',
  category: 'Категория',
  unknownCategory: 'вне каталога',
  unknownProduct: (id) => `товар № ${id}`,
  noRows: 'Нет продаж за период.',
  regionNames: { North: 'Север', South: 'Юг', East: 'Восток', West: 'Запад' },
  categoryName: (c) => c,
  calendarTitle: 'Календарь продаж',
  dailyNote: 'Выручка по дням, все регионы; оранжевым — пиковые дни розничного календаря.',
  noDaily: 'Нет данных по дням: недели опубликованы до появления sales_daily; запустите migrate-click заново.',
  peaksTitle: 'Пиковые дни',
  day: 'День',
  occasion: 'Повод',
  versusMonth: 'К медиане дня месяца',
  peakNames: {
    '11.11': '11.11',
    'Black Friday': 'Чёрная пятница',
    'Cyber Monday': 'Киберпонедельник',
    'before New Year': 'Перед Новым годом',
    '14 February': '14 февраля',
    '23 February': '23 февраля',
    '8 March': '8 Марта',
    'back to school': 'Снова в школу',
  },
  categoryMonthsTitle: 'Доля категорий в выручке по месяцам',
  categoryMonthsNote: 'Чем темнее ячейка, тем выше доля категории в этом месяце относительно её средней за период.',
  footer: 'Все суммы — из sales_etl.sales_agg; покупатели — уникальные по sales_etl.week_buyers за весь период.',
};

const EN: ReportText = {
  title: 'Online store sales',
  period: 'Period',
  weeks: (n) => `${n} week${n === 1 ? '' : 's'}`,
  generated: 'Generated',
  source: 'Source: ClickHouse',
  orders: 'Orders',
  revenue: 'Revenue',
  averageCheck: 'Average check',
  buyers: 'Buyers',
  units: 'Units',
  versusPrevious: (from, to) => `vs. ${from} – ${to}`,
  previousValue: 'was',
  noPrevious: 'no data for the previous period',
  partialPrevious: (d, n) => `data for ${d} of its ${n} weeks only`,
  regionsTitle: 'Regions',
  revenueShare: 'Revenue share',
  orderShare: 'Order share',
  region: 'Region',
  share: 'Share',
  total: 'Total',
  weeklyTitle: 'Weekly revenue by region',
  weeklyNote: "Lines: each region's revenue; bars: orders. Weeks in which a region has no data are marked in red.",
  ordersAxis: 'Orders',
  revenueAxis: 'Revenue, ₽',
  missingTitle: 'Weeks with missing data',
  missingNone: 'Every region has data for every week of the period.',
  missingAll: 'all regions',
  missingWeekCount: (n) => `${n} week${n === 1 ? '' : 's'} with gaps`,
  noData: 'no data',
  week: 'Week',
  regionsMissing: 'Regions without data',
  topProductsTitle: 'Top products by region',
  topCategoriesTitle: 'Categories by region',
  product: 'Product',
  category: 'Category',
  unknownCategory: 'not in catalogue',
  unknownProduct: (id) => `product #${id}`,
  noRows: 'No sales in the period.',
  regionNames: { North: 'North', South: 'South', East: 'East', West: 'West' },
  categoryName: (c) => CATEGORY_EN[c] ?? c,
  calendarTitle: 'The sales calendar',
  dailyNote: 'Revenue by day, all regions; peak days of the retail calendar in orange.',
  noDaily: 'No daily data: the weeks were published before sales_daily existed; run migrate-click again.',
  peaksTitle: 'Peak days',
  day: 'Day',
  occasion: 'Occasion',
  versusMonth: "vs. the month's median day",
  peakNames: {
    '11.11': '11.11',
    'Black Friday': 'Black Friday',
    'Cyber Monday': 'Cyber Monday',
    'before New Year': 'Before New Year',
    '14 February': '14 February',
    '23 February': '23 February',
    '8 March': '8 March',
    'back to school': 'Back to school',
  },
  categoryMonthsTitle: "Each category's share of revenue by month",
  categoryMonthsNote: "The darker a cell, the higher the category's share that month against its average.",
  footer: 'All sums from sales_etl.sales_agg; buyers are distinct over the whole period from sales_etl.week_buyers.',
};

/** The words of a locale. */
export function reportText(locale: ReportLocale): ReportText {
  return locale === 'ru' ? RU : EN;
}
