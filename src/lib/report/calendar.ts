import { dayNumber } from '../core/calendar.js';
import { retailDay } from '../generator/retail-calendar.js';
import { renderSvg } from './charts.js';
import { escapeHtml, type ReportFormat } from './format.js';
import { type Money, toKopecks } from '../core/money.js';
import type { CategoryMonth, DailyFigures } from './queries.js';
import type { ReportText } from './text.js';

/** A named peak of the retail calendar, as the period's figures show it. */
export interface PeakDay {
  day: string;
  /** The retail calendar's name (retail-calendar.ts), untranslated. */
  name: string;
  revenue: Money;
  /** Revenue against the median day of its calendar month in the period. */
  versusMonth: number;
}

const PEAK_COLOR = '#e8772e';
const DAY_COLOR = '#9db4dc';
const GRID = { width: 1180, height: 380, left: 84, right: 24, top: 96, bottom: 40 };

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? 0 : n % 2 ? (s[(n - 1) / 2] as number) : ((s[n / 2 - 1] as number) + (s[n / 2] as number)) / 2;
}

/**
 * The named peak days of the period: each day the retail calendar names,
 * consecutive days of one name reduced to the best of them, with its revenue
 * against the median day of its month.
 */
export function peakDays(daily: readonly DailyFigures[]): PeakDay[] {
  const byMonth = new Map<string, number[]>();
  for (const d of daily) {
    const month = d.day.slice(0, 7);
    byMonth.set(month, [...(byMonth.get(month) ?? []), Number(d.revenue)]);
  }
  const peaks: PeakDay[] = [];
  let last: { name: string; day: number } | undefined;
  for (const d of daily) {
    const n = dayNumber(d.day);
    const name = retailDay(n).peak;
    if (name === undefined) continue;
    const typical = median(byMonth.get(d.day.slice(0, 7)) ?? []);
    const peak = { day: d.day, name, revenue: d.revenue, versusMonth: typical > 0 ? Number(d.revenue) / typical : 0 };
    const previous = peaks[peaks.length - 1];
    if (last && previous && last.name === name && n - last.day <= 3) {
      if (toKopecks(d.revenue) > toKopecks(previous.revenue)) peaks[peaks.length - 1] = peak;
    } else {
      peaks.push(peak);
    }
    last = { name, day: n };
  }
  return peaks;
}

/** Revenue by day as bars, the named peaks in orange with their names above them. */
export function dailyChart(daily: readonly DailyFigures[], text: ReportText, fmt: ReportFormat): string {
  const labelled = new Set(peakDays(daily).map((p) => p.day));
  const short = new Intl.DateTimeFormat(fmt.locale === 'ru' ? 'ru-RU' : 'en-US', {
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  });
  const data = daily.map((d) => {
    const name = retailDay(dayNumber(d.day)).peak;
    const value = Number(d.revenue);
    if (name === undefined) return value;
    return {
      value,
      itemStyle: { color: PEAK_COLOR },
      label: labelled.has(d.day)
        ? {
            show: true,
            position: 'top' as const,
            rotate: 90,
            align: 'left' as const,
            verticalAlign: 'middle' as const,
            fontSize: 11,
            color: '#8a3d0c',
            formatter: `${text.peakNames[name] ?? name} · ${short.format(new Date(`${d.day}T00:00:00Z`))}`,
          }
        : { show: false },
    };
  });
  return renderSvg(
    {
      grid: { left: GRID.left, right: GRID.right, top: GRID.top, bottom: GRID.bottom },
      xAxis: {
        type: 'category',
        data: daily.map((d) => d.day),
        axisLabel: {
          fontSize: 11,
          color: '#5b6576',
          // One label a month, on its first day.
          interval: (_: number, value: string) => value.endsWith('-01'),
          formatter: (value: string) => value.slice(0, 7),
        },
        axisTick: { show: false },
      },
      yAxis: {
        type: 'value',
        name: text.revenueAxis,
        nameTextStyle: { align: 'left', color: '#5b6576' },
        axisLabel: { formatter: (v: number) => fmt.compact(v), color: '#5b6576' },
        splitLine: { lineStyle: { color: '#e6e9ef' } },
      },
      series: [{ type: 'bar', data, barCategoryGap: '15%', itemStyle: { color: DAY_COLOR } }],
    },
    GRID.width,
    GRID.height,
  );
}

/** Shares of revenue: category → month → share of that month's revenue. */
export function categoryShares(rows: readonly CategoryMonth[]): {
  months: string[];
  shares: Map<string, Map<string, number>>;
} {
  const monthTotal = new Map<string, number>();
  for (const r of rows) monthTotal.set(r.month, (monthTotal.get(r.month) ?? 0) + Number(r.revenue));
  const shares = new Map<string, Map<string, number>>();
  for (const r of rows) {
    const m = shares.get(r.category) ?? new Map<string, number>();
    m.set(r.month, Number(r.revenue) / (monthTotal.get(r.month) as number));
    shares.set(r.category, m);
  }
  return { months: [...monthTotal.keys()].sort(), shares };
}

const e = escapeHtml;

/** The table of each category's share by month, shaded by the share against the category's own average. */
export function categoryMonthTable(rows: readonly CategoryMonth[], text: ReportText, fmt: ReportFormat): string {
  const { months, shares } = categoryShares(rows);
  const monthName = new Intl.DateTimeFormat(fmt.locale === 'ru' ? 'ru-RU' : 'en-US', {
    month: 'short',
    year: '2-digit',
    timeZone: 'UTC',
  });
  const total = (c: string) => [...(shares.get(c)?.values() ?? [])].reduce((a, b) => a + b, 0);
  const categories = [...shares.keys()].sort((a, b) => total(b) - total(a) || a.localeCompare(b));
  const head = months.map((m) => `<th scope="col">${e(monthName.format(new Date(`${m}T00:00:00Z`)))}</th>`).join('');
  const body = categories.map((c) => {
    const row = shares.get(c) as Map<string, number>;
    const mean = total(c) / months.length;
    const cells = months.map((m) => {
      const share = row.get(m) ?? 0;
      // Only months above the category's average are shaded: twice the average or more is full colour.
      const heat = mean > 0 ? Math.max(0, Math.min(1, share / mean - 1)) : 0;
      return `<td style="background:rgba(232,119,46,${heat.toFixed(2)})">${e(fmt.percent(share))}</td>`;
    });
    return `<tr><td class="name">${e(c ? text.categoryName(c) : text.unknownCategory)}</td>${cells.join('')}</tr>`;
  });
  return `<table class="data months">
<thead><tr><th scope="col">${e(text.category)}</th>${head}</tr></thead>
<tbody>${body.join('\n')}</tbody>
</table>`;
}

/** The calendar section: revenue by day with its peaks named, the peak table, the category mix by month. */
export function calendarSection(
  daily: readonly DailyFigures[],
  categoryMonths: readonly CategoryMonth[],
  text: ReportText,
  fmt: ReportFormat,
): string {
  if (daily.length === 0) {
    return `<section id="calendar">
<h2>${e(text.calendarTitle)}</h2>
<p class="muted">${e(text.noDaily)}</p>
</section>`;
  }
  const peaks = peakDays(daily).map(
    (p) =>
      `<tr><td>${e(fmt.date(p.day))}</td><td class="name">${e(text.peakNames[p.name] ?? p.name)}</td>` +
      `<td>${e(fmt.money(p.revenue))}</td><td>×${e(p.versusMonth.toFixed(2))}</td></tr>`,
  );
  return (
    `<section id="calendar">
<h2>${e(text.calendarTitle)}</h2>
<figure class="chart" id="chart-daily">${dailyChart(daily, text, fmt)}
<figcaption>${e(text.dailyNote)}</figcaption></figure>
<h3 id="peaks">${e(text.peaksTitle)}</h3>
<table class="data peaks">
<thead><tr><th scope="col">${e(text.day)}</th><th scope="col">${e(text.occasion)}</th>` +
    `<th scope="col">${e(text.revenue)}</th><th scope="col">${e(text.versusMonth)}</th></tr></thead>
<tbody>${peaks.join('\n')}</tbody>
</table>
<h3 id="category-months">${e(text.categoryMonthsTitle)}</h3>
${categoryMonthTable(categoryMonths, text, fmt)}
<p class="muted">${e(text.categoryMonthsNote)}</p>
</section>`
  );
}
