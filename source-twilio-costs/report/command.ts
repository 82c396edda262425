/**
 * `source-twilio-costs report`: the DuckDB file `sync` wrote, as one HTML page people look at —
 * spend by product, month, day and account, residuals, credits and spikes — with every amount exact.
 * The file is read in one short read-only session; the page is drawn after it is closed, written
 * beside its target and renamed into place, so a failure never leaves half a report.
 */
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import { parseCommandOptions } from '../command-options';
import { formatDecimal } from '../money';
import { DEFAULT_DATABASE_PATH } from '../sync/duckdb-landing';
import { ChartRenderer } from './charts';
import { ReportError } from './errors';
import { renderHtml } from './html';
import { buildReportPage } from './page';
import { checkPeriodRequest, type PeriodRequest, readReportData } from './queries';

export const DEFAULT_REPORT_PATH = 'twilio-costs-report.html';

const USAGE = 'usage: source-twilio-costs report [--duckdb PATH] [--out FILE.html] [--from YYYY-MM-DD] [--to YYYY-MM-DD]';

export interface ReportOptions {
  /** The arguments after `report`. */
  argv: string[];
  /** Where the outcome goes: one line. */
  stderr: NodeJS.WritableStream;
  /** The time the page says it was written. */
  now?: () => Date;
}

interface ReportArguments {
  databasePath: string;
  outPath: string;
  period: PeriodRequest;
}

function parseReportArguments(argv: string[]): ReportArguments {
  const options = { duckdb: { type: 'string' }, out: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } } as const;
  const values = parseCommandOptions(argv, options, USAGE, (message) => new ReportError(message));
  const period = { ...(values.from === undefined ? {} : { from: values.from }), ...(values.to === undefined ? {} : { to: values.to }) };
  checkPeriodRequest(period);
  return { databasePath: values.duckdb ?? DEFAULT_DATABASE_PATH, outPath: values.out ?? DEFAULT_REPORT_PATH, period };
}

/** Writes the page beside its target, then renames it into place: a reader never sees half a file. */
function writeWhole(outPath: string, html: string): void {
  const target = path.resolve(outPath);
  const temporary = path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.tmp`);
  try {
    writeFileSync(temporary, html);
    renameSync(temporary, target);
  } catch (error) {
    rmSync(temporary, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? (error instanceof Error ? error.message : String(error));
    throw new ReportError(`Cannot write the report to ${target} (${code}). Pass a writable file path with --out.`);
  }
}

function failureLine(error: unknown): string {
  if (error instanceof ReportError) return `report: ${error.message}`;
  return `report failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`;
}

/** Runs one report and returns the exit code: 0 when the page was written, 1 otherwise (said in one line). */
export async function runReport(options: ReportOptions): Promise<number> {
  try {
    const args = parseReportArguments(options.argv);
    // The chart library loads before the file opens, so the file is held only while it is read.
    const charts = await ChartRenderer.load();
    const data = await readReportData(args.databasePath, args.period);
    const page = buildReportPage(data, (options.now ?? (() => new Date()))());
    const svgs = new Map<string, string>();
    for (const section of page.sections) for (const chart of section.charts) svgs.set(chart.id, await charts.svg(chart));
    const html = renderHtml(page, svgs);
    writeWhole(args.outPath, html);
    options.stderr.write(
      `report: ${formatDecimal(data.totals.spend)} ${data.currency} of spend from ${data.period.from} to ${data.period.to}, ${svgs.size} charts; written to ${path.resolve(args.outPath)} (${Math.ceil(Buffer.byteLength(html) / 1024)} KiB)\n`,
    );
    return 0;
  } catch (error) {
    options.stderr.write(`${failureLine(error)}\n`);
    return 1;
  }
}
