/**
 * The moves a round of the greedy search may make from a tree, each with how much it
 * improves the window's fit, best first.
 */
import type { Decimal } from '../../money';
import { compareText } from '../hierarchy';
import { mod } from './fingerprint';
import { forEachSubset, largestSubset } from './subsets';
import { MIN_EVIDENCE_DAYS, type Container, type Move } from './types';
import type { WindowTree } from './window-tree';

/** Largest set moved from several containers at once, or swapped. */
export const SMALL_MOVE = 3;

export interface Candidate {
  readonly move: Move;
  readonly misfitGain: number;
  readonly distanceGain: Decimal;
  readonly key: string;
}

/**
 * Every admissible move of this round, best first: subsets of a misfitting container's children
 * that repair it or fill another; small sets drawn from several containers that make one fit (a
 * rollup adopting children that sit in two places); swaps between two misfitting containers.
 * Categories in `frozen` do not move.
 */
export function candidateMoves(tree: WindowTree, frozen: ReadonlySet<string>): Candidate[] {
  const targets = targetsByFingerprint(tree);
  const found = new Map<string, Candidate>();
  const consider = (categories: readonly string[], to: readonly Container[]): void => {
    const candidate = evaluateMove(tree, categories, to);
    if (candidate && !found.has(candidate.key)) found.set(candidate.key, candidate);
  };
  const misfitting = [...tree.containers()].filter((container) => tree.fitOf(container).misfits > 0);
  const movableIn = (container: Container): string[] => tree.childrenOf(container).filter((category) => !frozen.has(category));
  for (const from of misfitting) {
    const movable = movableIn(from);
    const prints = movable.map((category) => tree.printOf(category));
    const repairsFrom = mod(-tree.shortfallPrint(from));
    const childCount = tree.childrenOf(from).length;
    forEachSubset(prints, largestSubset(movable.length), (print, picked) => {
      // Moving the subset out repairs `from` exactly, or leaves it a plain leaf: any container may take it.
      const anywhere = print === repairsFrom || (from !== null && picked.length === childCount);
      const fitting = targets.get(print);
      if (!anywhere && fitting === undefined) return;
      const subset = picked.map((index) => movable[index] as string);
      for (const to of anywhere ? tree.everyNode() : (fitting ?? [])) consider(subset, subset.map(() => to));
    });
  }
  // A rollup whose children sit in different places adopts them in one move: small sets drawn
  // from several containers that make a container fit exactly.
  const everywhere = tree.everyNode().filter((category): category is string => category !== null && !frozen.has(category));
  const everywherePrints = everywhere.map((category) => tree.printOf(category));
  forEachSubset(everywherePrints, Math.min(SMALL_MOVE, largestSubset(everywhere.length)), (print, picked) => {
    const fitting = targets.get(print);
    if (fitting === undefined || picked.length < 2) return;
    const subset = picked.map((index) => everywhere[index] as string);
    if (new Set(subset.map((category) => tree.parentOf(category))).size < 2) return;
    for (const to of fitting) consider(subset, subset.map(() => to));
  });
  // Two containers that hold each other's children: a swap repairs both at once, where either
  // half alone fits neither.
  const setsByPrint = (container: Container): Map<number, string[][]> => {
    const movable = movableIn(container);
    const byPrint = new Map<number, string[][]>();
    forEachSubset(
      movable.map((category) => tree.printOf(category)),
      SMALL_MOVE,
      (print, picked) => byPrint.set(print, [...(byPrint.get(print) ?? []), picked.map((index) => movable[index] as string)]),
    );
    return byPrint;
  };
  const setsOf = new Map(misfitting.map((container) => [container, setsByPrint(container)]));
  for (const [index, first] of misfitting.entries()) {
    const outs = setsOf.get(first) ?? new Map<number, string[][]>();
    const repairsFirst = mod(-tree.shortfallPrint(first));
    for (const second of misfitting.slice(index + 1)) {
      const repairsSecond = tree.shortfallPrint(second);
      for (const [backPrint, backs] of setsOf.get(second) ?? []) {
        // first fits once it loses `out` and gains `back` when Σ out − Σ back = −residual(first);
        // second fits when Σ out − Σ back = residual(second).
        for (const out of [...(outs.get(mod(repairsFirst + backPrint)) ?? []), ...(outs.get(mod(repairsSecond + backPrint)) ?? [])]) {
          for (const back of backs) consider([...out, ...back], [...out.map(() => second), ...back.map(() => first)]);
        }
      }
    }
  }
  return [...found.values()].sort(compareCandidates);
}

/**
 * A move's gain, or undefined when it is not admissible: one side must fit exactly on every day;
 * a move of several sets must fit every container it fills (the top level aside, which may carry
 * cost in no category); another side may fit worse only when the move still leaves fewer misfits
 * in all (so rollups whose children sit in two places can adopt them one place at a time); a move
 * that only trades one misfit for another is a guess.
 */
export function evaluateMove(tree: WindowTree, categories: readonly string[], to: readonly Container[]): Candidate | undefined {
  const from = categories.map((category) => tree.parentOf(category));
  const moving = new Set(categories);
  for (const [index, category] of categories.entries()) {
    const destination = to[index] ?? null;
    if (destination === from[index]) return undefined;
    // Never under itself, nor under a descendant that stays under it.
    if (destination !== null && (destination === category || (tree.isAncestor(category, destination) && !leavesSubtree(tree, destination, category, moving)))) return undefined;
  }
  const affected = [...new Set([...from, ...to])];
  const before = affected.map((container) => tree.fitOf(container));
  const after = affected.map((container) => tree.fitAfter(container, categories, from, to));
  const receivers = affected.filter((container) => to.includes(container));
  const exactAfter = (container: Container): boolean => after[affected.indexOf(container)]?.misfits === 0;
  if (after.every((fit) => fit.misfits !== 0)) return undefined;
  const compound = new Set(from).size > 1 || new Set(to).size > 1;
  if (compound && !receivers.every((container) => container === null || exactAfter(container))) return undefined;
  const worseSomewhere = after.some((fit, index) => fit.misfits > (before[index]?.misfits ?? 0));
  // An equality on one day is too easily a coincidence. On a single day only the plainest move is
  // trusted: one category from a rollup that over-sums by its price to one that under-sums by it.
  const receiverBefore = before[affected.indexOf(to[0] ?? null)];
  const plainest = categories.length === 1 && after.every((fit) => fit.misfits === 0) && (receiverBefore?.misfits ?? 0) > 0;
  if (!plainest && tree.pricedDays(categories) < MIN_EVIDENCE_DAYS) return undefined;
  const misfitGain = before.reduce((sum, fit) => sum + fit.misfits, 0) - after.reduce((sum, fit) => sum + fit.misfits, 0);
  const distanceGain = before.reduce((sum, fit) => sum + fit.distance, 0n) - after.reduce((sum, fit) => sum + fit.distance, 0n);
  // Fewer misfits, or as many and closer: (misfits, distance) falls at every move, so the search ends.
  if (misfitGain < (worseSomewhere ? 1 : 0) || (misfitGain === 0 && distanceGain <= 0n)) return undefined;
  const move: Move = { categories, from, to };
  return { move, misfitGain, distanceGain, key: categories.map((category, index) => `${category}>${to[index] ?? ''}`).join(',') };
}

/** Whether moving `moving` takes `category` out from under `ancestor`. */
function leavesSubtree(tree: WindowTree, category: string, ancestor: string, moving: ReadonlySet<string>): boolean {
  for (let current: string | null = category; current !== null && current !== ancestor; current = tree.parentOf(current)) {
    if (moving.has(current)) return true;
  }
  return false;
}

/**
 * Containers by what a set of categories must add up to for the container to fit exactly once the
 * set joins it: its residual (price − Σ children) on every day. A childless category's residual is
 * its whole price, so a rollup that looks like a leaf can adopt its children.
 */
function targetsByFingerprint(tree: WindowTree): Map<number, Container[]> {
  const targets = new Map<number, Container[]>();
  for (const container of tree.everyNode()) {
    const print = tree.shortfallPrint(container);
    targets.set(print, [...(targets.get(print) ?? []), container]);
  }
  return targets;
}

export function sameRank(a: Candidate, b: Candidate): boolean {
  return a.misfitGain === b.misfitGain && a.distanceGain === b.distanceGain && a.move.categories.length === b.move.categories.length;
}

/** Two moves compete when they move a category in common or change the same container. */
export function overlaps(a: Move, b: Move): boolean {
  if (a.categories.some((category) => b.categories.includes(category))) return true;
  const touched = new Set([...b.from, ...b.to]);
  return [...a.from, ...a.to].some((container) => touched.has(container));
}

function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.misfitGain !== b.misfitGain) return b.misfitGain - a.misfitGain;
  if (a.distanceGain !== b.distanceGain) return a.distanceGain > b.distanceGain ? -1 : 1;
  if (a.move.categories.length !== b.move.categories.length) return a.move.categories.length - b.move.categories.length;
  return compareText(a.key, b.key);
}
