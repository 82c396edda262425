'use strict';
/**
 * Preloaded (NODE_OPTIONS=--require) into the CLI by test/blackbox/start.test.ts: at exit it writes
 * the files of every CommonJS module the process loaded to LOADED_MODULES_FILE, one per line.
 */
const { writeFileSync } = require('node:fs');

process.on('exit', () => {
  writeFileSync(process.env.LOADED_MODULES_FILE, Object.keys(require.cache).join('\n'));
});
