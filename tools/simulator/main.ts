/**
 * Runs the Twilio simulator on its own, for the demo and for trying the connector by hand:
 *
 *   node dist-tools/simulator/main.js [--port N] [--latency-ms N] [--concurrency-limit N] [--retry-after N]
 *                               [--seed N --subaccounts N --closed-subaccounts N --start YYYY-MM-DD --end YYYY-MM-DD]
 *                               [--undocumented-groupings N] [--bill-in-currency PRODUCT=CURRENCY]
 *
 * Without dataset flags it serves sampleDataset(). It prints the base URL and test credentials (this
 * is a local test server; they are not secrets) and runs until SIGINT or SIGTERM.
 */
import { parseArgs } from 'node:util';

import { type Dataset, generateDataset, SAMPLE_END_DATE, SAMPLE_START_DATE, sampleDataset } from './dataset';
import { parseIsoDate } from './dates';
import { type RunningSimulator, startSimulator } from './server';

const DEFAULT_PORT = 8099;
const USAGE =
  'usage: node dist-tools/simulator/main.js [--port N] [--latency-ms N] [--concurrency-limit N] [--retry-after N] [--seed N] [--subaccounts N] [--closed-subaccounts N] [--start YYYY-MM-DD] [--end YYYY-MM-DD] [--undocumented-groupings N] [--bill-in-currency PRODUCT=CURRENCY]';

function wholeNumber(text: string | undefined, flag: string): number | undefined {
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text)) throw new Error(`--${flag} must be a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

function isoDate(text: string | undefined, flag: string, fallback: string): string {
  if (text === undefined) return fallback;
  if (parseIsoDate(text) === null) throw new Error(`--${flag} must be a date like 2026-01-31, got ${JSON.stringify(text)}`);
  return text;
}

interface DatasetFlags {
  seed?: string | undefined;
  subaccounts?: string | undefined;
  'closed-subaccounts'?: string | undefined;
  start?: string | undefined;
  end?: string | undefined;
  'undocumented-groupings'?: string | undefined;
}

function datasetFromFlags(values: DatasetFlags): Dataset {
  const seed = wholeNumber(values.seed, 'seed');
  const subaccounts = wholeNumber(values.subaccounts, 'subaccounts');
  const closedSubaccounts = wholeNumber(values['closed-subaccounts'], 'closed-subaccounts');
  const groupingAccounts = wholeNumber(values['undocumented-groupings'], 'undocumented-groupings');
  const customised = [seed, subaccounts, closedSubaccounts, values.start, values.end, groupingAccounts].some((value) => value !== undefined);
  if (!customised) return sampleDataset();
  return generateDataset({
    seed: seed ?? 1,
    subaccounts: subaccounts ?? 2,
    closedSubaccounts: closedSubaccounts ?? 1,
    startDate: isoDate(values.start, 'start', SAMPLE_START_DATE),
    endDate: isoDate(values.end, 'end', SAMPLE_END_DATE),
    ...(groupingAccounts === undefined ? {} : { accountsWithUndocumentedGroupings: groupingAccounts }),
  });
}

function banner(simulator: RunningSimulator): string {
  const { dataset } = simulator;
  const main = dataset.accounts[0];
  const standardKey = dataset.apiKeys.find((key) => key.kind === 'standard');
  const mainKey = dataset.apiKeys.find((key) => key.kind === 'main');
  const lines = [
    `Twilio simulator listening on ${simulator.baseUrl}`,
    `  usage data:         ${dataset.startDate} .. ${dataset.endDate} (seed ${dataset.seed})`,
    `  main account SID:   ${main?.sid}`,
    `  main auth token:    ${main?.authToken}`,
    `  standard API key:   ${standardKey?.sid}  secret: ${standardKey?.secret}`,
    `  main API key:       ${mainKey?.sid}  secret: ${mainKey?.secret}`,
    '  subaccounts:',
    ...dataset.accounts.slice(1).map((account) => `    ${account.sid}  ${account.status}${account.listed ? '' : ', deleted (unlisted)'}  token: ${account.authToken}  "${account.friendlyName}"`),
    `Point the connector at it with TWILIO_API_BASE_URL=${simulator.baseUrl}`,
    'Stop with Ctrl-C.',
  ];
  return `${lines.join('\n')}\n`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'latency-ms': { type: 'string' },
      'concurrency-limit': { type: 'string' },
      'retry-after': { type: 'string' },
      seed: { type: 'string' },
      subaccounts: { type: 'string' },
      'closed-subaccounts': { type: 'string' },
      start: { type: 'string' },
      end: { type: 'string' },
      'undocumented-groupings': { type: 'string' },
      'bill-in-currency': { type: 'string', multiple: true },
      help: { type: 'boolean' },
    },
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const concurrencyLimit = wholeNumber(values['concurrency-limit'], 'concurrency-limit');
  const retryAfterSeconds = wholeNumber(values['retry-after'], 'retry-after');
  const dataset = datasetFromFlags(values);
  // A product billed in another currency than its account's (a marketplace vendor's), as Twilio may.
  for (const pair of values['bill-in-currency'] ?? []) {
    const [product, currency] = pair.split('=');
    if (!product || !currency || !/^[A-Za-z]{3}$/.test(currency)) throw new Error(`--bill-in-currency must be PRODUCT=CURRENCY such as pv=EUR, got ${JSON.stringify(pair)}`);
    dataset.billInCurrency(product, currency.toUpperCase());
  }
  const simulator = await startSimulator({
    dataset,
    port: wholeNumber(values.port, 'port') ?? DEFAULT_PORT,
    latencyMs: wholeNumber(values['latency-ms'], 'latency-ms') ?? 0,
    ...(concurrencyLimit === undefined ? {} : { concurrencyLimit }),
    ...(retryAfterSeconds === undefined ? {} : { retryAfterSeconds }),
  });
  process.stdout.write(banner(simulator));
  const stop = (): void => {
    void simulator.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(2);
});
