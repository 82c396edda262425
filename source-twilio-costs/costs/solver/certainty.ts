/**
 * The exact check of a placement, on the window's Decimal prices (the searches work on doubles and
 * fingerprints): which of the categories it moves from the prior the numbers prove.
 *
 * A move is proven when every rollup it touches (the one the category leaves, if it keeps other
 * children, and the one it joins) fits exactly on every day, and, where it touches the top level
 * (which may hold cost in no category), the top level fits exactly on more of the category's days
 * with the move than without it, or, for a move to the top level that fits it on as many, the
 * rollup it leaves keeps a priced child on each of the category's days (two at least): that rollup
 * then sums exactly without it on those days, which Twilio's sums allow only if the category is
 * not inside.
 *
 * A category that leaves the top level is proven too (its rollups fitting) where the top level
 * claims more than totalprice on each of its days with it and no more without: cost in no category
 * is never negative, so the top level cannot hold it.
 *
 * Of the unproven, a move is unsupported when it leaves its rollup with no priced child on a day
 * the category is priced, though the rollup costs at least what the prior put in it on every day,
 * and the container it joins fits no better with it (fewer days off, or as many and off by less in
 * all; only fewer days off where the rollup summed exactly with what the prior put in it): the
 * window then fits better only because the rollup it emptied is no longer checked that day, and the
 * rollup, emitted as a leaf beside the children it lost, would be offset by a residual. A top level
 * holding cost in no category comes closer by any price counted twice, so a short window whose days
 * all carry such cost would otherwise send a rollup's only child (its twin there) out of it. A
 * rollup with cost of its own (`pv` where some plans report only `pv`) misfits by that cost on the
 * days it has, and would be emptied so on any short window. A rollup its children exceed on some
 * day (one not priced at all that day, say) cannot hold them all: that is evidence.
 *
 * A rollup's fit proves a move only where every other category that joined or left it is proven
 * too: one that fits because an unproven move emptied it of a category (a rollup that looks like a
 * leaf sent to the top level, which it then overfills) proves nothing of what joined it, however
 * exactly it sums.
 *
 * Neither proven nor made, whatever else fits, is a move that empties a rollup which the container
 * holding it then misfits by exactly minus its price on every day it is left alone: the rollup is
 * counted twice (it sits inside another that now holds its children), and would be emitted as a
 * leaf beside them with a residual cancelling it.
 */
import type { Decimal } from '../../money';
import { exactResidualOf } from './placements';
import { type Container, MIN_EVIDENCE_DAYS, type SolverInput } from './types';

export interface Judgement {
  readonly proven: readonly string[];
  readonly unproven: readonly string[];
  /** Those of the unproven that only empty a rollup (see above): no window is to make them. */
  readonly unsupported: readonly string[];
}

export function judgeMoves(input: SolverInput, prior: ReadonlyMap<string, Container>, parents: ReadonlyMap<string, Container>): Judgement {
  const children = new Map<Container, string[]>();
  for (const [category, parent] of parents) {
    const siblings = children.get(parent);
    if (siblings) siblings.push(category);
    else children.set(parent, [category]);
  }
  const pricesOf = (category: string): readonly Decimal[] => input.nodes.get(category)?.prices ?? [];
  const isPriced = (category: string, day: number): boolean => (pricesOf(category)[day] ?? 0n) !== 0n;
  const residualOf = (container: Container, members: readonly string[]): ReadonlyArray<Decimal | null> => exactResidualOf(input, container, members);
  const misfitting = new Set([...children].filter(([container, members]) => container !== null && residualOf(container, members).some((residual) => residual !== null && residual !== 0n)).map(([container]) => container));
  const topResidual = residualOf(null, children.get(null) ?? []);
  /** Whether the container keeps a priced child on every day the category is priced. */
  const keepsChildOnDaysOf = (container: string, category: string): boolean => pricesOf(category).every((price, day) => price === 0n || (children.get(container) ?? []).some((member) => isPriced(member, day)));
  /** Per day, the rollup's residual with every category the prior put in it as well as those it holds now. */
  const residualAsPlaced = (rollup: string): ReadonlyArray<Decimal | null> =>
    residualOf(rollup, [...new Set([...(children.get(rollup) ?? []), ...[...prior].filter(([, parent]) => parent === rollup).map(([category]) => category)])]);
  /**
   * Whether the rollup, with every category the prior put in it, covers them on every day (its
   * price at least their sum): Twilio's sums allow that only if they are inside, its surplus being
   * cost of its own. One they exceed on some day cannot hold them all, whatever else fits.
   */
  const coveredAsPlaced = (rollup: string): boolean => residualAsPlaced(rollup).every((residual) => residual === null || residual >= 0n);
  /**
   * Whether the rollup sums exactly, on every day it is checked, with what the prior put in it: the
   * best evidence it holds them. Emptied, it is emitted as a leaf beside them at their price, and a
   * container that misfits anyway (a top level holding cost in no category) only comes closer by
   * counting that price twice: only fewer days off count for the container it joins.
   */
  const summedAsPlaced = (rollup: string): boolean => residualAsPlaced(rollup).every((residual) => residual === null || residual === 0n);
  /** Whether the container fits better with the categories that came to it from `from` than without them (on fewer days, where `from` summed as placed). */
  const joinedFitsBetter = (container: Container, from: string): boolean => {
    const members = children.get(container) ?? [];
    return fitsBetter(
      residualOf(container, members),
      residualOf(
        container,
        members.filter((member) => (prior.get(member) ?? null) !== from),
      ),
      summedAsPlaced(from) ? 'days' : 'days, then distance',
    );
  };
  /** Whether the rollup, on every day it is priced with no priced child, is cancelled by the residual of the container that holds it: counted twice. */
  const countedTwice = (rollup: string): boolean => {
    const holder = parents.get(rollup) ?? null;
    const residual = holder === null ? topResidual : residualOf(holder, children.get(holder) ?? []);
    const alone = pricesOf(rollup).flatMap((price, day) => (price !== 0n && !(children.get(rollup) ?? []).some((member) => isPriced(member, day)) ? [day] : []));
    return alone.length > 0 && alone.every((day) => residual[day] === -(pricesOf(rollup)[day] ?? 0n));
  };
  const proven: string[] = [];
  const unproven: string[] = [];
  const unsupported: string[] = [];
  /** The categories that joined or left each rollup. */
  const movedOf = new Map<string, string[]>();
  for (const [category, parent] of parents) {
    const from = prior.get(category) ?? null;
    if (parent === from) continue;
    for (const container of [from, parent]) if (container !== null) movedOf.set(container, [...(movedOf.get(container) ?? []), category]);
    const rollupsFit = [from, parent].every((container) => container === null || !misfitting.has(container));
    const leftKeepsChildren = from !== null && keepsChildOnDaysOf(from, category);
    // A rollup emptied and then cancelled where it sits is a leaf beside the children it lost.
    const leftCountedTwice = from !== null && !leftKeepsChildren && countedTwice(from);
    const topGain = from !== null && parent !== null ? 0 : topFitGain(topResidual, pricesOf(category), parent === null);
    const topSettled =
      (from !== null && parent !== null) ||
      topGain > 0 ||
      (from === null && parent !== null && topOverClaimedWithout(topResidual, pricesOf(category))) ||
      (parent === null && leftKeepsChildren && topGain === 0 && pricesOf(category).filter((price) => price !== 0n).length >= MIN_EVIDENCE_DAYS);
    if (rollupsFit && topSettled && !leftCountedTwice) {
      proven.push(category);
      continue;
    }
    unproven.push(category);
    if (leftCountedTwice || (from !== null && !leftKeepsChildren && coveredAsPlaced(from) && !joinedFitsBetter(parent, from))) unsupported.push(category);
  }
  // A rollup's fit proves a move only as far as the other moves that shape it are proven: one that
  // fits because an unproven move took a category out of it (or put one in) proves nothing of the
  // moves resting on it. Removed until none rests on an unproven one.
  const stillProven = new Set(proven);
  const restsOnUnproven = (category: string): boolean =>
    [prior.get(category) ?? null, parents.get(category) ?? null].some((container) => container !== null && (movedOf.get(container) ?? []).some((other) => !stillProven.has(other)));
  for (let changed = true; changed;) {
    changed = false;
    for (const category of stillProven) {
      if (!restsOnUnproven(category)) continue;
      stillProven.delete(category);
      unproven.push(category);
      changed = true;
    }
  }
  return { proven: proven.filter((category) => stillProven.has(category)), unproven, unsupported };
}

/** Whether a container is off on fewer days with one residual than with the other, or (unless only days count) on as many and by less in all. */
function fitsBetter(withMove: ReadonlyArray<Decimal | null>, without: ReadonlyArray<Decimal | null>, counted: 'days' | 'days, then distance'): boolean {
  const fit = (residual: ReadonlyArray<Decimal | null>): { days: number; distance: Decimal } =>
    residual.reduce<{ days: number; distance: Decimal }>((sum, value) => (value === null || value === 0n ? sum : { days: sum.days + 1, distance: sum.distance + (value < 0n ? -value : value) }), {
      days: 0,
      distance: 0n,
    });
  const a = fit(withMove);
  const b = fit(without);
  return a.days < b.days || (counted === 'days, then distance' && a.days === b.days && a.distance < b.distance);
}

/**
 * Whether the top level, holding cost in no category or none, claims more than totalprice on every
 * day the category is priced if it stays there, and no more once it leaves: Twilio's top level
 * cannot, so the category sits inside something.
 */
function topOverClaimedWithout(residual: readonly (Decimal | null)[], prices: readonly Decimal[]): boolean {
  const days = prices.flatMap((price, day) => (price === 0n || residual[day] === null || residual[day] === undefined ? [] : [day]));
  return days.length > 0 && days.every((day) => (residual[day] ?? 0n) >= 0n && (residual[day] ?? 0n) - (prices[day] ?? 0n) < 0n);
}

/** On how many more of the category's priced days the top level fits with it where it is (joined or left) than without (negative: fewer). */
function topFitGain(residual: readonly (Decimal | null)[], prices: readonly Decimal[], joined: boolean): number {
  let withMove = 0;
  let without = 0;
  residual.forEach((value, day) => {
    const price = prices[day] ?? 0n;
    if (value === null || price === 0n) return;
    if (value === 0n) withMove += 1;
    // Without the move the top level's sum lacks the price it joined with, or keeps the one it left with.
    if ((joined ? value + price : value - price) === 0n) without += 1;
  });
  return withMove - without;
}
