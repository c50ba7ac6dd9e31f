import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { GridComponent, LegendComponent, MarkAreaComponent, TitleComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import type { Week } from '../core/calendar.js';
import type { ReportFormat } from './format.js';
import type { MissingRegionWeek, RegionFigures, WeeklyFigures } from './queries.js';
import type { ReportText } from './text.js';

echarts.use([
  BarChart,
  LineChart,
  PieChart,
  GridComponent,
  LegendComponent,
  MarkAreaComponent,
  TitleComponent,
  SVGRenderer,
]);

/** The regions in display order, with their chart colours. */
export const REGION_COLORS: Record<string, string> = {
  North: '#2f6fdf',
  South: '#e8772e',
  East: '#2aa876',
  West: '#8e5bd6',
};
const REGION_ORDER = Object.keys(REGION_COLORS);
const OTHER_COLOR = '#8a94a6';
const MISSING_COLOR = 'rgba(220, 53, 69, 0.16)';
/** System fonts only: the file must open offline. */
export const FONT_STACK = "'Segoe UI', 'Helvetica Neue', 'DejaVu Sans', 'Liberation Sans', Arial, sans-serif";

/** The weekly chart's size and plot margins, in pixels. */
const GRID = { width: 1180, height: 440, left: 84, right: 72, top: 56, bottom: 56 };

type Option = Parameters<echarts.ECharts['setOption']>[0];

/** Render an option to an SVG string on the server: no DOM, no animation, no script in the output. */
export function renderSvg(option: Option, width: number, height: number): string {
  const chart = echarts.init(null, null, { renderer: 'svg', ssr: true, width, height });
  try {
    chart.setOption({ animation: false, textStyle: { fontFamily: FONT_STACK, color: '#2b3340' }, ...option });
    return chart.renderToSVGString();
  } finally {
    // Disposing also stops zrender's frame timer, which would keep the process alive.
    chart.dispose();
  }
}

function regionOrder(a: string, b: string): number {
  const ia = REGION_ORDER.indexOf(a);
  const ib = REGION_ORDER.indexOf(b);
  return (ia === -1 ? 99 : ia) - (ib === -1 ? 99 : ib) || a.localeCompare(b);
}

function colorOf(region: string): string {
  return REGION_COLORS[region] ?? OTHER_COLOR;
}

/** Two donuts: each region's share of revenue and of orders. */
export function regionShareChart(regions: readonly RegionFigures[], text: ReportText, fmt: ReportFormat): string {
  const sorted = [...regions].sort((a, b) => regionOrder(a.region, b.region));
  const name = (region: string) => text.regionNames[region] ?? region;
  const donut = (title: string, center: string, values: number[]) => ({
    type: 'pie' as const,
    name: title,
    radius: ['40%', '72%'],
    center: [center, '52%'],
    // Percentages sit on the ring and the names in the legend: outside labels get
    // truncated at the chart's edge.
    label: {
      position: 'inside' as const,
      formatter: (p: { percent: number }) => fmt.percent(p.percent / 100),
      color: '#fff',
      fontSize: 12,
      fontWeight: 600,
    },
    labelLine: { show: false },
    itemStyle: { borderColor: '#fff', borderWidth: 2 },
    data: sorted.map((r, i) => ({ name: name(r.region), value: values[i], itemStyle: { color: colorOf(r.region) } })),
  });
  return renderSvg(
    {
      title: [
        {
          text: text.revenueShare,
          left: '25%',
          top: 6,
          textAlign: 'center',
          textStyle: { fontSize: 15, fontWeight: 600 },
        },
        {
          text: text.orderShare,
          left: '75%',
          top: 6,
          textAlign: 'center',
          textStyle: { fontSize: 15, fontWeight: 600 },
        },
      ],
      legend: { bottom: 4, itemGap: 16, textStyle: { fontSize: 13 }, data: sorted.map((r) => name(r.region)) },
      series: [
        donut(
          text.revenueShare,
          '25%',
          sorted.map((r) => Number(r.revenue)),
        ),
        donut(
          text.orderShare,
          '75%',
          sorted.map((r) => r.orders),
        ),
      ],
    },
    560,
    300,
  );
}

/** The short mark of a region in a narrow week band: its initial. */
function initial(region: string, text: ReportText): string {
  return (text.regionNames[region] ?? region).slice(0, 1);
}

/** The shaded spans of the weekly chart: one per week with gaps, consecutive weeks with no data at all merged. */
function spans(
  weeks: readonly Week[],
  gaps: Map<string, string[]>,
): { first: number; last: number; regions: string[] }[] {
  const out: { first: number; last: number; regions: string[] }[] = [];
  weeks.forEach((week, i) => {
    const regions = gaps.get(week.id);
    if (!regions) return;
    const previous = out[out.length - 1];
    const whole = regions.length === REGION_ORDER.length;
    if (whole && previous && previous.last === i - 1 && previous.regions.length === REGION_ORDER.length)
      previous.last = i;
    else out.push({ first: i, last: i, regions: [...regions].sort(regionOrder) });
  });
  return out;
}

/**
 * Weekly revenue per region as lines over the weeks' order counts as bars; the
 * weeks in which a region has no rows are shaded red and carry the regions' initials.
 */
export function weeklyChart(
  weeks: readonly Week[],
  weekly: readonly WeeklyFigures[],
  missing: readonly MissingRegionWeek[],
  text: ReportText,
  fmt: ReportFormat,
): string {
  const index = new Map(weeks.map((w, i) => [w.id, i]));
  const regions = [...new Set([...REGION_ORDER, ...weekly.map((w) => w.region)])].sort(regionOrder);
  const revenue = new Map<string, (number | null)[]>(regions.map((r) => [r, weeks.map(() => null)]));
  const orders: number[] = weeks.map(() => 0);
  for (const row of weekly) {
    const i = index.get(row.week);
    if (i === undefined) continue;
    revenue.get(row.region)![i] = Number(row.revenue);
    orders[i]! += row.orders;
  }
  const gaps = new Map<string, string[]>();
  for (const m of missing) gaps.set(m.week, [...(gaps.get(m.week) ?? []), m.region]);
  const label = (w: Week) => `${w.id.slice(2)}`;
  // The band of a week, in pixels: a category axis has no coordinate for "the whole
  // category", and the grid's size is ours, so the band is computed here.
  const band = (GRID.width - GRID.left - GRID.right) / Math.max(weeks.length, 1);
  const markArea = {
    silent: true,
    itemStyle: { color: MISSING_COLOR },
    label: { position: 'insideTop' as const, color: '#b02a37', fontSize: 11, fontWeight: 700, lineHeight: 13 },
    data: spans(weeks, gaps).map(({ first, last, regions }) => [
      {
        name: regions.length === REGION_ORDER.length ? '∅' : regions.map((r) => initial(r, text)).join('\n'),
        x: GRID.left + first * band + 1,
        y: GRID.top,
      },
      { x: GRID.left + (last + 1) * band - 1, y: GRID.height - GRID.bottom },
    ]),
  };
  const dense = weeks.length > 26;
  return renderSvg(
    {
      legend: {
        top: 4,
        itemGap: 18,
        textStyle: { fontSize: 13 },
        data: [...regions.map((r) => text.regionNames[r] ?? r), text.ordersAxis],
      },
      grid: { left: GRID.left, right: GRID.right, top: GRID.top, bottom: GRID.bottom },
      xAxis: {
        type: 'category',
        data: weeks.map(label),
        axisLabel: {
          fontSize: 11,
          rotate: dense ? 45 : 0,
          interval: weeks.length > 60 ? 'auto' : dense ? 1 : 0,
          color: '#5b6576',
        },
        axisTick: { alignWithLabel: true },
      },
      yAxis: [
        {
          type: 'value',
          name: text.revenueAxis,
          nameTextStyle: { align: 'left', color: '#5b6576' },
          axisLabel: { formatter: (v: number) => fmt.compact(v), color: '#5b6576' },
          splitLine: { lineStyle: { color: '#e6e9ef' } },
        },
        {
          type: 'value',
          name: text.ordersAxis,
          nameTextStyle: { align: 'right', color: '#5b6576' },
          axisLabel: { formatter: (v: number) => fmt.compact(v), color: '#5b6576' },
          splitLine: { show: false },
        },
      ],
      series: [
        {
          type: 'bar',
          name: text.ordersAxis,
          yAxisIndex: 1,
          data: orders,
          barWidth: '55%',
          itemStyle: { color: '#cfd6e2' },
          z: 1,
          markArea,
        },
        ...regions.map((region) => ({
          type: 'line' as const,
          name: text.regionNames[region] ?? region,
          data: revenue.get(region)!,
          connectNulls: false,
          showSymbol: weeks.length <= 26,
          symbolSize: 5,
          lineStyle: { width: 2.2 },
          itemStyle: { color: colorOf(region) },
          z: 3,
        })),
      ],
    },
    GRID.width,
    GRID.height,
  );
}
