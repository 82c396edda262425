/**
 * Audits usage_costs against the simulator's truth on realistic account shapes, as a FinOps user
 * checking each product's spend would: the built CLI reads each shape from the simulator over
 * HTTP, and test/helpers/leaf-audit.ts compares every account-day with the truth model.
 *
 *   npm run audit:leaves [-- SHAPE ...] [--details]
 *
 * Prints one line of counts per shape; --details adds the findings (first 20 of each kind).
 */
import { type AuthMode, configFor, readScopes, usageCatalog, type UsageSetup } from '../test/blackbox/read-checks';
import { runCli } from '../test/helpers/cli';
import { auditLeaves, type LeafAudit, type LeafFinding } from '../test/helpers/leaf-audit';
import { ofType, recordsOf } from '../test/helpers/protocol';
import { formatNanos } from '../tools/simulator/amounts';
import { type Dataset, type DatasetOptions, generateDataset } from '../tools/simulator/dataset';
import { startSimulator } from '../tools/simulator/server';

interface Shape {
  name: string;
  dataset: () => Dataset;
  mode: AuthMode;
  from: string;
  to: string;
}

/** A shape reading [from, to] (the dataset's whole range by default) of a generated dataset. */
function shape(name: string, options: DatasetOptions, read: { from?: string; to?: string; mode?: AuthMode; billInCurrency?: [string, string] } = {}): Shape {
  const dataset = (): Dataset => {
    const generated = generateDataset(options);
    if (read.billInCurrency) generated.billInCurrency(...read.billInCurrency);
    return generated;
  };
  return { name, dataset, mode: read.mode ?? 'auth_token', from: read.from ?? options.startDate, to: read.to ?? options.endDate };
}

const HALF_YEAR = { startDate: '2026-04-01', endDate: '2026-09-30' };
const TEN_MONTHS = { startDate: '2026-01-01', endDate: '2026-10-31' };
const ISV = { startDate: '2026-09-01', endDate: '2026-10-31', subaccounts: 50, closedSubaccounts: 2, accountsWithUndocumentedGroupings: 8 };
const MONTH_START = { from: '2026-10-01', to: '2026-10-02' };

const shapes: Shape[] = [
  ...[11, 12, 13].map((seed) => shape(`seed-${seed}`, { seed, ...HALF_YEAR, subaccounts: 2, closedSubaccounts: 1 })),
  shape('year-plus', { seed: 2027, startDate: '2025-01-01', endDate: '2026-03-31', subaccounts: 3 }),
  shape('two-days-1st', { seed: 21, ...TEN_MONTHS, subaccounts: 2 }, MONTH_START),
  shape('two-days-mid', { seed: 22, ...TEN_MONTHS, subaccounts: 2 }, { from: '2026-10-14', to: '2026-10-15' }),
  shape('currency-pv-eur', { seed: 31, startDate: '2026-07-01', endDate: '2026-09-30', subaccounts: 2 }, { mode: 'api_key', billInCurrency: ['pv', 'EUR'] }),
  shape('api-key-whole-bill', { seed: 41, ...HALF_YEAR, subaccounts: 5 }, { mode: 'api_key' }),
  ...[61, 62, 63].map((seed) => shape(`groupings-${seed}`, { seed, ...HALF_YEAR, subaccounts: 2, accountsWithUndocumentedGroupings: 3 })),
  shape('groupings-two-days-1st', { seed: 64, ...TEN_MONTHS, subaccounts: 2, accountsWithUndocumentedGroupings: 3 }, MONTH_START),
  shape('groupings-api-key', { seed: 65, ...HALF_YEAR, subaccounts: 4, accountsWithUndocumentedGroupings: 2 }, { mode: 'api_key' }),
  shape('isv-50', { seed: 50, ...ISV, startDate: '2026-08-01' }),
  shape('isv-50-two-weeks', { seed: 51, ...ISV }, { from: '2026-09-24', to: '2026-10-07' }),
  shape('isv-50-two-days-1st', { seed: 51, ...ISV }, MONTH_START),
  shape('isv-50-two-days-mid', { seed: 51, ...ISV }, { from: '2026-09-21', to: '2026-09-22' }),
  shape('isv-50-week', { seed: 51, ...ISV }, { from: '2026-10-20', to: '2026-10-26' }),
];

const catalog = usageCatalog(['usage_costs']);

/** The usage_costs rows and the WARN logs (INFO too with AUDIT_INFO=1) of one read by the built CLI. */
async function read(baseUrl: string, setup: UsageSetup): Promise<{ rows: Record<string, unknown>[]; logs: string[]; seconds: number }> {
  const started = process.hrtime.bigint();
  const result = await runCli(['read', '--config', '{config.json}', '--catalog', '{catalog.json}'], {
    env: { TWILIO_API_BASE_URL: baseUrl },
    files: { 'config.json': configFor(setup), 'catalog.json': catalog },
    jsonOnly: true,
  });
  if (result.exitCode !== 0) throw new Error(`the read exited ${String(result.exitCode)}: ${result.stderr.slice(-500)}`);
  const levels = process.env.AUDIT_INFO === '1' ? ['WARN', 'INFO'] : ['WARN'];
  return {
    rows: recordsOf(result.messages, 'usage_costs'),
    logs: ofType(result.messages, 'LOG')
      .map((message) => message.log as { level: string; message: string })
      .filter((log) => levels.includes(log.level))
      .map((log) => `${log.level} ${log.message}`),
    seconds: Number(process.hrtime.bigint() - started) / 1e9,
  };
}

function summary(name: string, audit: LeafAudit, seconds: number): string {
  return [
    name,
    `account-days ${audit.accountDays}`,
    `categories ${audit.categories}`,
    `leaves ${audit.leaves}: right ${audit.leavesRight}, wrong ${audit.leavesWrong.length}`,
    `extra rows ${audit.extraRows.length} (rollups beside children ${audit.rollupsBesideChildren.length})`,
    `residuals: top ${audit.topResiduals.rows} = ${formatNanos(audit.topResiduals.total)}, not the truth's ${audit.topResidualsWrong.length}, rollup ${audit.rollupResiduals.rows} = ${formatNanos(audit.rollupResiduals.total)}, not a rollup's own cost ${audit.rollupResidualsWrong.length}, cancelling ${audit.cancellingResiduals.length}`,
    `unreconciled days ${audit.unreconciledDays.length}`,
    `product-months ${audit.productMonths}: wrong ${audit.productMonthsWrong.length}`,
    `read ${seconds.toFixed(1)} s`,
  ].join(' | ');
}

function details(audit: LeafAudit, logs: string[]): string[] {
  const show = (finding: LeafFinding): string =>
    `    ${finding.account} ${finding.day} ${finding.category}: truth ${finding.expected === undefined ? '-' : formatNanos(finding.expected)}, emitted ${finding.emitted === undefined ? '-' : formatNanos(finding.emitted)}`;
  const lines: string[] = [];
  const section = (title: string, entries: string[]): void => {
    if (entries.length === 0) return;
    lines.push(`  ${title} (${entries.length}):`, ...entries.slice(0, 20));
  };
  section('leaves wrong', audit.leavesWrong.map(show));
  section('extra rows', audit.extraRows.map(show));
  section('top residuals unlike the truth', audit.topResidualsWrong.map(show));
  section('rollup residuals unlike the rollup own cost', audit.rollupResidualsWrong.map(show));
  section('cancelling residuals', audit.cancellingResiduals.map(show));
  section(
    'unreconciled days',
    audit.unreconciledDays.map((day) => `    ${day}`),
  );
  section(
    'product-months wrong',
    audit.productMonthsWrong.map((cell) => `    ${cell}`),
  );
  section(
    'logs',
    [...new Set(logs)].map((log) => `    ${log.slice(0, 300)}`),
  );
  return lines;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const wanted = args.filter((arg) => !arg.startsWith('--'));
  const unknown = wanted.filter((name) => !shapes.some((known) => known.name === name));
  if (unknown.length > 0) throw new Error(`unknown shape ${unknown.join(', ')}; the shapes are ${shapes.map((known) => known.name).join(', ')}`);
  for (const chosen of shapes.filter((candidate) => wanted.length === 0 || wanted.includes(candidate.name))) {
    const dataset = chosen.dataset();
    const simulator = await startSimulator({ dataset });
    try {
      const setup: UsageSetup = { dataset, mode: chosen.mode, from: chosen.from, to: chosen.to };
      const { rows, logs, seconds } = await read(simulator.baseUrl, setup);
      const audit = auditLeaves(rows, dataset, readScopes(setup), chosen.from, chosen.to);
      process.stdout.write(`${summary(chosen.name, audit, seconds)}\n`);
      if (args.includes('--details'))
        process.stdout.write(
          details(audit, logs)
            .map((line) => `${line}\n`)
            .join(''),
        );
    } finally {
      await simulator.close();
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
