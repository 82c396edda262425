/**
 * The moves a round of the greedy search may make from a tree, each with how much it improves the
 * window's fit, best first.
 */
import { compareText } from '../hierarchy';
import { mod } from './fingerprint';
import { acyclic } from './placements';
import { forEachSubset, hasSubsetSumming, largestSubset } from './subsets';
import { type Container, MIN_EVIDENCE_DAYS, type Move } from './types';
import type { WindowTree } from './window-tree';

/** Largest set moved from several containers at once, swapped, or split between receivers. */
export const SMALL_MOVE = 3;
/** Largest set whose members a move hands out to different receivers. */
const LARGEST_SPLIT = 4;

export interface Candidate {
  readonly move: Move;
  readonly misfitGain: number;
  /** Rollups the move touches that then fit exactly on every day. */
  readonly exactFits: number;
  readonly distanceGain: bigint;
  /** How far it nests twins against their names (see twins.ts). */
  readonly againstNames: number;
  /** Σ how general the moved categories' names read: of two twins, the less general one moves. */
  readonly generality: number;
  readonly key: string;
}

/**
 * How a move resting on one day of prices is judged: `alone`, every container must fit that day
 * once it is made; `together`, every container it touches, the others being left to moves of their
 * own (two misplacements priced on one day each fit only once both are made).
 */
export type OneDayRule = 'alone' | 'together';

/**
 * Every admissible move of this round, best first: subsets of a misfitting container's children
 * that repair it or fill another, whole or handed out to several receivers; small sets drawn from
 * several misfitting containers that make one fit (a rollup adopting children that sit in two
 * places); swaps between two misfitting containers. Categories in `frozen` do not move.
 */
export function candidateMoves(tree: WindowTree, frozen: ReadonlySet<string>, oneDay: OneDayRule = 'alone'): Candidate[] {
  // Of interchangeable twins, only the first few move and only the first receives: the others give
  // the same placements under other names (and where that matters, it is a tie: see index.ts).
  const twinRanks = tree.twinRanks();
  const targets = targetsByFingerprint(tree, twinRanks);
  const found = new Map<string, Candidate>();
  const consider = (categories: readonly string[], to: readonly Container[]): void => {
    const key = categories.map((category, index) => `${category}>${to[index] ?? ''}`).join(',');
    if (found.has(key)) return;
    const candidate = evaluateMove(tree, categories, to, oneDay);
    if (candidate) found.set(key, candidate);
  };
  const misfitting = tree.misfitting();
  // A set that repairs where it is, or empties it, may go to the top level, to a rollup that misfits
  // (whose fit it may improve), or to a category it then fits exactly; under any other category it
  // would only make a new misfit.
  const open = [null, ...misfitting.filter((container) => container !== null)];
  const movableIn = (container: Container): string[] => tree.childrenOf(container).filter((category) => !frozen.has(category) && (twinRanks.get(category)?.rank ?? 0) < LARGEST_SPLIT);
  for (const from of misfitting) {
    const movable = movableIn(from);
    const prints = movable.map((category) => tree.printOf(category));
    const repairsFrom = mod(-tree.shortfallPrint(from));
    const childCount = tree.childrenOf(from).length;
    forEachSubset(prints, largestSubset(movable.length), (print, picked) => {
      // Moving the subset out repairs `from` exactly, or leaves it a plain leaf.
      const repairs = print === repairsFrom;
      const anywhere = repairs || (from !== null && picked.length === childCount);
      const fitting = targets.get(print);
      if (!anywhere && fitting === undefined) return;
      const subset = picked.map((index) => movable[index] as string);
      for (const to of anywhere ? new Set([...open, ...(fitting ?? [])]) : (fitting ?? []))
        consider(
          subset,
          subset.map(() => to),
        );
      // Or handed out: each part to a rollup that lacks exactly it, the rest to the top level.
      if (repairs && picked.length >= 2 && picked.length <= LARGEST_SPLIT) {
        forEachSplit(
          picked.map((index) => prints[index] ?? 0),
          (blockPrint) => [...(targets.get(blockPrint) ?? []).filter((to) => to !== null && to !== from), ...(from === null ? [] : [null])],
          (to) => consider(subset, to),
        );
      }
    });
  }
  // A rollup whose children sit in different places adopts them in one move: small sets drawn
  // from several misfitting containers that make a container fit exactly.
  const everywhere = misfitting.flatMap(movableIn).sort(compareText);
  const everywherePrints = everywhere.map((category) => tree.printOf(category));
  forEachSubset(everywherePrints, Math.min(SMALL_MOVE, largestSubset(everywhere.length)), (print, picked) => {
    const fitting = targets.get(print);
    if (fitting === undefined || picked.length < 2) return;
    const subset = picked.map((index) => everywhere[index] as string);
    if (new Set(subset.map((category) => tree.parentOf(category))).size < 2) return;
    for (const to of fitting)
      consider(
        subset,
        subset.map(() => to),
      );
  });
  // Two containers that hold each other's children: a swap repairs both at once, where either
  // half alone fits neither.
  const setsByPrint = (container: Container): Map<number, string[][]> => {
    const movable = movableIn(container);
    const byPrint = new Map<number, string[][]>();
    forEachSubset(
      movable.map((category) => tree.printOf(category)),
      SMALL_MOVE,
      (print, picked) => {
        const sets = byPrint.get(print);
        const set = picked.map((index) => movable[index] as string);
        if (sets) sets.push(set);
        else byPrint.set(print, [set]);
      },
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
 * Every way to hand out up to LARGEST_SPLIT members to two receivers or more, a block of them to
 * each: the receivers a block may go to are those `receiversOf` its fingerprint names, and no
 * receiver takes two blocks.
 */
function forEachSplit(prints: readonly number[], receiversOf: (print: number) => readonly Container[], visit: (to: readonly Container[]) => void): void {
  const to = new Array<Container>(prints.length).fill(null);
  const taken = new Set<Container>();
  const assign = (unassigned: number, blocks: number): void => {
    if (unassigned === 0) {
      if (blocks >= 2) visit([...to]);
      return;
    }
    const lowest = unassigned & -unassigned;
    for (let block = unassigned; block > 0; block = (block - 1) & unassigned) {
      if ((block & lowest) === 0) continue;
      let print = 0;
      for (let member = 0; member < prints.length; member++) if ((block & (1 << member)) !== 0) print = mod(print + (prints[member] ?? 0));
      for (const receiver of receiversOf(print)) {
        if (taken.has(receiver)) continue;
        taken.add(receiver);
        for (let member = 0; member < prints.length; member++) if ((block & (1 << member)) !== 0) to[member] = receiver;
        assign(unassigned & ~block, blocks + 1);
        taken.delete(receiver);
      }
    }
  };
  assign((1 << prints.length) - 1, 0);
}

/**
 * A move's gain, or undefined when it is not admissible: one side must fit exactly on every day;
 * a move of several sets must fit every rollup it fills (the top level may carry cost in no
 * category); another side may fit worse only when the move still leaves fewer misfits in all (so
 * rollups whose children sit in two places can adopt them one place at a time); a move that only
 * trades one misfit for another is a guess. A move resting on one day of prices must leave that
 * day fitting exactly in every container (`alone`), or in every rollup it touches (`together`: the
 * whole placement, top level included, is judged on that day once made, index.ts), and put categories only under one of
 * their own product family, unless into a rollup that lacked exactly them: one equality is too
 * easily a coincidence. Out of rollups whose other children sum to them exactly that day, to a top
 * level that only takes up its cost in no category, only the rollups need to fit.
 */
export function evaluateMove(tree: WindowTree, categories: readonly string[], to: readonly Container[], oneDay: OneDayRule = 'alone'): Candidate | undefined {
  const { numbers } = tree;
  const from = categories.map((category) => tree.parentOf(category));
  const moving = new Set(categories);
  let generality = 0;
  let againstNames = 0;
  for (const [index, category] of categories.entries()) {
    const destination = to[index] ?? null;
    if (destination === from[index]) return undefined;
    generality += numbers.input.nodes.get(category)?.generality ?? 0;
    if (destination === null) continue;
    // Never under itself, nor under a descendant that stays under it.
    if (destination === category || (tree.isAncestor(category, destination) && !leavesSubtree(tree, destination, category, moving))) return undefined;
    againstNames += numbers.twins.againstNames(numbers.indexOf(destination), numbers.indexOf(category));
  }
  // Nor in a cycle with another category of the move (two that would each go under the other).
  const overrides = new Map(categories.map((category, index) => [category, to[index] ?? null]));
  if (!acyclic((category) => (overrides.has(category) ? (overrides.get(category) ?? null) : tree.parentOf(category)), categories, numbers.categories.length)) return undefined;
  const affected = [...new Set([...from, ...to])];
  const before = affected.map((container) => tree.fitOf(container));
  const after = affected.map((container) => tree.fitAfter(container, categories, from, to));
  const exactAfter = (container: Container): boolean => after[affected.indexOf(container)]?.misfits === 0;
  if (after.every((fit) => fit.misfits !== 0)) return undefined;
  const receivers = affected.filter((container) => to.includes(container));
  const compound = new Set(from).size > 1 || new Set(to).size > 1;
  if (compound && !receivers.every((container) => container === null || exactAfter(container))) return undefined;
  const worseSomewhere = after.some((fit, index) => fit.misfits > (before[index]?.misfits ?? 0));
  // Going back where the prior put them needs no evidence.
  const evidence = tree.pricedDayList(categories, MIN_EVIDENCE_DAYS);
  const backToPrior = categories.every((category, index) => (to[index] ?? null) === numbers.priors[numbers.indexOf(category)]);
  if (evidence.length < MIN_EVIDENCE_DAYS && !backToPrior) {
    // Every container it touches is still checked that day (a rollup emptied of its children, or a
    // top level without totalprice, proves nothing, unless the children it loses cost more than it
    // that day: they cannot all be inside), and every container fits exactly on that day once the
    // move is made; the move changes that day only.
    const checked = (container: Container, day: number): boolean => tree.checkedAfter(container, categories, from, to, day) || (container !== null && from.includes(container) && tree.exceededOn(container, day));
    if (affected.some((container) => !evidence.every((day) => checked(container, day)))) return undefined;
    // Into a rollup that lacked exactly them, the day gives two equalities; into anything else, one.
    const strangers = categories.some((category, index) => {
      const destination = to[index] ?? null;
      return (before[affected.indexOf(destination)]?.misfits ?? 0) === 0 && !numbers.sameFamily(category, destination);
    });
    if (strangers) return undefined;
    // Together, the top level is judged with the whole placement: two categories that each leave or
    // join it fit it that day only once both moved. Nor need it (or anything the move does not touch)
    // fit when the move takes categories out of rollups whose other children add up to them exactly
    // that day, and the top level only takes up its cost in no category: the rollups' own sums rule
    // the categories out of them, whatever else misfits, and nothing else can hold them.
    const outOfOverfull = outOfOverfullRollups(tree, categories, from, to, evidence);
    const stillMisfit = affected.some(
      (container, index) => !((oneDay === 'together' || outOfOverfull) && container === null) && (after[index]?.misfits ?? 0) - (before[index]?.misfits ?? 0) + tree.misfitsOn(container, evidence) > 0,
    );
    if (stillMisfit || (oneDay === 'alone' && !outOfOverfull && [...tree.containers()].some((container) => !affected.includes(container) && tree.misfitsOn(container, evidence) > 0))) return undefined;
  }
  const misfitGain = before.reduce((sum, fit) => sum + fit.misfits, 0) - after.reduce((sum, fit) => sum + fit.misfits, 0);
  const distanceGain = before.reduce((sum, fit) => sum + fit.distance, 0n) - after.reduce((sum, fit) => sum + fit.distance, 0n);
  // Fewer misfits, or as many and closer: (misfits, distance) falls at every move, so the search ends.
  if (misfitGain < (worseSomewhere ? 1 : 0) || (misfitGain === 0 && distanceGain <= 0n)) return undefined;
  // A rollup the move empties is no longer checked at all: it does not count as fitting.
  const keepsChildren = (container: string): boolean => tree.childrenOf(container).length - from.filter((parent) => parent === container).length + to.filter((parent) => parent === container).length > 0;
  const exactFits = affected.filter((container) => container !== null && keepsChildren(container) && exactAfter(container)).length;
  const move: Move = { categories, from, to };
  return { move, misfitGain, exactFits, distanceGain, againstNames, generality, key: categories.map((category, index) => `${category}>${to[index] ?? ''}`).join(',') };
}

/**
 * Whether every category goes to the top level from a rollup whose children cost more than it on
 * each of the days by exactly what leaves it, no other set of its children costs that much that
 * day, no rollup lacks a child that day, and the top level has room for them in its cost in no
 * category: Twilio's sums rule them out of the rollup, nothing else can hold them, and they are not
 * a group counted twice beside its members (`pstnconnectivity-inbound` beside its minutes), which
 * would come closer to the top level's cost in no category just as well.
 */
function outOfOverfullRollups(tree: WindowTree, categories: readonly string[], from: readonly Container[], to: readonly Container[], days: readonly number[]): boolean {
  if (!to.every((destination) => destination === null)) return false;
  if (!from.every((container) => container !== null && days.every((day) => tree.exceededOn(container, day)))) return false;
  if (!tree.topHasRoomFor(categories, days)) return false;
  // A rollup that lacks a child that day may be where they belong (pv-recording-compositions,
  // named under pv, is video-recordings'): the top level is only where nothing else can hold them.
  if ([...tree.containers()].some((container) => container !== null && days.some((day) => tree.lacksOn(container, day)))) return false;
  const { numbers } = tree;
  const priceOn = (category: string, day: number): number => numbers.priceOf(numbers.indexOf(category), day);
  const rollups = [...new Set(from)].filter((container): container is string => container !== null);
  return rollups.every((rollup) => {
    const leaving = categories.filter((_, index) => from[index] === rollup);
    const staying = tree.childrenOf(rollup).filter((child) => !leaving.includes(child));
    return days.every((day) => {
      const prices = staying.map((child) => priceOn(child, day)).filter((price) => price !== 0);
      // Only a rollup the move makes fit exactly is searched (the search is the costly part).
      if (prices.reduce((sum, price) => sum + price, 0) !== priceOn(rollup, day)) return false;
      return !hasSubsetSumming(
        prices,
        leaving.reduce((sum, category) => sum + priceOn(category, day), 0),
        LARGEST_SPLIT,
      );
    });
  });
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
function targetsByFingerprint(tree: WindowTree, twinRanks: ReadonlyMap<string, unknown>): Map<number, Container[]> {
  const targets = new Map<number, Container[]>();
  for (const container of tree.everyNode()) {
    if (container !== null && twinRanks.has(container)) continue;
    const print = tree.shortfallPrint(container);
    const known = targets.get(print);
    if (known) known.push(container);
    else targets.set(print, [container]);
  }
  return targets;
}

/** Two moves rank alike when the numbers cannot prefer either. */
export function sameRank(a: Candidate, b: Candidate): boolean {
  return a.misfitGain === b.misfitGain && a.exactFits === b.exactFits && a.distanceGain === b.distanceGain && a.move.categories.length === b.move.categories.length && a.againstNames === b.againstNames;
}

/** Two moves compete when they move a category in common or change the same container. */
export function overlaps(a: Move, b: Move): boolean {
  if (a.categories.some((category) => b.categories.includes(category))) return true;
  const touched = new Set([...b.from, ...b.to]);
  return [...a.from, ...a.to].some((container) => touched.has(container));
}

/**
 * Best first: more misfits repaired; then more of the rollups it touches fitting exactly (a category
 * that explains a rollup goes there rather than to the top level, which takes anything); then closer; then fewer
 * categories; then twins nested less against their names; then the less general names moved.
 */
function compareCandidates(a: Candidate, b: Candidate): number {
  if (a.misfitGain !== b.misfitGain) return b.misfitGain - a.misfitGain;
  if (a.exactFits !== b.exactFits) return b.exactFits - a.exactFits;
  if (a.distanceGain !== b.distanceGain) return a.distanceGain > b.distanceGain ? -1 : 1;
  if (a.move.categories.length !== b.move.categories.length) return a.move.categories.length - b.move.categories.length;
  if (a.againstNames !== b.againstNames) return a.againstNames - b.againstNames;
  if (a.generality !== b.generality) return a.generality - b.generality;
  return compareText(a.key, b.key);
}
