/** Placements as parent maps: the prior, the difference between two, a text key for each, and a container's exact residual. */
import type { Decimal } from '../../money';
import { compareText } from '../hierarchy';
import type { Container, Move, SolverInput } from './types';

export function priorParents(input: SolverInput): Map<string, Container> {
  return new Map([...input.nodes].map(([category, node]) => [category, node.prior]));
}

/** The categories whose parent differs from the prior's, with their parent. */
export function changesFrom(prior: ReadonlyMap<string, Container>, parents: ReadonlyMap<string, Container>): Map<string, Container> {
  return new Map([...parents].filter(([category, parent]) => (prior.get(category) ?? null) !== parent));
}

/** One move taking a placement to another: every category whose parent differs, in name order. */
export function movesBetween(before: ReadonlyMap<string, Container>, after: ReadonlyMap<string, Container>): Move {
  const categories = [...after]
    .filter(([category, parent]) => (before.get(category) ?? null) !== parent)
    .map(([category]) => category)
    .sort(compareText);
  return { categories, from: categories.map((category) => before.get(category) ?? null), to: categories.map((category) => after.get(category) ?? null) };
}

/** A placement (or part of one) as text: equal placements have equal signatures. */
export function signatureOf(parents: ReadonlyMap<string, Container>): string {
  return [...parents]
    .sort(([a], [b]) => compareText(a, b))
    .map(([category, parent]) => `${category}>${parent ?? ''}`)
    .join('|');
}

/** Whether every member still has a way up to the top level. */
export function acyclic(parentOf: (category: string) => Container, members: readonly string[], categoryCount: number): boolean {
  return members.every((member) => {
    let steps = 0;
    for (let current = parentOf(member); current !== null; current = parentOf(current)) {
      if (current === member || ++steps > categoryCount) return false;
    }
    return true;
  });
}

/**
 * Per day, on the exact prices, the container's price (totalprice for the top level) minus its
 * members'; null where nothing checks it (no totalprice, or a rollup with no priced member).
 */
export function exactResidualOf(input: SolverInput, container: Container, members: readonly string[]): Array<Decimal | null> {
  const pricesOf = (category: string): readonly Decimal[] => input.nodes.get(category)?.prices ?? [];
  return Array.from({ length: input.dayCount }, (_, day) => {
    const claimed = container === null ? (input.anchor[day] ?? null) : (pricesOf(container)[day] ?? 0n);
    if (claimed === null || (container !== null && !members.some((member) => (pricesOf(member)[day] ?? 0n) !== 0n))) return null;
    let residual = claimed;
    for (const member of members) residual -= pricesOf(member)[day] ?? 0n;
    return residual;
  });
}
