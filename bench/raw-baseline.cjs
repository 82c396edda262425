'use strict';
/**
 * The raw baseline for CPU per record: fetches the pages listed in BENCH_PAGES_FILE (paths with
 * their query, as the connector requested them) from BENCH_BASE_URL, eight at a time, and writes
 * every usage record it receives to stdout as one JSON line, waiting for stdout to drain when its
 * reader is behind (as any program that prints must: without it, it buffered gigabytes and spent
 * its CPU collecting them, or died of ENOBUFS). Nothing else: no parsing of numbers, no protocol,
 * no state.
 */
const { readFileSync } = require('node:fs');
const { once } = require('node:events');

async function main() {
  const pages = JSON.parse(readFileSync(process.env.BENCH_PAGES_FILE, 'utf8'));
  const authorization = `Basic ${Buffer.from(`${process.env.BENCH_USER}:${process.env.BENCH_PASSWORD}`).toString('base64')}`;
  let next = 0;
  const worker = async () => {
    while (next < pages.length) {
      const page = pages[next];
      next += 1;
      const response = await fetch(new URL(page, process.env.BENCH_BASE_URL), { headers: { Authorization: authorization, Accept: 'application/json' } });
      const body = JSON.parse(await response.text());
      for (const record of body.usage_records ?? []) {
        if (!process.stdout.write(`${JSON.stringify(record)}\n`)) await once(process.stdout, 'drain');
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

main().catch((error) => {
  process.stderr.write(`${error && error.stack ? error.stack : error}\n`);
  process.exitCode = 1;
});
