/**
 * Takes the README's screenshot of a report: the top of the page (summary, spend by product and by
 * month) as a PNG, in the same offline Chromium the browser test uses.
 *
 *   node --import tsx scripts/report-screenshot.ts twilio-costs-report.html docs/report.png
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { Chromium, findChromium, loadOffline, screenshot } from '../test/helpers/chromium';

const WIDTH = 1280;
/** CSS pixels from the top: the summary, the products table and the monthly chart. */
const HEIGHT = 1750;

async function main(): Promise<void> {
  const [report, png] = process.argv.slice(2);
  if (!report || !png) throw new Error('usage: node --import tsx scripts/report-screenshot.ts REPORT.html OUT.png');
  const executable = findChromium();
  if (!executable) throw new Error('No Chromium found: install chromium-headless-shell with apt-get, or set CHROMIUM_PATH.');
  const browser = Chromium.launch(executable);
  try {
    const page = await browser.newPage();
    const load = await loadOffline(browser, page, path.resolve(report), { width: WIDTH, height: 900 });
    if (load.errors.length > 0 || load.blocked.length > 0) throw new Error(`the report did not load cleanly: ${[...load.errors, ...load.blocked].join('; ')}`);
    writeFileSync(png, await screenshot(browser, page, WIDTH, HEIGHT));
  } finally {
    await browser.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
