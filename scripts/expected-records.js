#!/usr/bin/env node
// Regenerates integration_tests/expected_records.jsonl, the records CAT's basic read must find.
// It serves the simulator's sample dataset, runs the built CLI's discover and read with
// integration_tests/simulator_config.json (fixed start and end dates) and the catalog CAT builds
// for a basic read (every discovered stream in its first supported sync mode), and writes one
// {"stream","data","emitted_at"} line per record. To make the file byte-for-byte reproducible, the
// fields acceptance-test-config.yml's basic_read ignores (the volatile ones) are left out, keys are
// sorted, emitted_at is fixed and lines are ordered by stream (as discovered) and primary key.
//
//   npm run build && node scripts/expected-records.js [--out FILE]
'use strict';
const { runConnector } = require('./connector-process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { parseArgs } = require('node:util');
const { parse } = require('yaml');
const { startSimulator } = require('../dist-tools/simulator/server');
const { sampleDataset } = require('../dist-tools/simulator/dataset');

const ROOT = path.resolve(__dirname, '..');
const CONFIG_PATH = path.join(ROOT, 'integration_tests', 'simulator_config.json');
const DAY_MS = 86_400_000;

function canonicalJson(value) {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object' && value !== null) {
    const keys = Object.keys(value).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Per stream, the field names basic_read's ignored_fields names. */
function ignoredFields() {
  const config = parse(fs.readFileSync(path.join(ROOT, 'acceptance-test-config.yml'), 'utf8'));
  const ignored = config.acceptance_tests.basic_read.tests[0].ignored_fields ?? {};
  return new Map(Object.entries(ignored).map(([stream, fields]) => [stream, new Set(fields.map((field) => field.name))]));
}

async function expectedRecordLines() {
  const config = JSON.parse(fs.readFileSync(CONFIG_PATH, 'utf8'));
  const simulator = await startSimulator({ dataset: sampleDataset() });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'expected-records-'));
  try {
    const configFile = path.join(dir, 'config.json');
    fs.writeFileSync(configFile, JSON.stringify(config));
    const env = { TWILIO_API_BASE_URL: simulator.baseUrl };
    const discovered = (await runConnector(['discover', '--config', configFile], env)).find((message) => message.type === 'CATALOG').catalog.streams;
    const catalog = {
      streams: discovered.map((stream) => ({ stream, sync_mode: stream.supported_sync_modes[0], destination_sync_mode: 'append' })),
    };
    const catalogFile = path.join(dir, 'catalog.json');
    fs.writeFileSync(catalogFile, JSON.stringify(catalog));
    const messages = await runConnector(['read', '--config', configFile, '--catalog', catalogFile], env);
    // A fixed emitted_at (the end of the last day read): CAT compares records, never this.
    const emittedAt = Date.parse(`${config.end_date}T00:00:00Z`) + DAY_MS;
    const ignored = ignoredFields();
    const lines = [];
    discovered.forEach((stream, streamIndex) => {
      const skip = ignored.get(stream.name) ?? new Set();
      const key = stream.source_defined_primary_key ?? [];
      for (const message of messages) {
        if (message.type !== 'RECORD' || message.record.stream !== stream.name) continue;
        const data = Object.fromEntries(Object.entries(message.record.data).filter(([field]) => !skip.has(field)));
        const primaryKey = canonicalJson(key.map((fieldPath) => fieldPath.reduce((value, field) => value?.[field], message.record.data)));
        lines.push({ streamIndex, primaryKey, text: canonicalJson({ stream: stream.name, data, emitted_at: emittedAt }) });
      }
    });
    lines.sort((a, b) => a.streamIndex - b.streamIndex || (a.primaryKey < b.primaryKey ? -1 : a.primaryKey > b.primaryKey ? 1 : 0) || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
    return lines.map((line) => `${line.text}\n`).join('');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
    await simulator.close();
  }
}

async function main() {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const out = values.out ?? path.join(ROOT, 'integration_tests', 'expected_records.jsonl');
  const text = await expectedRecordLines();
  fs.writeFileSync(out, text);
  process.stderr.write(`wrote ${text.split('\n').length - 1} expected records to ${path.relative(process.cwd(), out)}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack ?? error}\n`);
  process.exit(1);
});
