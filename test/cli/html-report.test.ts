// The HTML conflict report (src/cli/html-report.ts): the page escapes every text from the report,
// embeds the chart data so that no key can end its script element, inlines Chart.js and fetches
// nothing. Then a real Chromium opens it from a file: no request leaves the page, no script
// error, and every chart is a Chart.js instance with the expected data that painted its canvas.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import type { ConflictReport } from '../../src/diagnostics/index.js';
import { escapeHtml, renderHtmlReport, scriptSafeJson } from '../../src/cli/html-report.js';
import { reportCharts, ReportModelError, siteBarsMax } from '../../src/cli/report-charts.js';
import {
  conflictReportFixture,
  emptyConflictReport,
  fixtureSliceMs,
  fixtureDurationMs,
  fixtureWorkers,
  hostileKey,
  hostileTask,
} from './report-fixture.js';

const require = createRequire(import.meta.url);

interface ScriptElement {
  readonly attributes: string;
  readonly content: string;
}

function scriptElements(html: string): ScriptElement[] {
  return [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)].map((match) => ({
    attributes: match[1] ?? '',
    content: match[2] ?? '',
  }));
}

function chartData(html: string): string {
  const data = scriptElements(html).find((script) => script.attributes.includes('report-charts'));
  assert.ok(data, 'the page embeds its chart data');
  return data.content;
}

describe('HTML conflict report page', () => {
  const html = renderHtmlReport(conflictReportFixture);

  it('inlines Chart.js from the installed package, with its licence header', () => {
    const entry = require.resolve('chart.js');
    const manifest = JSON.parse(
      readFileSync(join(dirname(entry), '..', 'package.json'), 'utf8'),
    ) as { version: string };
    const library = readFileSync(join(dirname(entry), 'chart.umd.min.js'), 'utf8');
    const scripts = scriptElements(html);
    assert.equal(scripts.length, 3, 'chart data, Chart.js, and the page script');
    assert.ok(scripts.some((script) => script.content === library));
    assert.ok(html.includes(`Chart.js v${manifest.version}`));
    assert.ok(html.includes('Released under the MIT License'));
  });

  it('loads nothing from outside the page', () => {
    assert.doesNotMatch(html, /\b(?:src|href)\s*=\s*["']?\s*(?:https?:)?\/\//i);
    assert.doesNotMatch(html, /<(?:link|img|iframe|object|embed)\b/i);
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    assert.doesNotMatch(style, /@import|\burl\(/i);
    assert.match(html, /Content-Security-Policy" content="default-src &#39;none&#39;;/);
  });

  it('allows exactly its own two scripts, by hash', () => {
    const policy = /Content-Security-Policy" content="([^"]*)"/.exec(html)?.[1];
    assert.ok(policy !== undefined);
    const executable = scriptElements(html).filter((script) => script.attributes === '');
    assert.equal(executable.length, 2);
    for (const script of executable) {
      const hash = createHash('sha256').update(script.content, 'utf8').digest('base64');
      assert.ok(policy.includes(`sha256-${hash}`), 'every script is allowed by its hash');
    }
  });

  it('escapes every text from the report', () => {
    assert.ok(!html.includes('<script>alert(1)'), 'a key cannot open a script element');
    assert.ok(html.includes(escapeHtml(hostileKey)));
    assert.ok(html.includes('audit &lt;all&gt; &amp; &quot;everything&quot;'));
    assert.ok(html.includes('<code>if (a &lt; b &amp;&amp; total &gt; limit) {</code>'));
    assert.ok(html.includes('<code>const html = `&lt;b&gt;${name}&lt;/b&gt;`;</code>'));
    assert.ok(html.includes('conflicts &lt;run 7&gt;.jsonl'));
    assert.ok(!html.includes(hostileTask));
    // Every script element the page opens is one of its own three.
    assert.equal(html.match(/<script/gi)?.length, 3);
    assert.equal(html.match(/<\/script/gi)?.length, 3);
  });

  it('embeds the chart data as JSON that no text can break out of', () => {
    const data = chartData(html);
    assert.doesNotMatch(data, /[<>&]/);
    const charts = JSON.parse(data) as unknown;
    assert.deepEqual(charts, JSON.parse(JSON.stringify(reportCharts(conflictReportFixture))));
    assert.ok(data.includes('\\u003c/script\\u003e'));
  });

  it('script-safe JSON means the same value', () => {
    const value = { key: '</script><!-- & \u2028\u2029 >', list: [1, '<b>'] };
    const text = scriptSafeJson(value);
    assert.doesNotMatch(text, /[<>&\u2028\u2029]/);
    assert.deepEqual(JSON.parse(text), value);
  });

  it('shows the totals, the skipped lines and the top conflicts with their suggestions', () => {
    assert.ok(html.includes('2026-12-06T18:00:00.000Z'));
    assert.ok(html.includes('4,653'), 'commits over all workers');
    assert.ok(html.includes('1 line(s) of the log did not parse'));
    assert.ok(!html.includes('No conflicts were recorded'));
    assert.ok(html.includes('TransactionQueue.addKeyed(key, t)'));
    assert.ok(html.includes('title="/home/ci/app/src/bank.ts:42:7 (transfer)">bank.ts:42</span>'));
    assert.ok(html.includes('unfinished (no end record)'));
  });

  it('builds the four charts from the report', () => {
    const [timeline, sites, kinds, workers] = reportCharts(conflictReportFixture);
    assert.ok(timeline && sites && kinds && workers);
    const slices = fixtureDurationMs / fixtureSliceMs;
    assert.equal(timeline.config.data.labels.length, slices);
    assert.equal(timeline.config.data.datasets.length, 2 * fixtureWorkers.length);
    // The third worker started late: its first slices are zero, not missing.
    const lateCommits = timeline.config.data.datasets[4]?.data;
    assert.deepEqual(lateCommits?.slice(0, 5), [0, 0, 0, 0, 0]);
    assert.equal(lateCommits.length, slices);
    assert.equal(sites.config.data.labels.length, siteBarsMax);
    const lost = sites.config.data.datasets[0]?.data ?? [];
    assert.deepEqual(
      lost,
      [...lost].sort((a, b) => b - a),
    );
    assert.equal(kinds.config.data.labels.length, conflictReportFixture.kinds.length);
    assert.match(String(kinds.config.data.labels[0]), /^write-write: 231 × · 402\.6 ms$/);
    assert.equal(workers.config.data.datasets.length, 3);
    assert.ok(reportCharts(conflictReportFixture).every((chart) => chart.noData === undefined));
  });

  it('renders an empty report with a note instead of each chart', () => {
    const empty = renderHtmlReport(emptyConflictReport);
    assert.ok(empty.includes('No conflicts were recorded'));
    assert.equal(empty.match(/class="no-data"/g)?.length, 4);
    assert.ok(!empty.includes('did not parse'));
    const charts = JSON.parse(chartData(empty)) as unknown[];
    assert.equal(charts.length, 4);
  });

  it('refuses a timeline whose slices have no width', () => {
    const broken: ConflictReport = { ...conflictReportFixture, sliceMs: 0 };
    assert.throws(() => reportCharts(broken), ReportModelError);
  });
});

// --- In a real browser ---------------------------------------------------------------------

const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const screenshotFile = fileURLToPath(
  new URL('../../test-output/conflict-report.png', import.meta.url),
);

/** Whether a version is at least `minimum` (both `major.minor.patch`). */
function versionAtLeast(version: string, minimum: readonly number[]): boolean {
  const parts = version.split('.').map(Number);
  for (const [index, wanted] of minimum.entries()) {
    const part = parts[index] ?? 0;
    if (part !== wanted) return part > wanted;
  }
  return true;
}

/** Why the browser tests cannot run here: skip them, or fail them with a one-line fix. */
function browserBlocker(): { skip: string } | { fail: string } | undefined {
  const manifest = JSON.parse(
    readFileSync(require.resolve('puppeteer-core/package.json'), 'utf8'),
  ) as { version: string; engines?: { node?: string } };
  const range = manifest.engines?.node;
  if (range !== undefined) {
    const minimum = /^>=\s*(\d+)\.(\d+)\.(\d+)$/.exec(range.trim());
    if (minimum === null) {
      return {
        fail: `puppeteer-core's engines.node "${range}" is not ">=x.y.z"; update this test`,
      };
    }
    if (!versionAtLeast(process.versions.node, minimum.slice(1).map(Number))) {
      return {
        skip:
          `puppeteer-core ${manifest.version} supports Node ${range}, this is ` +
          `${process.versions.node}; the newer Node lines run this test`,
      };
    }
  }
  if (process.env['SKIP_BROWSER_TESTS'] === '1') {
    return { skip: 'SKIP_BROWSER_TESTS=1' };
  }
  if (!existsSync(chromiumPath)) {
    return {
      fail:
        `no Chromium at ${chromiumPath}: install it (apt-get install chromium), set ` +
        'CHROMIUM_PATH, or set SKIP_BROWSER_TESTS=1 to skip the browser tests',
    };
  }
  return undefined;
}

/** What the page says about one chart canvas (see `inspectCharts`). */
interface CanvasFacts {
  readonly id: string;
  readonly type: string | null;
  readonly labels: number;
  /** Data points per dataset. */
  readonly datasets: readonly number[];
  /** Share of the canvas's pixels that are painted, and that are painted in colour (data). */
  readonly paintedShare: number;
  readonly colouredShare: number;
}

// Runs in the page. Axes, grid and text are grey; only the datasets are drawn in colour.
const inspectCharts = `Array.from(document.querySelectorAll('canvas'), (canvas) => {
  const chart = Chart.getChart(canvas);
  const pixels = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  let coloured = 0;
  for (let index = 0; index < pixels.length; index += 4) {
    if (pixels[index + 3] === 0) continue;
    painted += 1;
    const channels = [pixels[index], pixels[index + 1], pixels[index + 2]];
    if (Math.max(...channels) - Math.min(...channels) > 60) coloured += 1;
  }
  const size = canvas.width * canvas.height;
  return {
    id: canvas.id,
    type: chart ? chart.config.type : null,
    labels: chart ? chart.data.labels.length : -1,
    datasets: chart ? chart.data.datasets.map((dataset) => dataset.data.length) : [],
    paintedShare: painted / size,
    colouredShare: coloured / size,
  };
})`;

const noDataShown = `Array.from(document.querySelectorAll('.no-data'), (note) => note.textContent)`;

describe('HTML conflict report in Chromium', () => {
  const blocker = browserBlocker();
  const skip = blocker !== undefined && 'skip' in blocker ? blocker.skip : false;
  // Reported by each test as its failure, rather than by a hook (which node:test counts as
  // "cancelled" tests).
  const failure = blocker !== undefined && 'fail' in blocker ? blocker.fail : undefined;
  let browser: Browser | undefined;
  let pageDir: string | undefined;

  before(async () => {
    if (blocker !== undefined) return;
    const puppeteer = await import('puppeteer-core');
    browser = await puppeteer.launch({
      executablePath: chromiumPath,
      headless: true,
      // CI runs as root, where Chromium's sandbox cannot start.
      args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
      defaultViewport: { width: 1280, height: 900 },
    });
    pageDir = mkdtempSync(join(tmpdir(), 'conflict-report-'));
  });

  after(async () => {
    await browser?.close();
    if (pageDir !== undefined) rmSync(pageDir, { recursive: true, force: true });
  });

  /** Opens the report's page from a file and returns what it logged and requested. */
  async function openReport(report: ConflictReport, name: string) {
    if (failure !== undefined) assert.fail(failure);
    assert.ok(browser !== undefined && pageDir !== undefined);
    const file = join(pageDir, `${name}.html`);
    writeFileSync(file, renderHtmlReport(report));
    const url = pathToFileURL(file).href;
    const page = await browser.newPage();
    const errors: string[] = [];
    const requests: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => errors.push(`page error: ${String(error)}`));
    await page.setRequestInterception(true);
    page.on('request', (request) => {
      if (request.url() === url) {
        void request.continue();
      } else {
        requests.push(request.url());
        void request.abort();
      }
    });
    await page.goto(url, { waitUntil: 'load' });
    const charts = (await page.evaluate(inspectCharts)) as CanvasFacts[];
    const notes = (await page.evaluate(noDataShown)) as string[];
    return { page, errors, requests, charts, notes };
  }

  it('draws every chart of a contended run, offline and without errors', { skip }, async (t) => {
    const start = performance.now();
    const { page, errors, requests, charts, notes } = await openReport(
      conflictReportFixture,
      'fixture',
    );
    assert.deepEqual(requests, [], 'the page requests nothing but itself');
    assert.deepEqual(errors, []);
    assert.deepEqual(notes, []);
    const expected = reportCharts(conflictReportFixture).map((chart) => ({
      id: chart.id,
      type: chart.config.type,
      labels: chart.config.data.labels.length,
      datasets: chart.config.data.datasets.map((dataset) => dataset.data.length),
    }));
    assert.deepEqual(
      charts.map(({ id, type, labels, datasets }) => ({ id, type, labels, datasets })),
      expected,
    );
    assert.deepEqual(
      expected.map((chart) => chart.datasets.length),
      [6, 1, 1, 3],
    );
    for (const chart of charts) {
      assert.ok(chart.paintedShare > 0.02, `${chart.id} is painted (${chart.paintedShare})`);
      assert.ok(chart.colouredShare > 0.005, `${chart.id} draws its data (${chart.colouredShare})`);
    }
    mkdirSync(dirname(screenshotFile), { recursive: true });
    await page.screenshot({ path: screenshotFile, fullPage: true });
    await page.close();
    t.diagnostic(`screenshot: ${screenshotFile}`);
    t.diagnostic(`page opened and checked in ${(performance.now() - start).toFixed(0)} ms`);
  });

  it(
    'renders an empty report without errors, a note in place of each chart',
    { skip },
    async () => {
      const { page, errors, requests, charts, notes } = await openReport(
        emptyConflictReport,
        'empty',
      );
      await page.close();
      assert.deepEqual(requests, []);
      assert.deepEqual(errors, []);
      assert.equal(charts.length, 4);
      for (const chart of charts) {
        assert.ok(chart.type !== null, `${chart.id} is a Chart.js chart`);
        assert.equal(chart.colouredShare, 0, `${chart.id} draws no data`);
      }
      assert.equal(notes.length, 4);
    },
  );
});
