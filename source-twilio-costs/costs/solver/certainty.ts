/**
 * The exact check of a placement, on the window's Decimal prices (the searches work on doubles and
 * fingerprints): which of the categories it moves from the prior the numbers prove.
 *
 * A move is proven when every rollup it touches (the one the category leaves, if it keeps other
 * children, and the one it joins) fits exactly on every day, and, where it touches the top level
 * (which may hold cost in no category), the top level fits exactly on more of the category's days
 * with the move than without it.
 */
import type { Decimal } from '../../money';
import type { Container, SolverInput } from './types';

export interface Judgement {
  readonly proven: readonly string[];
  readonly unproven: readonly string[];
}

export function judgeMoves(input: SolverInput, prior: ReadonlyMap<string, Container>, parents: ReadonlyMap<string, Container>): Judgement {
  const children = new Map<Container, string[]>();
  for (const [category, parent] of parents) {
    const siblings = children.get(parent);
    if (siblings) siblings.push(category);
    else children.set(parent, [category]);
  }
  const pricesOf = (category: string): readonly Decimal[] => input.nodes.get(category)?.prices ?? [];
  const misfitting = new Set<string>();
  for (const [container, members] of children) {
    if (container === null) continue;
    const claimed = pricesOf(container);
    for (let day = 0; day < input.dayCount; day++) {
      let sum = 0n;
      let active = false;
      for (const member of members) {
        const price = pricesOf(member)[day] ?? 0n;
        if (price === 0n) continue;
        sum += price;
        active = true;
      }
      if (active && sum !== (claimed[day] ?? 0n)) {
        misfitting.add(container);
        break;
      }
    }
  }
  const topResidual = Array.from({ length: input.dayCount }, (_, day) => {
    const anchor = input.anchor[day] ?? null;
    if (anchor === null) return null;
    let residual = anchor;
    for (const member of children.get(null) ?? []) residual -= pricesOf(member)[day] ?? 0n;
    return residual;
  });
  const proven: string[] = [];
  const unproven: string[] = [];
  for (const [category, parent] of parents) {
    const from = prior.get(category) ?? null;
    if (parent === from) continue;
    const rollupsFit = [from, parent].every((container) => container === null || !misfitting.has(container));
    (rollupsFit && (from !== null && parent !== null ? true : topFitsBetter(topResidual, pricesOf(category), parent === null)) ? proven : unproven).push(category);
  }
  return { proven, unproven };
}

/** Whether the top level fits on more of the category's priced days with it where it is (joined or left) than without. */
function topFitsBetter(residual: readonly (Decimal | null)[], prices: readonly Decimal[], joined: boolean): boolean {
  let withMove = 0;
  let without = 0;
  residual.forEach((value, day) => {
    const price = prices[day] ?? 0n;
    if (value === null || price === 0n) return;
    if (value === 0n) withMove += 1;
    // Without the move the top level's sum lacks the price it joined with, or keeps the one it left with.
    if ((joined ? value + price : value - price) === 0n) without += 1;
  });
  return withMove > without;
}
