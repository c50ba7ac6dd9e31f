import { MOSCOW_TZ } from '../core/calendar.js';

/** The languages and number formats the report comes in. */
export const REPORT_LOCALES = ['ru', 'en'] as const;
export type ReportLocale = (typeof REPORT_LOCALES)[number];

/** Numbers, money and dates as an analyst of the locale reads them. */
export interface ReportFormat {
  readonly locale: ReportLocale;
  /** `1 234 567` (ru, narrow no-break space) or `1,234,567` (en). */
  int(n: number): string;
  /** An exact decimal string as roubles: `1 234,50 ₽` or `₽1,234.50`; no rounding through floats. */
  money(amount: string): string;
  /** Whole roubles (rounded), for chart labels: `1 234 568 ₽`. */
  moneyShort(amount: number): string;
  /** A large number in short form, for chart axes: `1,2 млн` or `1.2M`. */
  compact(n: number): string;
  /** A share 0..1 as percent with one decimal: `12,3 %` or `12.3%`. */
  percent(share: number): string;
  /** A relative change as signed percent: `+4,2 %`, `−1,0 %`. */
  change(ratio: number): string;
  /** A calendar date `YYYY-MM-DD` written out: `13 мая 2024` or `May 13, 2024`. */
  date(day: string): string;
  /** An instant in Moscow time: `13 мая 2024, 12:45 MSK`. */
  dateTime(ms: number): string;
}

/** The narrow no-break space (U+202F) Russian typography uses between thousands. */
export const THIN_SPACE = '\u202f';

const INTL_LOCALE: Record<ReportLocale, string> = { ru: 'ru-RU', en: 'en-US' };

/** Format with Intl, putting a thin space where ICU uses a plain no-break space for grouping in Russian. */
function formatter(locale: ReportLocale, options: Intl.NumberFormatOptions): (value: number | string) => string {
  const nf = new Intl.NumberFormat(INTL_LOCALE[locale], options);
  // Intl.NumberFormat formats a decimal string exactly (ECMA-402 "Intl.NumberFormat v3"); the
  // typings only admit numbers and bigints.
  const parts = nf.formatToParts as unknown as (value: number | string) => Intl.NumberFormatPart[];
  return (value) =>
    parts
      .call(nf, value)
      .map((p) => (locale === 'ru' && p.type === 'group' ? THIN_SPACE : p.value))
      .join('');
}

/** The formatter of a locale. */
export function createReportFormat(locale: ReportLocale): ReportFormat {
  const intl = INTL_LOCALE[locale];
  const int = formatter(locale, { maximumFractionDigits: 0 });
  const rub = formatter(locale, {
    style: 'currency',
    currency: 'RUB',
    currencyDisplay: 'narrowSymbol',
    minimumFractionDigits: 2,
    maximumFractionDigits: 2,
  });
  const rubWhole = formatter(locale, {
    style: 'currency',
    currency: 'RUB',
    currencyDisplay: 'narrowSymbol',
    maximumFractionDigits: 0,
  });
  const short = formatter(locale, { notation: 'compact', maximumFractionDigits: 1 });
  const pct = formatter(locale, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const signed = formatter(locale, {
    style: 'percent',
    minimumFractionDigits: 1,
    maximumFractionDigits: 1,
    signDisplay: 'exceptZero',
  });
  const day = new Intl.DateTimeFormat(intl, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
  const instant = new Intl.DateTimeFormat(intl, {
    day: 'numeric',
    month: 'long',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZone: MOSCOW_TZ,
  });
  return {
    locale,
    int: (n) => int(n),
    money: (amount) => rub(amount),
    moneyShort: (amount) => rubWhole(Math.round(amount)),
    compact: (n) => short(n),
    percent: (share) => pct(share),
    // A true minus sign reads better than a hyphen next to a plus.
    change: (ratio) => signed(ratio).replace('-', '\u2212'),
    date: (d) => day.format(new Date(`${d}T00:00:00Z`)),
    dateTime: (ms) => `${instant.format(new Date(ms))} MSK`,
  };
}

/** Text made safe for HTML content and attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
