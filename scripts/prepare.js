#!/usr/bin/env node
// npm runs this after `npm ci` and `npm install`: the generated types and validators
// (source-twilio-costs/generated/, not committed) then exist before anything is type-checked or
// tested. A production install (`npm ci --omit=dev`) has neither the generator nor a use for them:
// it runs the dist/ a build made, so it generates nothing.
'use strict';
const { execFileSync } = require('node:child_process');

try {
  require.resolve('json-schema-to-typescript');
} catch {
  process.exit(0);
}
execFileSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['run', 'gen'], { stdio: 'inherit' });
