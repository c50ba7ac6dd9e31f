import { addWeeks, parseWeek } from '../core/calendar.js';
import { calendarSection } from './calendar.js';
import { REGION_COLORS, FONT_STACK, regionShareChart, weeklyChart } from './charts.js';
import { escapeHtml, type ReportFormat } from './format.js';
import type { Headline, MissingRegionWeek, ReportData, TopLine } from './queries.js';
import type { ReportText } from './text.js';

/** What the page needs besides the data. */
export interface ReportPage {
  data: ReportData;
  text: ReportText;
  fmt: ReportFormat;
  /** When the report was made, epoch milliseconds. */
  generatedAt: number;
  /** Where the figures came from, for the header: 'embedded ClickHouse (data/clickhouse)'. */
  source: string;
}

const e = escapeHtml;

const REGION_ORDER = Object.keys(REGION_COLORS);

function regionsInOrder(names: Iterable<string>): string[] {
  const rank = (r: string) => (REGION_ORDER.includes(r) ? REGION_ORDER.indexOf(r) : 99);
  return [...new Set(names)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

function ratio(now: number, before: number): number | undefined {
  return before > 0 ? now / before - 1 : undefined;
}

interface Kpi {
  key: string;
  label: string;
  raw: string;
  shown: string;
  change: number | undefined;
  before: string | undefined;
}

function kpis(page: ReportPage): Kpi[] {
  const { headline: h, previous } = page.data;
  const p: Headline | undefined = previous?.headline;
  const { fmt, text } = page;
  return [
    {
      key: 'orders',
      label: text.orders,
      raw: String(h.orders),
      shown: fmt.int(h.orders),
      change: p && ratio(h.orders, p.orders),
      before: p && fmt.int(p.orders),
    },
    {
      key: 'revenue',
      label: text.revenue,
      raw: h.revenue,
      shown: fmt.money(h.revenue),
      change: p && ratio(Number(h.revenue), Number(p.revenue)),
      before: p && fmt.money(p.revenue),
    },
    {
      key: 'average-check',
      label: text.averageCheck,
      raw: h.averageCheck ?? '',
      shown: h.averageCheck === null ? '—' : fmt.money(h.averageCheck),
      change:
        p && h.averageCheck !== null && p.averageCheck !== null
          ? ratio(Number(h.averageCheck), Number(p.averageCheck))
          : undefined,
      before: p?.averageCheck == null ? undefined : fmt.money(p.averageCheck),
    },
    {
      key: 'buyers',
      label: text.buyers,
      raw: String(h.buyers),
      shown: fmt.int(h.buyers),
      change: p && ratio(h.buyers, p.buyers),
      before: p && fmt.int(p.buyers),
    },
  ];
}

function kpiCard(k: Kpi, fmt: ReportFormat, text: ReportText): string {
  const direction = k.change === undefined ? '' : k.change > 0 ? 'up' : k.change < 0 ? 'down' : 'flat';
  const delta =
    k.change === undefined
      ? ''
      : `<div class="delta ${direction}">` +
        `<span class="arrow">${direction === 'up' ? '▲' : direction === 'down' ? '▼' : '■'}</span> ` +
        `${e(fmt.change(k.change))}` +
        ` <span class="was">${e(text.previousValue)} ${e(k.before ?? '')}</span></div>`;
  return `<div class="kpi" data-figure="${k.key}" data-value="${e(k.raw)}">
  <div class="kpi-label">${e(k.label)}</div>
  <div class="kpi-value">${e(k.shown)}</div>
  ${delta}
</div>`;
}

function periodLine(page: ReportPage): string {
  const { period } = page.data;
  const { fmt, text } = page;
  const weeks = period.from.id === period.to.id ? period.from.id : `${period.from.id} — ${period.to.id}`;
  return (
    `${e(text.period)}: <strong>${e(weeks)}</strong> ` +
    `(${e(fmt.date(period.from.start))} — ${e(fmt.date(period.to.end))}, ${e(text.weeks(period.weeks.length))})`
  );
}

function compareLine(page: ReportPage): string {
  const prev = page.data.previous;
  const { fmt, text } = page;
  if (!prev) return `<p class="compare muted">${e(text.noPrevious)}</p>`;
  const weeks = prev.period.weeks.length;
  const partial =
    prev.headline.weeksWithData < weeks ? `; ${e(text.partialPrevious(prev.headline.weeksWithData, weeks))}` : '';
  return (
    '<p class="compare muted">' +
    `${e(text.versusPrevious(fmt.date(prev.period.from.start), fmt.date(prev.period.to.end)))} ` +
    `(${e(prev.period.from.id)} — ${e(prev.period.to.id)}${partial})</p>`
  );
}

function dot(region: string): string {
  return `<span class="dot" style="background:${REGION_COLORS[region] ?? '#8a94a6'}"></span>`;
}

function regionTable(page: ReportPage): string {
  const { regions, headline } = page.data;
  const { fmt, text } = page;
  const total = Number(headline.revenue);
  const rows = regionsInOrder(regions.map((r) => r.region)).map((name) => {
    const r = regions.find((x) => x.region === name)!;
    return `<tr data-region="${e(name)}"><th scope="row">${dot(name)}${e(text.regionNames[name] ?? name)}</th>
<td>${e(fmt.int(r.orders))}</td><td>${e(fmt.int(r.units))}</td><td>${e(fmt.money(r.revenue))}</td>
<td>${e(total > 0 ? fmt.percent(Number(r.revenue) / total) : '—')}</td><td>${e(fmt.int(r.buyers))}</td></tr>`;
  });
  return `<table class="data regions">
<thead><tr><th scope="col">${e(text.region)}</th><th scope="col">${e(text.orders)}</th>\
<th scope="col">${e(text.units)}</th><th scope="col">${e(text.revenue)}</th>\
<th scope="col">${e(text.share)}</th><th scope="col">${e(text.buyers)}</th></tr></thead>
<tbody>${rows.join('\n')}</tbody>
<tfoot><tr><th scope="row">${e(text.total)}</th><td>${e(fmt.int(headline.orders))}</td>\
<td>${e(fmt.int(headline.units))}</td><td>${e(fmt.money(headline.revenue))}</td>\
<td>${total > 0 ? e(fmt.percent(1)) : '—'}</td><td>${e(fmt.int(headline.buyers))}</td></tr></tfoot>
</table>`;
}

function missingList(page: ReportPage): string {
  const { missing } = page.data;
  const { fmt, text } = page;
  if (missing.length === 0) return `<p class="ok" id="missing-weeks" data-count="0">${e(text.missingNone)}</p>`;
  const byWeek = new Map<string, MissingRegionWeek[]>();
  for (const m of missing) byWeek.set(m.week, [...(byWeek.get(m.week) ?? []), m]);
  // Consecutive weeks with no data at all read better as one line (a period before the first load).
  const runs: { first: string; last: string; regions: string[] }[] = [];
  for (const [week, list] of byWeek) {
    const regions = regionsInOrder(list.map((m) => m.region));
    const previous = runs[runs.length - 1];
    const whole = regions.length === REGION_ORDER.length;
    if (
      whole &&
      previous &&
      previous.regions.length === REGION_ORDER.length &&
      addWeeks(parseWeek(previous.last), 1).id === week
    ) {
      previous.last = week;
    } else {
      runs.push({ first: week, last: week, regions });
    }
  }
  const rows = runs.map(({ first, last, regions }) => {
    const [a, b] = [parseWeek(first), parseWeek(last)];
    const weeks = first === last ? first : `${first} — ${last}`;
    const shown =
      regions.length === REGION_ORDER.length
        ? text.missingAll
        : regions.map((r) => text.regionNames[r] ?? r).join(', ');
    return (
      `<tr data-week="${e(first === last ? first : `${first}..${last}`)}" data-regions="${e(regions.join(','))}">` +
      `<th scope="row">${e(weeks)}</th><td>${e(fmt.date(a.start))} — ${e(fmt.date(b.end))}</td>` +
      `<td>${e(shown)}</td></tr>`
    );
  });
  return `<p class="muted">${e(text.missingWeekCount(byWeek.size))}</p>
<table class="data missing" id="missing-weeks" data-count="${byWeek.size}">
<thead><tr><th scope="col">${e(text.week)}</th><th scope="col">${e(text.period)}</th>\
<th scope="col">${e(text.regionsMissing)}</th></tr></thead>
<tbody>${rows.join('\n')}</tbody>
</table>`;
}

function topTables(page: ReportPage, lines: readonly TopLine[], kind: 'products' | 'categories'): string {
  const { fmt, text } = page;
  const regions = regionsInOrder([...REGION_ORDER, ...lines.map((l) => l.region)]);
  const cards = regions.map((region) => {
    const mine = lines.filter((l) => l.region === region);
    const head =
      kind === 'products'
        ? `<th scope="col">#</th><th scope="col">${e(text.product)}</th><th scope="col">${e(text.category)}</th>`
        : `<th scope="col">#</th><th scope="col">${e(text.category)}</th>`;
    const body = mine.map((l, i) => {
      const label =
        kind === 'products'
          ? `<td class="name">${e(l.name || text.unknownProduct(l.productId ?? 0))}</td>` +
            `<td class="cat">${e(l.category ? text.categoryName(l.category) : text.unknownCategory)}</td>`
          : `<td class="name">${e(l.name ? text.categoryName(l.name) : text.unknownCategory)}</td>`;
      return (
        `<tr><td class="rank">${i + 1}</td>${label}` +
        `<td>${e(fmt.int(l.units))}</td><td>${e(fmt.money(l.revenue))}</td></tr>`
      );
    });
    const table =
      mine.length === 0
        ? `<p class="muted">${e(text.noRows)}</p>`
        : `<table class="data top">
<thead><tr>${head}<th scope="col">${e(text.units)}</th><th scope="col">${e(text.revenue)}</th></tr></thead>
<tbody>${body.join('\n')}</tbody>
</table>`;
    return `<div class="card top-${kind}" data-region="${e(region)}">\
<h3>${dot(region)}${e(text.regionNames[region] ?? region)}</h3>
${table}
</div>`;
  });
  return `<div class="grid2">${cards.join('\n')}</div>`;
}

const STYLE = `
*{box-sizing:border-box}
html{background:#f4f6f9}
body{margin:0;font-family:${FONT_STACK};color:#1f2733;font-size:14px;line-height:1.45;\
-webkit-font-smoothing:antialiased}
main{max-width:1240px;margin:0 auto;padding:28px 28px 40px}
header{margin-bottom:18px}
h1{font-size:26px;margin:0 0 4px;font-weight:650;letter-spacing:-.01em}
h2{font-size:18px;margin:0 0 12px;font-weight:650}
h3{font-size:15px;margin:0 0 8px;font-weight:600;display:flex;align-items:center}
.period{margin:0;font-size:15px}
.meta,.muted{color:#667085;font-size:13px;margin:4px 0 0}
.kpis{display:grid;grid-template-columns:repeat(4,1fr);gap:14px;margin:18px 0 6px}
.kpi{background:#fff;border-radius:10px;padding:14px 16px;box-shadow:0 1px 2px rgba(16,24,40,.08);\
border:1px solid #e6e9ef}
.kpi-label{color:#667085;font-size:13px;text-transform:uppercase;letter-spacing:.04em}
.kpi-value{font-size:27px;font-weight:650;margin:4px 0 2px;font-variant-numeric:tabular-nums;white-space:nowrap}
.delta{font-size:13px;font-variant-numeric:tabular-nums}
.delta.up{color:#18794e}.delta.down{color:#c4320a}.delta.flat{color:#667085}
.delta .was{color:#667085;margin-left:4px}
.arrow{font-size:10px}
section{background:#fff;border-radius:10px;border:1px solid #e6e9ef;box-shadow:0 1px 2px rgba(16,24,40,.06);\
padding:18px 20px;margin-top:18px}
figure{margin:0}
figure svg{display:block;max-width:100%;height:auto;margin:0 auto}
figcaption{color:#667085;font-size:13px;margin-top:4px}
.regions-layout{display:grid;grid-template-columns:minmax(0,540px) minmax(0,1fr);gap:20px;align-items:center}
table.data{border-collapse:collapse;width:100%;font-variant-numeric:tabular-nums}
table.data th,table.data td{padding:6px 8px;border-bottom:1px solid #eef0f4;text-align:right;white-space:nowrap}
table.data th:first-child,table.data td.name,table.data td.cat,table.data thead th:nth-child(2){text-align:left}
table.data td.name{white-space:normal}
table.data td.cat{color:#667085;white-space:normal}
table.data td.rank{color:#98a2b3;width:2em}
table.data thead th{color:#667085;font-weight:600;font-size:12px;text-transform:uppercase;letter-spacing:.03em;\
border-bottom:1px solid #d0d5dd}
table.data tbody tr:nth-child(even){background:#fafbfc}
table.data tfoot th,table.data tfoot td{font-weight:650;border-top:1px solid #d0d5dd;border-bottom:none}
table.regions thead th:nth-child(2){text-align:right}
table.missing td,table.missing th{text-align:left}
h3#missing{margin-top:18px}
table.missing{max-width:760px}
table.peaks{max-width:760px}
h3#peaks,h3#category-months{margin-top:18px}
table.months td,table.months th{padding:5px 6px;font-size:12px}
.grid2{display:grid;grid-template-columns:1fr 1fr;gap:16px}
.card{border:1px solid #eef0f4;border-radius:8px;padding:12px 14px}
.dot{display:inline-block;width:10px;height:10px;border-radius:50%;margin-right:8px;flex:none}
.ok{color:#18794e}
footer{color:#98a2b3;font-size:12px;margin-top:18px;text-align:center}
@media (max-width:900px){.kpis{grid-template-columns:repeat(2,1fr)}.grid2,.regions-layout{grid-template-columns:1fr}}
@media print{html{background:#fff}section{box-shadow:none;break-inside:avoid}}
`;

/** The whole report as one self-contained HTML document: inline CSS and SVG, no script, no external resource. */
export function renderReportHtml(page: ReportPage): string {
  const { data, text, fmt } = page;
  const { period } = data;
  const title = `${text.title} · ${period.from.id} — ${period.to.id}`;
  return `<!DOCTYPE html>
<html lang="${fmt.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="sales-etl report">
<title>${e(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>${e(text.title)}</h1>
<p class="period">${periodLine(page)}</p>
<p class="meta">${e(text.generated)} \
<time datetime="${new Date(page.generatedAt).toISOString()}">${e(fmt.dateTime(page.generatedAt))}</time> \
· ${e(text.source)} — ${e(page.source)}</p>
</header>
<div class="kpis" id="headline">
${kpis(page)
  .map((k) => kpiCard(k, fmt, text))
  .join('\n')}
</div>
${compareLine(page)}
<section id="regions">
<h2>${e(text.regionsTitle)}</h2>
<div class="regions-layout">
<figure class="chart" id="chart-regions">${regionShareChart(data.regions, text, fmt)}</figure>
${regionTable(page)}
</div>
</section>
<section id="weekly">
<h2>${e(text.weeklyTitle)}</h2>
<figure class="chart" id="chart-weekly">${weeklyChart(period.weeks, data.weekly, data.missing, text, fmt)}
<figcaption>${e(text.weeklyNote)}</figcaption></figure>
<h3 id="missing">${e(text.missingTitle)}</h3>
${missingList(page)}
</section>
${calendarSection(data.daily, data.categoryMonths, text, fmt)}
<section id="top-products">
<h2>${e(text.topProductsTitle)}</h2>
${topTables(page, data.topProducts, 'products')}
</section>
<section id="top-categories">
<h2>${e(text.topCategoriesTitle)}</h2>
${topTables(page, data.topCategories, 'categories')}
</section>
<footer>${e(text.footer)}</footer>
</main>
</body>
</html>
`;
}
