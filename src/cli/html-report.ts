/**
 * The conflict report as one self-contained HTML page (`shared-objects report --html`): a header
 * with the run's totals, four charts (report-charts.ts) and tables of the top conflicts and of
 * the workers. The page must open offline, from a CI artefact or a mail attachment, so nothing is
 * fetched: Chart.js is read from its package here and inlined, styles are inline, fonts are the
 * system's. A Content-Security-Policy pins the page to exactly its own two scripts, by hash, so a
 * report can never load anything, whatever the log it was made from contained.
 *
 * Every text from the report (keys, paths, source lines, task names) is HTML-escaped, and the
 * chart data is embedded as JSON with `<`, `>` and `&` written as `\u003c`-style escapes, so a
 * key such as `</script>` stays a string.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { ConflictReport, ConflictSummary, ReportSite } from '../diagnostics/index.js';
import { reportCharts, type ReportChart } from './report-charts.js';
import {
  formatCount,
  formatDuration,
  formatMs,
  formatShare,
  placeName,
  siteLocation,
  siteName,
  workerName,
} from './report-labels.js';

/** The conflicts table lists this many groups; the rest are counted under it. */
export const conflictRowsMax = 25;

/** Chart.js's browser build could not be found or cannot be inlined. */
export class ChartLibraryError extends Error {
  readonly code = 'CHART_LIBRARY' as const;

  constructor(message: string, options?: ErrorOptions) {
    super(`HTML report: ${message}`, options);
    this.name = 'ChartLibraryError';
  }
}

interface ChartLibrary {
  /** The UMD build, made safe to place inside a `<script>` element. */
  readonly code: string;
  readonly version: string;
}

let chartLibrary: ChartLibrary | undefined;

/**
 * Chart.js's `exports` map does not list its UMD build (nor its package.json), so the build is
 * found next to the CommonJS entry that `exports` does name; that works from src/ under tsx and
 * from dist/ alike, since both resolve from this package's own node_modules.
 */
function loadChartLibrary(): ChartLibrary {
  if (chartLibrary !== undefined) return chartLibrary;
  let entry: string;
  try {
    entry = createRequire(import.meta.url).resolve('chart.js');
  } catch (error) {
    throw new ChartLibraryError('cannot find the chart.js package; is it installed?', {
      cause: error,
    });
  }
  const file = join(dirname(entry), 'chart.umd.min.js');
  if (!existsSync(file)) {
    throw new ChartLibraryError(`chart.js has no browser build at ${file}`);
  }
  const source = readFileSync(file, 'utf8');
  // `<!--` inside a script element changes how the HTML parser finds its end; the build has
  // none today, and rewriting it is not safe in every JavaScript context, so refuse instead.
  if (source.includes('<!--')) {
    throw new ChartLibraryError(`${file} contains "<!--" and cannot be inlined safely`);
  }
  chartLibrary = {
    // `<\/` means `</` in JavaScript strings and regular expressions, but ends no script element.
    code: source.replace(/<\/(script)/gi, '<\\/$1'),
    version: /Chart\.js v(\d+\.\d+\.\d+)/.exec(source)?.[1] ?? 'unknown',
  };
  return chartLibrary;
}

const htmlEscapes: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Text for an element's content or a quoted attribute value. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => htmlEscapes[character] ?? character);
}

/**
 * JSON that can sit inside a `<script>` element: none of `<`, `>`, `&` appears literally (they
 * occur only inside JSON strings, where the `\u` escapes mean the same characters), and the two
 * line separators that older JavaScript parsers refuse inside strings are escaped too.
 */
export function scriptSafeJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[<>&\u2028\u2029]/g,
    (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

const chartsDataId = 'report-charts';

// Runs in the browser after Chart.js: every chart's configuration was built in Node.
const pageScript = `(() => {
  'use strict';
  const charts = JSON.parse(document.getElementById('${chartsDataId}').textContent);
  Chart.defaults.font.family = getComputedStyle(document.body).fontFamily;
  for (const chart of charts) new Chart(document.getElementById(chart.id), chart.config);
})();`;

const scriptHash = (code: string): string =>
  `'sha256-${createHash('sha256').update(code, 'utf8').digest('base64')}'`;

const styles = `
:root { color-scheme: light; --muted: #64748b; --line: #e2e8f0; --panel: #f8fafc; }
* { box-sizing: border-box; }
body { margin: 0 auto; max-width: 1400px; padding: 24px; color: #0f172a;
  font: 14px/1.45 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; }
h1 { margin: 0 0 8px; font-size: 24px; }
h2 { margin: 0 0 4px; font-size: 17px; }
.meta { display: grid; grid-template-columns: max-content 1fr; gap: 2px 16px; margin: 0 0 16px; }
.meta dt { color: var(--muted); }
.meta dd { margin: 0; overflow-wrap: anywhere; }
.totals { display: flex; flex-wrap: wrap; gap: 12px; margin-bottom: 16px; }
.total { background: var(--panel); border: 1px solid var(--line); border-radius: 6px;
  padding: 8px 14px; min-width: 150px; }
.total .value { font-size: 20px; font-weight: 600; }
.total .label, .caption, .muted { color: var(--muted); }
.note { border-left: 4px solid; padding: 8px 12px; margin: 8px 0; border-radius: 4px; }
.note.good { border-color: #16a34a; background: #f0fdf4; }
.note.warn { border-color: #ca8a04; background: #fefce8; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(560px, 1fr)); gap: 16px; }
figure { margin: 0; padding: 12px; border: 1px solid var(--line); border-radius: 6px; }
.caption { margin: 0 0 8px; font-size: 13px; }
.plot { position: relative; height: 400px; }
.no-data { position: absolute; inset: 0; display: flex; align-items: center;
  justify-content: center; color: var(--muted); margin: 0; }
section { margin-top: 28px; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left;
  vertical-align: top; }
th { background: var(--panel); position: sticky; top: 0; }
td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
code { font: 12px/1.4 ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
  background: var(--panel); padding: 1px 4px; border-radius: 3px; overflow-wrap: anywhere; }
.site { display: block; font-weight: 600; }
.kind { white-space: nowrap; font-weight: 600; }
footer { margin-top: 28px; color: var(--muted); font-size: 12px; }
`;

/** The whole page for `report`, as one string of HTML with Chart.js inlined. */
export function renderHtmlReport(report: ConflictReport): string {
  const library = loadChartLibrary();
  const charts = reportCharts(report);
  const policy = [
    "default-src 'none'",
    `script-src ${scriptHash(library.code)} ${scriptHash(pageScript)}`,
    "style-src 'unsafe-inline'",
    "img-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
  ].join('; ');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(policy)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conflict report · ${escapeHtml(report.source)}</title>
<style>${styles}</style>
</head>
<body>
${headerHtml(report)}
<div class="charts">
${charts.map(chartHtml).join('\n')}
</div>
${conflictsHtml(report)}
${workersHtml(report)}
<footer>Made by shared-objects. Charts drawn by Chart.js v${escapeHtml(library.version)}
(MIT licence), inlined in this page: it needs no network.</footer>
<script type="application/json" id="${chartsDataId}">${scriptSafeJson(charts)}</script>
<script>${library.code}</script>
<script>${pageScript}</script>
</body>
</html>
`;
}

function headerHtml(report: ConflictReport): string {
  const { totals } = report;
  const spentMs = totals.committedMs + totals.abortedMs + totals.waitingMs;
  const attempts = totals.commits + totals.aborts;
  const started = Number.isFinite(report.startedAt)
    ? new Date(report.startedAt).toISOString()
    : 'unknown';
  const total = (value: string, label: string): string =>
    `<div class="total"><div class="value">${escapeHtml(value)}</div>` +
    `<div class="label">${escapeHtml(label)}</div></div>`;
  const notes: string[] = [];
  if (report.conflicts.length === 0) {
    notes.push(
      '<p class="note good">No conflicts were recorded: no attempt aborted or waited because ' +
        'of another transaction.' +
        (totals.aborts > 0
          ? ` (The workers counted ${escapeHtml(formatCount(totals.aborts))} aborts, ` +
            'but the log holds no conflict records for them.)'
          : '') +
        '</p>',
    );
  }
  if (report.skippedLines > 0) {
    notes.push(
      `<p class="note warn">${escapeHtml(formatCount(report.skippedLines))} line(s) of the log ` +
        'did not parse and were skipped (a torn last line of a killed run, or corruption).</p>',
    );
  }
  return `<header>
<h1>Conflict report</h1>
<dl class="meta">
<dt>Source</dt><dd>${escapeHtml(report.source)}</dd>
<dt>Started</dt><dd>${escapeHtml(started)}</dd>
<dt>Duration</dt><dd>${escapeHtml(formatDuration(report.durationMs))}</dd>
<dt>Workers</dt><dd>${escapeHtml(formatCount(report.workers.length))}</dd>
</dl>
<div class="totals">
${total(formatCount(totals.commits), 'commits')}
${total(formatCount(totals.aborts), `aborts (${formatShare(totals.aborts, attempts)} of attempts)`)}
${total(formatMs(totals.committedMs), `ms committed (${formatShare(totals.committedMs, spentMs)})`)}
${total(formatMs(totals.abortedMs), `ms aborted (${formatShare(totals.abortedMs, spentMs)})`)}
${total(formatMs(totals.waitingMs), `ms waiting (${formatShare(totals.waitingMs, spentMs)})`)}
</div>
${notes.join('\n')}
</header>`;
}

function chartHtml(chart: ReportChart): string {
  const noData =
    chart.noData === undefined ? '' : `<p class="no-data">${escapeHtml(chart.noData)}</p>`;
  return `<figure>
<h2>${escapeHtml(chart.title)}</h2>
<p class="caption">${escapeHtml(chart.caption)}</p>
<div class="plot"><canvas id="${escapeHtml(chart.id)}" role="img"
aria-label="${escapeHtml(chart.title)}"></canvas>${noData}</div>
</figure>`;
}

function siteHtml(site: ReportSite | undefined): string {
  if (site === undefined) return '<span class="muted">unknown</span>';
  const text =
    site.text === undefined
      ? '<span class="muted">source not read</span>'
      : `<code>${escapeHtml(site.text)}</code>`;
  return (
    `<span class="site" title="${escapeHtml(siteLocation(site))}">` +
    `${escapeHtml(siteName(site))}</span>${text}`
  );
}

function conflictRowHtml(conflict: ConflictSummary): string {
  const tasks = conflict.tasks.length === 0 ? '–' : conflict.tasks.join(', ');
  const cells = [
    `<td class="kind">${escapeHtml(conflict.kind)}</td>`,
    `<td><code>${escapeHtml(placeName(conflict))}</code></td>`,
    `<td class="number">${escapeHtml(formatCount(conflict.count))}</td>`,
    `<td class="number">${escapeHtml(formatMs(conflict.lostMs))}</td>`,
    `<td>${siteHtml(conflict.site)}</td>`,
    `<td>${siteHtml(conflict.otherSite)}</td>`,
    `<td>${escapeHtml(tasks)}</td>`,
    `<td>${escapeHtml(conflict.slots.join(', '))}</td>`,
    `<td>${escapeHtml(conflict.suggestion.text)}</td>`,
  ];
  return `<tr>${cells.join('')}</tr>`;
}

function conflictsHtml(report: ConflictReport): string {
  const shown = report.conflicts.slice(0, conflictRowsMax);
  const hidden = report.conflicts.length - shown.length;
  const headings = [
    'kind',
    'place',
    'count',
    'lost ms',
    'this side’s site',
    'other side’s site',
    'tasks',
    'slots',
    'suggestion',
  ];
  const numeric = new Set(['count', 'lost ms']);
  const head = headings
    .map((heading) => `<th${numeric.has(heading) ? ' class="number"' : ''}>${heading}</th>`)
    .join('');
  const body =
    shown.length === 0
      ? `<tr><td colspan="${headings.length}" class="muted">No conflicts.</td></tr>`
      : shown.map(conflictRowHtml).join('\n');
  const more =
    hidden > 0
      ? `<p class="muted">${escapeHtml(formatCount(hidden))} smaller group(s) not shown.</p>`
      : '';
  return `<section>
<h2>Top conflicts</h2>
<p class="caption">Groups of conflicts of one kind, at one place, between the same two sites,
by time lost. Hover a site for its full path.</p>
<table id="conflicts"><thead><tr>${head}</tr></thead>
<tbody>
${body}
</tbody></table>
${more}
</section>`;
}

function workersHtml(report: ConflictReport): string {
  const rows = report.workers.map((worker) => {
    const numbers = [
      formatCount(worker.commits),
      formatCount(worker.aborts),
      formatMs(worker.committedMs),
      formatMs(worker.abortedMs),
      formatMs(worker.waitingMs),
    ].map((value) => `<td class="number">${escapeHtml(value)}</td>`);
    const state = worker.unfinished ? 'unfinished (no end record)' : 'finished';
    const name = `<td>${escapeHtml(workerName(worker))}</td>`;
    return `<tr>${name}${numbers.join('')}<td>${state}</td></tr>`;
  });
  const body =
    rows.length === 0 ? '<tr><td colspan="7" class="muted">No workers.</td></tr>' : rows.join('\n');
  return `<section>
<h2>Workers</h2>
<table id="workers"><thead><tr><th>worker</th><th class="number">commits</th>
<th class="number">aborts</th><th class="number">committed ms</th>
<th class="number">aborted ms</th><th class="number">waiting ms</th><th>state</th></tr></thead>
<tbody>
${body}
</tbody></table>
</section>`;
}
