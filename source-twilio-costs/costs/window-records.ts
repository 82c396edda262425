import type { Day } from '../dates';
import { DecimalColumn } from './decimal-column';
import type { CostInputRecord } from './types';

const INITIAL_ROWS = 1024;

/**
 * A window's records, held compactly until it is reconciled: amounts in DecimalColumns (8 bytes
 * each), each category and unit as a reference to one shared string, and each day's rows as
 * indices, instead of an object and three bigints per record. A chunk of a busy account's long
 * window holds tens of thousands of records until its last one comes.
 */
export class WindowRecords {
  private readonly strings = new Map<string, string>();
  private readonly categories: string[] = [];
  private readonly countUnits: Array<string | null> = [];
  private readonly usageUnits: Array<string | null> = [];
  private readonly prices = new DecimalColumn(INITIAL_ROWS);
  private readonly counts = new DecimalColumn(INITIAL_ROWS);
  private readonly usages = new DecimalColumn(INITIAL_ROWS);
  private readonly rowsByDay = new Map<Day, number[]>();

  add(day: Day, record: CostInputRecord): void {
    const row = this.categories.length;
    this.categories.push(this.shared(record.category));
    this.countUnits.push(record.countUnit === null ? null : this.shared(record.countUnit));
    this.usageUnits.push(record.usageUnit === null ? null : this.shared(record.usageUnit));
    this.prices.set(row, record.price);
    this.counts.set(row, record.count);
    this.usages.set(row, record.usage);
    const rows = this.rowsByDay.get(day);
    if (rows) rows.push(row);
    else this.rowsByDay.set(day, [row]);
  }

  /** The records of every day that has any, as reconciliation takes them. */
  byDay(): Map<Day, CostInputRecord[]> {
    const byDay = new Map<Day, CostInputRecord[]>();
    for (const [day, rows] of this.rowsByDay)
      byDay.set(
        day,
        rows.map((row) => this.record(row)),
      );
    return byDay;
  }

  private record(row: number): CostInputRecord {
    return {
      category: this.categories[row] as string,
      price: this.prices.get(row) ?? 0n,
      count: this.counts.get(row),
      countUnit: this.countUnits[row] ?? null,
      usage: this.usages.get(row),
      usageUnit: this.usageUnits[row] ?? null,
    };
  }

  /** One copy of each category and unit string, not one per record. */
  private shared(text: string): string {
    const known = this.strings.get(text);
    if (known !== undefined) return known;
    this.strings.set(text, text);
    return text;
  }
}
