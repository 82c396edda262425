import { type Decimal, formatDecimal, parseDecimal } from '../money';
import type { JsonObject } from '../protocol/messages';

/** The stream whose prices are the spend (they add up to the bill; usage_records repeats money per level). */
const SPEND_STREAM = 'usage_costs';

/**
 * The exact decimal of a JSON number the connector printed (at most 9 places). String() is that
 * decimal except below 1e-6, where it switches to an exponent; toFixed(9) is exact there.
 */
function decimalOf(value: number): Decimal {
  const text = String(value);
  return parseDecimal(text.includes('e') ? value.toFixed(9) : text);
}

const count = (value: number): string => value.toLocaleString('en-US');

/**
 * What one sync landed, for the line it prints when it ends: streams, records, the account-days the
 * usage streams read (records of usage_records and usage_costs carry account_sid and start_date),
 * their spend in usage_costs, the file and the time taken.
 */
export class SyncSummary {
  private records = 0;
  private readonly landed = new Set<string>();
  private readonly failed = new Set<string>();
  private readonly accountDays = new Set<string>();
  private firstDay: string | undefined;
  private lastDay: string | undefined;
  /** Σ usage_costs price per currency. */
  private readonly spend = new Map<string, Decimal>();

  constructor(private readonly streamCount: number) {}

  record(stream: string, data: JsonObject): void {
    this.records += 1;
    const { account_sid: account, start_date: day } = data;
    if (typeof account === 'string' && typeof day === 'string') {
      this.accountDays.add(`${account}|${day}`);
      if (this.firstDay === undefined || day < this.firstDay) this.firstDay = day;
      if (this.lastDay === undefined || day > this.lastDay) this.lastDay = day;
    }
    if (stream === SPEND_STREAM && typeof data.price === 'number' && typeof data.price_unit === 'string') {
      this.spend.set(data.price_unit, (this.spend.get(data.price_unit) ?? 0n) + decimalOf(data.price));
    }
  }

  streamFinished(stream: string, outcome: 'landed' | 'failed'): void {
    (outcome === 'landed' ? this.landed : this.failed).add(stream);
  }

  /** One line, with no newline: "sync: 5 of 5 streams landed, 41,234 records, …". */
  line(databasePath: string, elapsedMs: number): string {
    const failed = this.failed.size > 0 ? ` (${[...this.failed].join(', ')} failed)` : '';
    const parts = [`sync: ${this.landed.size} of ${this.streamCount} streams landed${failed}`, `${count(this.records)} records`];
    if (this.firstDay !== undefined && this.lastDay !== undefined) {
      const spend = [...this.spend].map(([currency, total]) => `${formatDecimal(total)} ${currency}`).join(' + ');
      parts.push(`${count(this.accountDays.size)} account-days (${this.firstDay}..${this.lastDay})${spend ? ` costing ${spend} in ${SPEND_STREAM}` : ''}`);
    }
    return `${parts.join(', ')}; into ${databasePath} in ${(elapsedMs / 1000).toFixed(1)} s`;
  }
}
