import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { expect } from 'chai';

import { Chromium, evaluate, findChromium, loadOffline, screenshot } from '../helpers/chromium';
import { CLI_TEST_TIMEOUT_MS, runCli } from '../helpers/cli';
import { syncedFile } from '../helpers/report-fixture';

const VIEWPORT = { width: 1280, height: 900 };
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

interface ChartCheck {
  id: string;
  width: number;
  height: number;
  bars: number;
  texts: number;
  described: boolean;
}

describe('black box: the report in a real browser, offline', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  const executable = findChromium();
  let outDir: string;
  let reportPath: string;
  let browser: Chromium | undefined;

  before(async function () {
    if (!executable) {
      // CI installs Chromium (.ci/run), so there a missing browser is a failure, never a skip.
      if (process.env.CI) throw new Error('No Chromium found (chromium-headless-shell or chromium): .ci/run installs it with apt-get.');
      console.log('    Skipping the browser test: no Chromium here. Install it with `apt-get install chromium-headless-shell` (or set CHROMIUM_PATH).');
      this.skip();
    }
    const file = await syncedFile();
    outDir = mkdtempSync(path.join(tmpdir(), 'twilio-costs-report-browser-'));
    reportPath = path.join(outDir, 'twilio-costs-report.html');
    const result = await runCli(['report', '--duckdb', file.databasePath, '--out', reportPath]);
    expect(result.exitCode, result.stderr).to.equal(0);
    browser = Chromium.launch(executable);
  });
  after(async () => {
    await browser?.close();
    if (outDir) rmSync(outDir, { recursive: true, force: true });
  });

  it('opens with the network blocked, asks for nothing but itself, logs no error, draws every chart, and saves a screenshot', async () => {
    const chromium = browser as Chromium;
    const page = await chromium.newPage();
    const load = await loadOffline(chromium, page, reportPath, VIEWPORT);
    expect(load.requests).to.deep.equal([`file://${reportPath}`]);
    expect(load.blocked).to.deep.equal([]);
    expect(load.errors).to.deep.equal([]);

    const charts = await evaluate<ChartCheck[]>(
      chromium,
      page,
      `[...document.querySelectorAll('figure.chart')].map((figure) => {
        const svg = figure.querySelector('svg');
        const box = svg ? svg.getBoundingClientRect() : { width: 0, height: 0 };
        const summary = document.getElementById(figure.getAttribute('aria-describedby'));
        return { id: figure.dataset.chart, width: box.width, height: box.height, bars: svg ? svg.querySelectorAll('[aria-roledescription="bar"]').length : 0,
                 texts: svg ? svg.querySelectorAll('text').length : 0, described: Boolean(summary && summary.textContent.trim().length > 20) };
      })`,
    );
    expect(charts.map(({ id }) => id)).to.deep.equal(['months', 'days', 'accounts', 'categories']);
    for (const chart of charts) {
      expect(chart.width, chart.id).to.be.greaterThan(300);
      expect(chart.height, chart.id).to.be.greaterThan(150);
      expect(chart.bars, chart.id).to.be.greaterThan(3);
      expect(chart.texts, chart.id).to.be.greaterThan(10);
      expect(chart.described, `${chart.id} has a text alternative`).to.equal(true);
    }
    // Every chart has a table view of its numbers, and the page reads in order.
    const tables = await evaluate<string[]>(chromium, page, `[...document.querySelectorAll('table[data-table]')].map((table) => table.dataset.table)`);
    expect(tables).to.include.members(['months', 'days', 'accounts', 'categories']);
    const headings = await evaluate<string[]>(chromium, page, `[...document.querySelectorAll('h1, h2')].map((heading) => heading.tagName + ' ' + heading.textContent)`);
    expect(headings[0]).to.match(/^H1 Twilio spend of Alice Telecom/);
    expect(headings).to.include('H2 Spikes');

    const png = await screenshot(chromium, page, VIEWPORT.width);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).to.equal(true);
    expect(png.length).to.be.greaterThan(50_000);
    const artifacts = process.env.TEST_ARTIFACTS_DIR ?? outDir;
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(path.join(artifacts, 'report.png'), png);
  });

  it('prints: the charts and every table are on paper, as a PDF', async () => {
    const chromium = browser as Chromium;
    const page = await chromium.newPage();
    await loadOffline(chromium, page, reportPath, VIEWPORT);
    const { data } = await chromium.send('Page.printToPDF', { printBackground: false, preferCSSPageSize: true }, page);
    const pdf = Buffer.from(String(data), 'base64');
    expect(pdf.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    expect(pdf.length).to.be.greaterThan(100_000);
  });
});
