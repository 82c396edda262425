/**
 * usage_costs audited against the simulator's truth, as a FinOps user would check per-product
 * spend: per (account, day, category) which true leaves came out with their exact price, which
 * rows are not true leaves (a rollup beside its priced children, a leaf under the wrong name),
 * which residual rows appear and whether one cancels an emitted category, whether every
 * account-day adds up to totalprice, and per (account, month, product) whether the spend matches.
 */
import type { Decimal } from '../../source-twilio-costs/money';
import type { Dataset, SimUsage } from '../../tools/simulator/dataset';
import { isoDateToDay } from '../../tools/simulator/dates';
import type { ReadScope } from '../blackbox/read-checks';
import { daysOf, exact, trueLeavesOf } from './simulator-truth';

type Row = Record<string, unknown>;

/** A row that should not be there, or a leaf that is missing or wrongly priced. */
export interface LeafFinding {
  account: string;
  day: string;
  category: string;
  /** What the truth says (undefined: not a true leaf). */
  expected: Decimal | undefined;
  /** What the connector emitted (undefined: no row). */
  emitted: Decimal | undefined;
}

export interface LeafAudit {
  accountDays: number;
  /** Distinct categories priced in the scopes' reports over the window (totalprice aside). */
  categories: number;
  leaves: number;
  leavesRight: number;
  /** True leaves with no row or another price. */
  leavesWrong: LeafFinding[];
  /** Non-zero, non-residual rows that are no true leaf: rollups beside their priced children, misnamed leaves. */
  extraRows: LeafFinding[];
  /** The rollups among extraRows: a truth rollup emitted on a day some child of it is priced. */
  rollupsBesideChildren: LeafFinding[];
  /** Non-zero residual rows by kind: `unattributed` (the top level), `X:unattributed` (a rollup's). */
  topResiduals: { rows: number; total: Decimal };
  rollupResiduals: { rows: number; total: Decimal; rowsSeen: LeafFinding[] };
  /** Rollup residuals other than the truth's own cost of that rollup (its price beyond its children's). */
  rollupResidualsWrong: LeafFinding[];
  /** Account-days whose top-level residual is not the truth's cost in no category (totalprice beyond its products). */
  topResidualsWrong: LeafFinding[];
  /** Residual rows whose amount is minus an emitted category's on the same account-day. */
  cancellingResiduals: LeafFinding[];
  /** Account-days whose rows (in the account's currency) do not add up to totalprice. */
  unreconciledDays: string[];
  /** (account, month, product) cells whose emitted spend differs from the truth's. */
  productMonths: number;
  productMonthsWrong: string[];
}

const RESIDUAL_SUFFIX = ':unattributed';
const SUBACCOUNTS_RESIDUAL = 'subaccounts:unattributed';

/** A rollup's cost of its own in a report: its price beyond its children's (undefined: not a truth rollup). */
function ownPriceOf(rollup: string, reported: ReadonlyMap<string, SimUsage>, childrenOf: ReadonlyMap<string, readonly string[]>): Decimal | undefined {
  const children = childrenOf.get(rollup);
  if (children === undefined || children.length === 0) return undefined;
  const spelled = [...reported.keys()].find((category) => category.toLowerCase() === rollup);
  const price = spelled === undefined ? 0n : (reported.get(spelled)?.price ?? 0n);
  return children.reduce((rest, child) => rest - (reported.get(child)?.price ?? 0n), price);
}

/** The top-level product of every category of the truth model, lower-cased. */
function productsOf(dataset: Dataset): Map<string, string> {
  const parents = new Map(dataset.truthNodes().map((node) => [node.category.toLowerCase(), node.parent?.toLowerCase() ?? null]));
  const products = new Map<string, string>();
  for (const category of parents.keys()) {
    let product = category;
    for (let parent = parents.get(product); parent !== null && parent !== undefined && parent !== 'totalprice'; parent = parents.get(product)) product = parent;
    products.set(category, product);
  }
  return products;
}

/** Compares the usage_costs rows of a read of `scopes` over [from, to] with the simulator's truth. */
export function auditLeaves(rows: readonly Row[], dataset: Dataset, scopes: readonly ReadScope[], from: string, to: string): LeafAudit {
  const emitted = new Map<string, Map<string, Row>>();
  for (const row of rows) {
    if (row.category === SUBACCOUNTS_RESIDUAL) continue;
    const key = `${String(row.account_sid)}|${String(row.start_date)}`;
    const day = emitted.get(key) ?? new Map<string, Row>();
    day.set(String(row.category).toLowerCase(), row);
    emitted.set(key, day);
  }
  const products = productsOf(dataset);
  const childrenOf = new Map(dataset.truthNodes().map((node) => [node.category.toLowerCase(), node.children]));
  const audit: LeafAudit = {
    accountDays: 0,
    categories: 0,
    leaves: 0,
    leavesRight: 0,
    leavesWrong: [],
    extraRows: [],
    rollupsBesideChildren: [],
    topResiduals: { rows: 0, total: 0n },
    rollupResiduals: { rows: 0, total: 0n, rowsSeen: [] },
    topResidualsWrong: [],
    rollupResidualsWrong: [],
    cancellingResiduals: [],
    unreconciledDays: [],
    productMonths: 0,
    productMonthsWrong: [],
  };
  const categories = new Set<string>();
  const spend = new Map<string, { truth: Decimal; emitted: Decimal }>();
  const addSpend = (cell: string, side: 'truth' | 'emitted', price: Decimal): void => {
    const sums = spend.get(cell) ?? { truth: 0n, emitted: 0n };
    sums[side] += price;
    spend.set(cell, sums);
  };
  for (const scope of scopes) {
    for (const day of daysOf(from, to)) {
      const reported = dataset.scopeUsage(scope.sid, scope.includeSubaccounts, isoDateToDay(day), isoDateToDay(day));
      const total = dataset.totalInAccountCurrency(reported)?.price ?? 0n;
      for (const [category, usage] of reported) if (usage.price !== 0n && category !== 'totalprice') categories.add(category.toLowerCase());
      const truth = trueLeavesOf(dataset, reported);
      const dayRows = emitted.get(`${scope.sid}|${day}`) ?? new Map<string, Row>();
      if (total === 0n && truth.size === 0 && dayRows.size === 0) continue;
      audit.accountDays += 1;
      const finding = (category: string, expected: Decimal | undefined, row: Row | undefined): LeafFinding => ({ account: scope.sid, day, category, expected, emitted: row ? exact(row.price) : undefined });
      const month = `${scope.sid}|${day.slice(0, 7)}`;
      for (const [category, price] of truth) {
        audit.leaves += 1;
        const row = dayRows.get(category);
        if (row && exact(row.price) === price) audit.leavesRight += 1;
        else audit.leavesWrong.push(finding(category, price, row));
        addSpend(`${month}|${products.get(category) ?? category}`, 'truth', price);
      }
      let sum = 0n;
      const prices = new Set<Decimal>();
      for (const [category, row] of dayRows) {
        const price = exact(row.price);
        if (String(row.price_unit).toLowerCase() === dataset.currency) sum += price;
        if (price === 0n) continue;
        if (row.is_unattributed !== true) prices.add(price);
        if (row.is_unattributed === true) {
          addSpend(`${month}|(residual)`, 'emitted', price);
          const side = category.endsWith(RESIDUAL_SUFFIX) ? audit.rollupResiduals : audit.topResiduals;
          side.rows += 1;
          side.total += price;
          if (!category.endsWith(RESIDUAL_SUFFIX)) continue;
          const rollup = category.slice(0, -RESIDUAL_SUFFIX.length);
          const own = ownPriceOf(rollup, reported, childrenOf);
          audit.rollupResiduals.rowsSeen.push(finding(category, own, row));
          if (own !== price) audit.rollupResidualsWrong.push(finding(category, own, row));
          continue;
        }
        addSpend(`${month}|${products.get(category) ?? category}`, 'emitted', price);
        if (truth.has(category)) continue;
        audit.extraRows.push(finding(category, undefined, row));
        if ((childrenOf.get(category) ?? []).some((child) => (reported.get(child)?.price ?? 0n) !== 0n)) audit.rollupsBesideChildren.push(finding(category, undefined, row));
      }
      for (const [category, row] of dayRows) {
        if (row.is_unattributed === true && exact(row.price) !== 0n && prices.has(-exact(row.price))) audit.cancellingResiduals.push(finding(category, undefined, row));
      }
      const uncategorised = dataset
        .truthNodes()
        .filter((node) => node.parent === 'totalprice' && dataset.priceUnitOf(node.category) === dataset.currency)
        .reduce((rest, node) => rest - (reported.get(node.category)?.price ?? 0n), total);
      const topResidual = dayRows.get('unattributed');
      if ((topResidual ? exact(topResidual.price) : 0n) !== uncategorised) audit.topResidualsWrong.push(finding('unattributed', uncategorised, topResidual));
      if (sum !== total) audit.unreconciledDays.push(`${scope.sid}|${day}`);
    }
  }
  audit.categories = categories.size;
  for (const [cell, sums] of spend) {
    if (cell.endsWith('|(residual)')) continue;
    audit.productMonths += 1;
    if (sums.truth !== sums.emitted) audit.productMonthsWrong.push(`${cell}: truth ${sums.truth}, emitted ${sums.emitted}`);
  }
  return audit;
}
