// A screenshot of a conflict report page, for the README:
//   node scripts/report-screenshot.mjs <page.html> <out.png> [height]
// (height: the top of the page only, in CSS pixels; default the whole page)
// Needs Node ≥ 22.12 (puppeteer-core's engines; ci/node-lines/ has one) and Debian's chromium
// (CHROMIUM_PATH to use another). Write the page first: shared-objects report <log> --html <page>.
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import puppeteer from 'puppeteer-core';

const [page, out, height] = process.argv.slice(2);
if (page === undefined || out === undefined) {
  process.stderr.write('usage: node scripts/report-screenshot.mjs <page.html> <out.png>\n');
  process.exit(2);
}
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  headless: true,
  // As root (CI, this machine) Chromium's sandbox cannot start.
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  defaultViewport: { width: 1280, height: 900 },
});
try {
  const tab = await browser.newPage();
  await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
  // Chart.js animates; wait for the last frame.
  await sleep(1500);
  await tab.screenshot(
    height === undefined
      ? { path: out, fullPage: true }
      : { path: out, clip: { x: 0, y: 0, width: 1280, height: Number(height) } },
  );
  process.stdout.write(`${out}\n`);
} finally {
  await browser.close();
}
