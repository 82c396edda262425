import type { Container, SolverInput } from '../../../../source-twilio-costs/costs/solver/types';
import { WindowNumbers } from '../../../../source-twilio-costs/costs/solver/window-numbers';
import { parseDecimal } from '../../../../source-twilio-costs/money';

/** A category of a made-up window: where the prior puts it, its price on each day (decimal strings, '0' when idle), how general its name reads, its product family. */
export interface NodeSketch {
  readonly prior: Container;
  readonly prices: readonly string[];
  readonly generality?: number;
  readonly family?: string;
}

/** A solver input from decimal strings: totalprice per day (null where Twilio sent none) and the categories. */
export function solverInput(anchor: readonly (string | null)[], nodes: Readonly<Record<string, NodeSketch>>): SolverInput {
  return {
    dayCount: anchor.length,
    anchor: anchor.map((price) => (price === null ? null : parseDecimal(price))),
    nodes: new Map(Object.entries(nodes).map(([category, node]) => [category, { prior: node.prior, prices: node.prices.map(parseDecimal), generality: node.generality, family: node.family }])),
  };
}

/** category → parent, sorted by category: the shape assertions compare. */
export function parentsOf(parents: ReadonlyMap<string, Container>): Record<string, Container> {
  return Object.fromEntries([...parents].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** A window's numbers, as the solver's trees read them. */
export function numbersOf(anchor: readonly (string | null)[], nodes: Readonly<Record<string, NodeSketch>>): WindowNumbers {
  return new WindowNumbers(solverInput(anchor, nodes));
}

/** A price in whole steps of a window's numbers: how fits measure their distance. */
export function stepsOf(numbers: WindowNumbers, price: string): bigint {
  return parseDecimal(price) / numbers.step;
}
