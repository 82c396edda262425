import { type HierarchyCuration, OTHER_PRODUCT, TWILIO_CURATION } from './hierarchy-data';
import twilioCategories from './twilio-categories.json';
import type { CategoryPlacement, PlacementSource } from './types';

/** Twilio is inconsistent on case (`Usage-RCS-Messages`), so every comparison uses this form. */
export function normalizeCategory(category: string): string {
  return category.trim().toLowerCase();
}

/** Above any difference in segment counts: a known rollup reads as more general than any name. */
const KNOWN_ROLLUP_GENERALITY = 1000;

interface ProductRule {
  readonly prefix: string;
  readonly product: string;
}

/**
 * Twilio's usage categories as a tree: curated placements first, then prefix refinement (the parent
 * of `c` is the longest category `p` in the hierarchy with `c` starting with `p-`), else the top
 * level. The root (`totalprice`) is implicit: top-level categories have parent null.
 *
 * Immutable. `withCategories` returns a hierarchy that also knows categories seen at runtime, so an
 * unknown category can still find its parent by name, or become the parent of others.
 */
export class Hierarchy {
  private constructor(
    private readonly curation: HierarchyCuration,
    private readonly categories: ReadonlySet<string>,
    private readonly curatedParents: ReadonlyMap<string, string | null>,
    private readonly productRules: readonly ProductRule[],
    /** The parent of every category in `categories`, worked out once. */
    private readonly parents: ReadonlyMap<string, string | null>,
    private readonly rollups: ReadonlySet<string>,
  ) {}

  /** Throws if the curated placements contain a cycle or place a category twice. */
  static create(knownCategories: Iterable<string>, curation: HierarchyCuration): Hierarchy {
    const curatedParents = curatedParentMap(curation);
    const categories = new Set([...knownCategories].map(normalizeCategory));
    for (const name of curatedNames(curation)) categories.add(name);
    return Hierarchy.build(curation, categories, curatedParents, productRules(curation));
  }

  private static build(curation: HierarchyCuration, categories: ReadonlySet<string>, curatedParents: ReadonlyMap<string, string | null>, rules: readonly ProductRule[]): Hierarchy {
    const parents = new Map([...categories].map((category) => [category, placeParent(category, categories, curatedParents, curation.root)]));
    for (const category of categories) assertNoCycle(parents, category);
    const rollups = new Set([curation.root]);
    for (const parent of parents.values()) if (parent !== null) rollups.add(parent);
    return new Hierarchy(curation, categories, curatedParents, rules, parents, rollups);
  }

  /** This hierarchy plus the given categories (for example those present in one day's records). */
  withCategories(categories: Iterable<string>): Hierarchy {
    const added = [...categories].map(normalizeCategory).filter((category) => !this.categories.has(category));
    if (added.length === 0) return this;
    const union = new Set([...this.categories, ...added]);
    return Hierarchy.build(this.curation, union, this.curatedParents, this.productRules);
  }

  get root(): string {
    return this.curation.root;
  }

  isRoot(category: string): boolean {
    return normalizeCategory(category) === this.curation.root;
  }

  /** Whether some category of this hierarchy is placed under it (or it is the root). */
  isRollup(category: string): boolean {
    return this.rollups.has(normalizeCategory(category));
  }

  /**
   * How general a category's name reads, to order two categories that cost the same on every day
   * (the numbers cannot tell which of them holds the other): a group the docs name (curated, or
   * suggested) reads as more general than any other, then a rollup by its names (a category named
   * under it), then a name of fewer `-` segments (`calls-outbound` before `calls-text-to-speech`).
   * Equal scores leave them unordered.
   */
  generalityOf(category: string): number {
    const normalized = normalizeCategory(category);
    const documented = this.isSuggestedGroup(normalized) || this.curation.placements.some((group) => group.parent === normalized);
    return (documented ? 2 * KNOWN_ROLLUP_GENERALITY : this.isRollup(normalized) ? KNOWN_ROLLUP_GENERALITY : 0) - normalized.split('-').length;
  }

  /** Whether the docs suggest it is a group of others without saying of which (`groupNames`). */
  isSuggestedGroup(category: string): boolean {
    return (this.curation.groupNames ?? []).includes(normalizeCategory(category));
  }

  parentOf(category: string): string | null {
    const normalized = normalizeCategory(category);
    const known = this.parents.get(normalized);
    if (known !== undefined) return known;
    return placeParent(normalized, this.categories, this.curatedParents, this.curation.root);
  }

  placementOf(category: string): CategoryPlacement {
    const normalized = normalizeCategory(category);
    return {
      category: normalized,
      parentCategory: this.parentOf(normalized),
      product: this.productOf(normalized),
      isRollup: this.isRollup(normalized),
      placement: this.placementSourceOf(normalized),
      includedIn: this.includedIn(normalized),
    };
  }

  /** 'curated' when the curation says where it goes, else 'name'. */
  placementSourceOf(category: string): PlacementSource {
    const normalized = normalizeCategory(category);
    return this.curatedParents.has(normalized) || normalized === this.curation.root ? 'curated' : 'name';
  }

  /** Every category this hierarchy knows, sorted: the rows of a usage_categories dimension. */
  knownPlacements(): CategoryPlacement[] {
    return [...this.categories].sort(compareText).map((category) => this.placementOf(category));
  }

  /** The longest matching product prefix of the category, else its parent's product, else Other. */
  productOf(category: string): string {
    for (const ancestor of this.selfAndAncestors(normalizeCategory(category))) {
      const rule = this.productRules.find((candidate) => ancestor.startsWith(candidate.prefix));
      if (rule) return rule.product;
    }
    return OTHER_PRODUCT;
  }

  /**
   * For a documented double count (or anything placed under one), the category whose price already
   * includes it; such a category must never be summed. Null otherwise.
   */
  includedIn(category: string): string | null {
    for (const ancestor of this.selfAndAncestors(normalizeCategory(category))) {
      const including = this.curation.overlaps[ancestor];
      if (including !== undefined) return including;
    }
    return null;
  }

  private *selfAndAncestors(category: string): Generator<string> {
    for (let current: string | null = category; current !== null; current = this.parentOf(current)) {
      yield current;
    }
  }
}

function curatedParentMap(curation: HierarchyCuration): Map<string, string | null> {
  const parents = new Map<string, string | null>();
  for (const group of curation.placements) {
    for (const child of group.children) {
      if (parents.has(child)) throw new Error(`category ${child} is curated twice`);
      parents.set(child, group.parent);
    }
  }
  for (const overlap of Object.keys(curation.overlaps)) {
    // A double count sits at the top level: it is not part of any sum, so it has no parent.
    if (parents.has(overlap)) throw new Error(`category ${overlap} is curated twice`);
    parents.set(overlap, null);
  }
  return parents;
}

function curatedNames(curation: HierarchyCuration): string[] {
  return [curation.root, ...curation.placements.flatMap((group) => (group.parent === null ? group.children : [group.parent, ...group.children])), ...Object.entries(curation.overlaps).flat()];
}

function productRules(curation: HierarchyCuration): ProductRule[] {
  const rules = Object.entries(curation.products).flatMap(([product, prefixes]) => prefixes.map((prefix) => ({ prefix, product })));
  // Longest first, so that the first match is the most specific one.
  return rules.sort((a, b) => b.prefix.length - a.prefix.length || compareText(a.prefix, b.prefix));
}

/** Curated first; else the longest category `p` of the hierarchy with `category` starting with `p-`. */
function placeParent(category: string, categories: ReadonlySet<string>, curatedParents: ReadonlyMap<string, string | null>, root: string): string | null {
  const curated = curatedParents.get(category);
  if (curated !== undefined) return curated;
  for (let end = category.lastIndexOf('-'); end > 0; end = category.lastIndexOf('-', end - 1)) {
    const candidate = category.slice(0, end);
    if (candidate !== root && categories.has(candidate)) return candidate;
  }
  return null;
}

function assertNoCycle(parents: ReadonlyMap<string, string | null>, category: string): void {
  const seen = new Set<string>();
  for (let current: string | null = category; current !== null; current = parents.get(current) ?? null) {
    if (seen.has(current)) throw new Error(`the category hierarchy has a cycle through ${current}`);
    seen.add(current);
  }
}

/** Plain code-unit order: deterministic, unlike localeCompare. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Every category Twilio has listed: the last enum, the ones dropped from it, the documented extras. */
function twilioKnownCategories(): string[] {
  return [...twilioCategories.categories, ...twilioCategories.removed_from_enum_in_earlier_spec_versions, ...twilioCategories.documented_but_not_in_enum.names];
}

let twilioDefault: Hierarchy | undefined;

/** The hierarchy of Twilio's known categories with the documented curation; built once, immutable. */
export function twilioHierarchy(): Hierarchy {
  twilioDefault ??= Hierarchy.create(twilioKnownCategories(), TWILIO_CURATION);
  return twilioDefault;
}
