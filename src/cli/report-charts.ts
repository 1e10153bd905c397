/**
 * The four charts of the HTML conflict report, as Chart.js configurations built here, in Node,
 * from a `ConflictReport`. The page embeds them as JSON and its script only hands each one to
 * `new Chart(canvas, config)`, so everything a chart shows is decided (and unit-tested) here and
 * the code that runs in the browser stays a few lines long.
 *
 * The configuration types below cover only the Chart.js options this file uses; they are our own
 * because src/ imports no npm packages (chart.js is read as a file and inlined, never imported).
 */
import type { ConflictKind, ConflictReport, WorkerTime } from '../diagnostics/index.js';
import { formatCount, formatMs, placeName, siteName, workerName } from './report-labels.js';

/** The sites chart shows the conflict groups that lost the most time; the rest are in the table. */
export const siteBarsMax = 10;
/**
 * Beyond this many slices the timeline shows only the slices that have records instead of every
 * slice from the start: a column per slice would be too thin to see and too many to embed.
 */
export const timelineColumnsMax = 2000;

/** A category label; an array is drawn as several lines. */
export type ChartLabel = string | readonly string[];

export interface ChartDataset {
  readonly label: string;
  readonly data: readonly number[];
  /** One colour for the dataset, or one per data point. */
  readonly backgroundColor: string | readonly string[];
  /** Datasets with the same stack name are stacked on each other. */
  readonly stack?: string;
}

export interface ChartAxis {
  readonly stacked: boolean;
  readonly beginAtZero: boolean;
  readonly title: { readonly display: boolean; readonly text: string };
  /** Chart.js hides labels that it thinks crowd each other unless told not to. */
  readonly ticks: { readonly autoSkip: boolean };
}

export interface ChartConfig {
  readonly type: 'bar' | 'doughnut';
  readonly data: {
    readonly labels: readonly ChartLabel[];
    readonly datasets: readonly ChartDataset[];
  };
  readonly options: {
    /** Drawn at once: the page is a static report, and a test reads its pixels right after load. */
    readonly animation: false;
    readonly responsive: true;
    readonly maintainAspectRatio: false;
    /** `y` turns a bar chart on its side. */
    readonly indexAxis?: 'x' | 'y';
    readonly scales?: { readonly x: ChartAxis; readonly y: ChartAxis };
    readonly plugins: {
      readonly legend: { readonly display: boolean; readonly position: 'top' | 'right' };
    };
  };
}

export interface ReportChart {
  /** The canvas's id in the page. */
  readonly id: string;
  readonly title: string;
  /** A sentence under the title: what is counted, and how to read it. */
  readonly caption: string;
  /** Why the chart is empty, when it is; the page shows it in place of the drawing. */
  readonly noData?: string;
  readonly config: ChartConfig;
}

/** A report that a chart cannot be drawn from; it comes from a broken aggregation or log. */
export class ReportModelError extends Error {
  readonly code = 'REPORT_MODEL' as const;

  constructor(message: string) {
    super(`conflict report: ${message}`);
    this.name = 'ReportModelError';
  }
}

type Rgb = readonly [number, number, number];

// Distinct hues for up to eight workers; more workers reuse them in order.
const workerHues: readonly Rgb[] = [
  [37, 99, 235],
  [234, 88, 12],
  [22, 163, 74],
  [147, 51, 234],
  [219, 39, 119],
  [13, 148, 136],
  [202, 138, 4],
  [71, 85, 105],
];

const kindHues: Readonly<Record<ConflictKind, Rgb>> = {
  'write-write': [220, 38, 38],
  'write-read': [234, 88, 12],
  inevitable: [147, 51, 234],
  preempted: [37, 99, 235],
  neutralised: [13, 148, 136],
  retry: [100, 116, 139],
  wait: [202, 138, 4],
};

const rgba = ([red, green, blue]: Rgb, alpha: number): string =>
  `rgba(${red}, ${green}, ${blue}, ${alpha})`;

const workerHue = (index: number): Rgb => workerHues[index % workerHues.length] ?? [0, 0, 0];

export const kindColour = (kind: ConflictKind): string => rgba(kindHues[kind], 0.85);

const axis = (text: string, stacked: boolean, autoSkip = true): ChartAxis => ({
  stacked,
  beginAtZero: true,
  title: { display: text.length > 0, text },
  ticks: { autoSkip },
});

const barOptions = (
  indexAxis: 'x' | 'y',
  x: ChartAxis,
  y: ChartAxis,
  legend: boolean,
): ChartConfig['options'] => ({
  animation: false,
  responsive: true,
  maintainAspectRatio: false,
  indexAxis,
  scales: { x, y },
  plugins: { legend: { display: legend, position: 'top' } },
});

/** The four charts, in page order. */
export function reportCharts(report: ConflictReport): readonly ReportChart[] {
  return [timelineChart(report), sitesChart(report), kindsChart(report), workersChart(report)];
}

/** Seconds with as many decimals as a slice needs to tell its neighbours apart. */
function sliceLabel(atMs: number, sliceMs: number): string {
  const decimals = sliceMs >= 100 ? 1 : sliceMs >= 10 ? 2 : 3;
  return (atMs / 1000).toFixed(decimals);
}

export function timelineChart(report: ConflictReport): ReportChart {
  const { sliceMs, timeline } = report;
  if (timeline.length > 0 && !(sliceMs > 0)) {
    throw new ReportModelError(`the timeline has slices but sliceMs is ${sliceMs}`);
  }
  const sliceIndex = (atMs: number): number => Math.round(atMs / sliceMs);
  const lastIndex = timeline.reduce((last, slice) => Math.max(last, sliceIndex(slice.atMs)), -1);
  const columns =
    lastIndex < timelineColumnsMax
      ? Array.from({ length: lastIndex + 1 }, (_, index) => index)
      : [...new Set(timeline.map((slice) => sliceIndex(slice.atMs)))].sort((a, b) => a - b);
  const columnOf = new Map(columns.map((index, column) => [index, column]));

  // Workers in the order of the workers table; threads the table does not know come last.
  const knownThreads = report.workers.map((worker) => worker.thread);
  const threads = [...new Set([...knownThreads, ...timeline.map((slice) => slice.thread)])].filter(
    (thread) => timeline.some((slice) => slice.thread === thread),
  );
  const nameOf = (thread: number): string => {
    const worker = report.workers.find((candidate) => candidate.thread === thread);
    return worker === undefined ? `thread ${thread}` : workerName(worker);
  };

  const datasets = threads.flatMap((thread, workerIndex): ChartDataset[] => {
    const commits = columns.map(() => 0);
    const aborts = columns.map(() => 0);
    for (const slice of timeline) {
      const column = columnOf.get(sliceIndex(slice.atMs));
      if (slice.thread !== thread || column === undefined) continue;
      commits[column] = (commits[column] ?? 0) + slice.commits;
      aborts[column] = (aborts[column] ?? 0) + slice.aborts;
    }
    const hue = workerHue(workerIndex);
    return [
      { label: `${nameOf(thread)} commits`, data: commits, backgroundColor: rgba(hue, 0.85) },
      { label: `${nameOf(thread)} aborts`, data: aborts, backgroundColor: rgba(hue, 0.35) },
    ].map((dataset, index) => ({ ...dataset, stack: index === 0 ? 'commits' : 'aborts' }));
  });

  const xTitle = `seconds from the start (slices of ${sliceMs} ms)`;
  return {
    id: 'chart-timeline',
    title: 'Timeline',
    caption:
      'Commits (left bar of each slice) and aborts (right bar, lighter) per worker over time.',
    ...(datasets.length === 0 ? { noData: 'No transactions were recorded over time.' } : {}),
    config: {
      type: 'bar',
      data: { labels: columns.map((index) => sliceLabel(index * sliceMs, sliceMs)), datasets },
      options: barOptions('x', axis(xTitle, true), axis('transactions', true), true),
    },
  };
}

export function sitesChart(report: ConflictReport): ReportChart {
  const top = [...report.conflicts].sort((a, b) => b.lostMs - a.lostMs).slice(0, siteBarsMax);
  return {
    id: 'chart-sites',
    title: 'Time lost per site',
    caption:
      `The ${siteBarsMax} conflict groups that lost the most time (aborted attempts and waits), ` +
      'by the losing side’s source line and the place in shared memory; coloured by kind.',
    ...(top.length === 0 ? { noData: 'No conflicts were recorded.' } : {}),
    config: {
      type: 'bar',
      data: {
        labels: top.map((conflict) => [
          `${siteName(conflict.site)} · ${conflict.kind}`,
          placeName(conflict),
        ]),
        datasets: [
          {
            label: 'time lost (ms)',
            data: top.map((conflict) => conflict.lostMs),
            backgroundColor: top.map((conflict) => kindColour(conflict.kind)),
          },
        ],
      },
      // Every bar keeps its label: a bar nobody can name is no help.
      options: barOptions('y', axis('time lost (ms)', false), axis('', false, false), false),
    },
  };
}

export function kindsChart(report: ConflictReport): ReportChart {
  const { kinds } = report;
  // Waits and retries can lose no measurable time; then the slices show how often instead.
  const byTime = kinds.some((kind) => kind.lostMs > 0);
  return {
    id: 'chart-kinds',
    title: 'Abort kinds',
    caption: byTime
      ? 'Each kind’s share of the time lost; the labels give the count and the milliseconds.'
      : 'Each kind’s share of the conflicts (none lost measurable time).',
    ...(kinds.length === 0 ? { noData: 'No conflicts were recorded.' } : {}),
    config: {
      type: 'doughnut',
      data: {
        labels: kinds.map(
          (kind) => `${kind.kind}: ${formatCount(kind.count)} × · ${formatMs(kind.lostMs)} ms`,
        ),
        datasets: [
          {
            label: byTime ? 'time lost (ms)' : 'conflicts',
            data: kinds.map((kind) => (byTime ? kind.lostMs : kind.count)),
            backgroundColor: kinds.map((kind) => kindColour(kind.kind)),
          },
        ],
      },
      options: {
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        plugins: { legend: { display: true, position: 'right' } },
      },
    },
  };
}

const timeSplit: readonly { label: string; hue: Rgb; ms: (worker: WorkerTime) => number }[] = [
  { label: 'committed (ms)', hue: [22, 163, 74], ms: (worker) => worker.committedMs },
  { label: 'aborted (ms)', hue: [220, 38, 38], ms: (worker) => worker.abortedMs },
  { label: 'waiting (ms)', hue: [202, 138, 4], ms: (worker) => worker.waitingMs },
];

export function workersChart(report: ConflictReport): ReportChart {
  const { workers } = report;
  return {
    id: 'chart-workers',
    title: 'Time per worker',
    caption: 'Each worker’s time in attempts that committed, that aborted, and waiting on others.',
    ...(workers.length === 0 ? { noData: 'No workers were recorded.' } : {}),
    config: {
      type: 'bar',
      data: {
        labels: workers.map(workerName),
        datasets: timeSplit.map((part) => ({
          label: part.label,
          data: workers.map(part.ms),
          backgroundColor: rgba(part.hue, 0.85),
        })),
      },
      // No legend without workers: it would show under the page's no-data note.
      options: barOptions('x', axis('', true), axis('ms', true), workers.length > 0),
    },
  };
}
