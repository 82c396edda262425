'use strict';
/**
 * Preloaded (node --require) into every process the benchmark measures: at exit it writes the
 * process's own peak RSS and CPU time to BENCH_USAGE_FILE, so the figures do not depend on
 * /usr/bin/time being installed.
 */
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  const usage = process.resourceUsage();
  writeFileSync(process.env.BENCH_USAGE_FILE, JSON.stringify({ maxRssKb: usage.maxRSS, userMs: usage.userCPUTime / 1000, systemMs: usage.systemCPUTime / 1000 }));
});
