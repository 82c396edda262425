#!/usr/bin/env node
// Records the released interface in integration_tests/released/, for the backward-compatibility
// tests (test/acceptance/backward-compat.test.ts): the spec (the built CLI's SPEC), the catalog
// (its discover against the bundled simulator), the configs that version accepted, and the version
// (package.json). Run it when a version is released; running it again changes nothing until the
// interface does.
//
//   npm run build && node scripts/release-snapshots.js
'use strict';
const { runConnector } = require('./connector-process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startSimulator } = require('../dist-tools/simulator/server');
const { sampleDataset } = require('../dist-tools/simulator/dataset');

const ROOT = path.resolve(__dirname, '..');
const RELEASED = path.join(ROOT, 'integration_tests', 'released');
/** Configs a user of the released version may have: each must stay valid in later versions. */
const CONFIGS = ['integration_tests/sample_config.json', 'integration_tests/invalid_config.json', 'integration_tests/simulator_config.json'];

const writeJson = (name, value) => fs.writeFileSync(path.join(RELEASED, name), `${JSON.stringify(value, null, 2)}\n`);
const readJson = (relative) => JSON.parse(fs.readFileSync(path.join(ROOT, relative), 'utf8'));

async function main() {
  const { version } = readJson('package.json');
  const simulator = await startSimulator({ dataset: sampleDataset() });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'release-snapshots-'));
  try {
    const configFile = path.join(dir, 'config.json');
    fs.writeFileSync(configFile, JSON.stringify(readJson('integration_tests/simulator_config.json')));
    const env = { TWILIO_API_BASE_URL: simulator.baseUrl };
    const spec = (await runConnector(['spec'], env)).find((message) => message.type === 'SPEC').spec;
    const catalog = (await runConnector(['discover', '--config', configFile], env)).find((message) => message.type === 'CATALOG').catalog;
    fs.mkdirSync(RELEASED, { recursive: true });
    writeJson('release.json', { version });
    writeJson('spec.json', spec);
    writeJson('catalog.json', catalog);
    writeJson('configs.json', CONFIGS.map(readJson));
    process.stderr.write(`recorded the interface of ${version}: ${catalog.streams.map((stream) => stream.name).join(', ')}\n`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await simulator.close();
  }
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
