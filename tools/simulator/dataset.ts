/**
 * Deterministic, seeded Twilio usage data for the simulator: accounts, API keys and, for every
 * (account, day), the usage records Twilio would report, built bottom-up from the truth model so
 * that every rollup and `totalprice` is an exact sum.
 *
 * Days are generated lazily on first use and memoised, so a year of data costs nothing until read.
 */
// Twilio's own list of categories (its OpenAPI enum): the simulator plays Twilio, so it lists them
// from its own copy, not from the connector's.
import { type Nanos, NANOS_PER_CENT, NANOS_PER_PRICE_STEP, NANOS_PER_UNIT, priceStepsOf } from './amounts';
import { type DayNumber, dayOfMonth, dayToIsoDate, isoDateToDay } from './dates';
import { mixSeeds, Prng } from './prng';
import { CORE_TOP_LEVEL, guessDescription, guessUnits, type Meter, OPTIONAL_TOP_LEVEL, TOTAL_PRICE_CATEGORY, TOTAL_PRICE_DESCRIPTION, type TruthNodeSpec, UNCATEGORISED_COST, UNDOCUMENTED_GROUPINGS } from './truth-model';
import knownCategoryFile from './usage-record-categories.json';

export interface SimAccount {
  sid: string;
  friendlyName: string;
  status: 'active' | 'suspended' | 'closed';
  type: 'Full' | 'Trial';
  authToken: string;
  ownerAccountSid: string;
  /** YYYY-MM-DD; no usage before it. */
  dateCreated: string;
  /** YYYY-MM-DD; no usage after it. */
  dateClosed?: string;
  /**
   * false = closed and deleted: absent from /Accounts.json and unreadable, but its usage still counts
   * in the main account's IncludeSubaccounts=true totals.
   */
  listed: boolean;
  /** A subaccount whose usage endpoints answer this status instead of data. */
  usageAnswers?: 404 | 403;
}

export interface SimApiKey {
  /** SK + 32 hex. */
  sid: string;
  secret: string;
  accountSid: string;
  /** Standard keys cannot read Account resources; main keys can. */
  kind: 'standard' | 'main';
}

export interface SimUsage {
  count: Nanos | null;
  usage: Nanos;
  price: Nanos;
  countUnit: string;
  usageUnit: string;
}

/** The numbers of a usage record, without its units. */
export type SimAmounts = Pick<SimUsage, 'count' | 'usage' | 'price'>;

/** What a category's zero row says about it. */
export interface CategoryInfo {
  category: string;
  description: string;
  countUnit: string;
  usageUnit: string;
}

/** One node of the truth model: its price is its own usage plus its children's prices. */
export interface TruthNode extends CategoryInfo {
  /** null for totalprice; top-level products have totalprice as parent. */
  parent: string | null;
  children: readonly string[];
  /** false for pure rollups, whose price is always exactly the sum of their children. */
  hasOwnUsage: boolean;
}

export interface DatasetOptions {
  seed: number;
  /** First day with usage (YYYY-MM-DD). */
  startDate: string;
  /** Last day with usage (YYYY-MM-DD, inclusive). */
  endDate: string;
  /** Active, listed subaccounts. */
  subaccounts: number;
  /** Closed and deleted (unlisted) subaccounts whose usage stops part-way through the range. */
  closedSubaccounts?: number;
  /** How many of the optional stand-alone products each account uses besides the core ones. */
  optionalProductsPerAccount?: number;
  /** By index of active subaccount: what its usage endpoints answer instead of data. */
  subaccountUsageAnswers?: ReadonlyArray<404 | 403 | undefined>;
  /** How many active subaccounts (the first ones) have any usage; the others stay idle. Default: all. */
  subaccountsWithUsage?: number;
  /**
   * How many accounts, the main account first, also use the products whose grouping Twilio does not
   * document (truth-model.ts, UNDOCUMENTED_GROUPINGS). Default: none.
   */
  accountsWithUndocumentedGroupings?: number;
}

// ---------------------------------------------------------------------------------------------
// The truth model, flattened once: children always come before their parent, totalprice last.

type ProductUse = 'core' | 'optional' | 'undocumented-grouping';

interface ModelNode extends TruthNode {
  index: number;
  meter: Meter | undefined;
  childIndices: number[];
  /** The top-level product this node belongs to (itself when top level); -1 for totalprice. */
  productIndex: number;
  /** Which accounts use the node's product: every one, a few per account, or those a dataset names. */
  use: ProductUse;
  reportsAlone: TruthNodeSpec['reportsAlone'];
  /** Ancestors that may report alone, silencing this node on those days. */
  silencingAncestors: number[];
}

function flattenModel(): ModelNode[] {
  const nodes: ModelNode[] = [];
  const add = (spec: TruthNodeSpec, parent: string, use: ProductUse): number => {
    const childIndices = (spec.children ?? []).map((child) => add(child, spec.category, use));
    nodes.push({
      index: nodes.length,
      category: spec.category,
      description: spec.description,
      countUnit: spec.countUnit,
      usageUnit: spec.usageUnit,
      parent,
      children: (spec.children ?? []).map((child) => child.category),
      hasOwnUsage: spec.meter !== undefined || spec.reportsAlone !== undefined,
      meter: spec.meter,
      childIndices,
      productIndex: -1,
      use,
      reportsAlone: spec.reportsAlone,
      silencingAncestors: [],
    });
    return nodes.length - 1;
  };
  const topLevel = [
    ...CORE_TOP_LEVEL.map((spec) => add(spec, TOTAL_PRICE_CATEGORY, 'core')),
    ...OPTIONAL_TOP_LEVEL.map((spec) => add(spec, TOTAL_PRICE_CATEGORY, 'optional')),
    ...UNDOCUMENTED_GROUPINGS.map((spec) => add(spec, TOTAL_PRICE_CATEGORY, 'undocumented-grouping')),
  ];
  nodes.push({
    index: nodes.length,
    category: TOTAL_PRICE_CATEGORY,
    description: TOTAL_PRICE_DESCRIPTION,
    countUnit: '',
    usageUnit: 'usd',
    parent: null,
    children: topLevel.map((index) => (nodes[index] as ModelNode).category),
    hasOwnUsage: true,
    meter: undefined,
    childIndices: topLevel,
    productIndex: -1,
    use: 'core',
    reportsAlone: undefined,
    silencingAncestors: [],
  });
  // Top-down, now that every index is known: each node's product, and the ancestors that may silence it.
  const annotate = (index: number, productIndex: number, silencingAncestors: number[]): void => {
    const node = nodes[index] as ModelNode;
    node.productIndex = productIndex;
    node.silencingAncestors = silencingAncestors;
    const below = node.reportsAlone ? [...silencingAncestors, index] : silencingAncestors;
    for (const childIndex of node.childIndices) annotate(childIndex, productIndex, below);
  };
  for (const index of topLevel) annotate(index, index, []);
  return nodes;
}

const MODEL = flattenModel();
const TOTAL_PRICE_INDEX = MODEL.length - 1;
/**
 * Seeds each day's uncategorised cost: totalprice's index before the undocumented groupings were
 * added to the model, kept so that the days of every dataset stayed as they were.
 */
const UNCATEGORISED_COST_SEED = 57;
/** Mixed into the seeds of the undocumented groupings' nodes: the first of them has index 57, and would otherwise draw its days with the cost in no category. */
const UNDOCUMENTED_GROUPING_SEED = 0x9a0;
const MODEL_BY_LOWER_CATEGORY = new Map(MODEL.map((node) => [node.category.toLowerCase(), node]));

/** The 643 known categories, spelled as the model spells them, then the model's unknown ones. */
const ALL_CATEGORIES: readonly string[] = (() => {
  const listed = knownCategoryFile.categories.map((category) => MODEL_BY_LOWER_CATEGORY.get(category.toLowerCase())?.category ?? category);
  const listedLower = new Set(listed.map((category) => category.toLowerCase()));
  const unlisted = MODEL.filter((node) => !listedLower.has(node.category.toLowerCase())).map((node) => node.category);
  return [...listed, ...unlisted];
})();

const CATEGORY_INFO: ReadonlyMap<string, CategoryInfo> = new Map(
  ALL_CATEGORIES.map((category) => {
    const node = MODEL_BY_LOWER_CATEGORY.get(category.toLowerCase());
    const info: CategoryInfo = node ? { category, description: node.description, countUnit: node.countUnit, usageUnit: node.usageUnit } : { category, description: guessDescription(category), ...guessUnits(category) };
    return [category.toLowerCase(), info];
  }),
);

// ---------------------------------------------------------------------------------------------
// Amounts.

const WEEKEND_VOLUME = 0.6;

interface Amount {
  count: Nanos | null;
  usage: Nanos;
  price: Nanos;
}

const unitPriceSteps = new Map<string, bigint>();
function priceSteps(unitPrice: string): bigint {
  let steps = unitPriceSteps.get(unitPrice);
  if (steps === undefined) {
    steps = priceStepsOf(unitPrice);
    unitPriceSteps.set(unitPrice, steps);
  }
  return steps;
}

function isZero(amount: Amount): boolean {
  return amount.price === 0n && amount.usage === 0n && (amount.count ?? 0n) === 0n;
}

/** One account's fixed traits, drawn from the seed. */
interface AccountProfile {
  index: number;
  account: SimAccount;
  volume: number;
  optionalProducts: ReadonlySet<number>;
  usesUndocumentedGroupings: boolean;
  firstUsageDay: DayNumber;
  lastUsageDay: DayNumber;
}

interface DayTruth {
  /** By model index; null = no own usage. */
  own: readonly (Amount | null)[];
  reported: ReadonlyMap<string, SimUsage>;
}

/** Days outside an account's usage range: shared, not memoised, so that decades of Daily stay cheap. */
const NO_USAGE_DAY: DayTruth = { own: new Array<Amount | null>(MODEL.length).fill(null), reported: new Map() };
/** Bounds the memo of summed scopes; benchmarks may ask for many distinct date windows. */
const MAX_SCOPE_CACHE_ENTRIES = 20_000;

export class Dataset {
  readonly currency = 'usd';
  readonly mainAccountSid: string;
  /** Main account first. */
  readonly accounts: SimAccount[];
  readonly apiKeys: SimApiKey[];
  readonly seed: number;
  readonly startDate: string;
  readonly endDate: string;

  private readonly profilesBySid: ReadonlyMap<string, AccountProfile>;
  private readonly dayTruths = new Map<string, DayTruth>();
  /** By account index: days restated by hand, which may lie outside the account's usage range. */
  private readonly restatedDays = new Map<number, Set<DayNumber>>();
  private readonly scopeCache = new Map<string, ReadonlyMap<string, SimUsage>>();
  /** By lower-cased top-level product: the currency it is billed in, when not the account's. */
  private readonly productCurrencies = new Map<string, string>();

  /** Use generateDataset() or sampleDataset(). */
  constructor(seed: number, startDate: string, endDate: string, profiles: AccountProfile[], apiKeys: SimApiKey[]) {
    const main = profiles[0];
    if (!main) throw new Error('a dataset needs a main account');
    this.seed = seed;
    this.startDate = startDate;
    this.endDate = endDate;
    this.mainAccountSid = main.account.sid;
    this.accounts = profiles.map((profile) => profile.account);
    this.apiKeys = apiKeys;
    this.profilesBySid = new Map(profiles.map((profile) => [profile.account.sid, profile]));
  }

  /** Every category Daily lists, in a stable order: the 643 known ones, then unknown ones. */
  categories(): readonly string[] {
    return ALL_CATEGORIES;
  }

  /** The category as the dataset spells it, matched case-insensitively; undefined if unknown. */
  canonicalCategory(category: string): string | undefined {
    return CATEGORY_INFO.get(category.toLowerCase())?.category;
  }

  /** Description and units of any listed category (for its zero rows). */
  categoryInfo(category: string): CategoryInfo {
    const info = CATEGORY_INFO.get(category.toLowerCase());
    if (!info) throw new Error(`unknown category ${JSON.stringify(category)}`);
    return info;
  }

  /**
   * Bills a top-level product in another currency than the account's, as a marketplace vendor may:
   * the rows of its categories carry that price_unit, and totalprice (in the account's currency)
   * leaves their price out.
   */
  billInCurrency(product: string, currency: string): void {
    const node = MODEL_BY_LOWER_CATEGORY.get(product.toLowerCase());
    if (!node || node.parent !== TOTAL_PRICE_CATEGORY) throw new Error(`${JSON.stringify(product)} is not a top-level product of the truth model`);
    this.productCurrencies.set(node.category.toLowerCase(), currency);
  }

  /** The price_unit of a category's rows: its product's currency, else the account's. */
  priceUnitOf(category: string): string {
    const node = MODEL_BY_LOWER_CATEGORY.get(category.toLowerCase());
    const product = node && node.productIndex >= 0 ? MODEL[node.productIndex] : undefined;
    return (product && this.productCurrencies.get(product.category.toLowerCase())) ?? this.currency;
  }

  /** A scope's totalprice in the account's currency: without the products billed in another one. */
  totalInAccountCurrency(usages: ReadonlyMap<string, SimUsage>): SimUsage | undefined {
    const total = usages.get(TOTAL_PRICE_CATEGORY);
    if (!total || this.productCurrencies.size === 0) return total;
    let foreign = 0n;
    for (const product of this.productCurrencies.keys()) foreign += usages.get(MODEL_BY_LOWER_CATEGORY.get(product)?.category ?? product)?.price ?? 0n;
    return { ...total, usage: total.usage - foreign, price: total.price - foreign };
  }

  /** The truth model: which category contains which, children before parents, totalprice last. */
  truthNodes(): readonly TruthNode[] {
    return MODEL;
  }

  account(sid: string): SimAccount | undefined {
    return this.profilesBySid.get(sid)?.account;
  }

  /** The accounts whose usage a query of `sid` covers: IncludeSubaccounts on the main account covers all. */
  scopeAccounts(sid: string, includeSubaccounts: boolean): SimAccount[] {
    if (includeSubaccounts && sid === this.mainAccountSid) return this.accounts;
    return [this.profile(sid).account];
  }

  /** The categories an account reports on a day: only non-zero ones, totalprice included. */
  usage(accountSid: string, date: string): ReadonlyMap<string, SimUsage> {
    return this.dayTruth(this.profile(accountSid), isoDateToDay(date)).reported;
  }

  /**
   * The usage each category records by itself that day (not through its children), and totalprice's
   * uncategorised cost: the truth every reported number is summed from.
   */
  ownUsage(accountSid: string, date: string): ReadonlyMap<string, SimUsage> {
    const truth = this.dayTruth(this.profile(accountSid), isoDateToDay(date));
    const own = new Map<string, SimUsage>();
    truth.own.forEach((amount, index) => {
      const node = MODEL[index] as ModelNode;
      if (amount) own.set(node.category, { ...amount, countUnit: node.countUnit, usageUnit: node.usageUnit });
    });
    return own;
  }

  /**
   * Usage summed over [firstDay, lastDay] and over the accounts of the scope, one entry per non-zero
   * category. Memoised: pages of the same listing ask for the same scopes again and again.
   */
  scopeUsage(accountSid: string, includeSubaccounts: boolean, firstDay: DayNumber, lastDay: DayNumber): ReadonlyMap<string, SimUsage> {
    const profiles = this.scopeAccounts(accountSid, includeSubaccounts).map((account) => this.profile(account.sid));
    if (profiles.length === 1 && firstDay === lastDay) return this.dayTruth(profiles[0] as AccountProfile, firstDay).reported;
    const key = `${accountSid}|${includeSubaccounts}|${firstDay}|${lastDay}`;
    let summed = this.scopeCache.get(key);
    if (summed === undefined) {
      summed = this.sumUsage(profiles, firstDay, lastDay);
      if (this.scopeCache.size >= MAX_SCOPE_CACHE_ENTRIES) this.scopeCache.clear();
      this.scopeCache.set(key, summed);
    }
    return summed;
  }

  /**
   * Restates one category of one account-day, as Twilio does when late prices arrive, and keeps every
   * rollup and totalprice consistent. `amounts` is the category's new reported value (its own usage
   * becomes that minus its children's); null removes its own usage. Pure rollups cannot be restated:
   * restate their children.
   */
  restate(accountSid: string, date: string, category: string, amounts: SimAmounts | null): void {
    const profile = this.profile(accountSid);
    const node = MODEL_BY_LOWER_CATEGORY.get(category.toLowerCase());
    if (!node) throw new Error(`the truth model has no category ${JSON.stringify(category)}`);
    if (!node.hasOwnUsage) throw new Error(`${node.category} is a pure rollup; restate its children instead`);
    const day = isoDateToDay(date);
    const truth = this.dayTruth(profile, day);
    const own = [...truth.own];
    if (amounts === null) {
      own[node.index] = null;
    } else if (node.index === TOTAL_PRICE_INDEX) {
      // Uncategorised cost: whatever totalprice holds beyond its top-level items.
      const price = amounts.price - sumChildren(node, computeTotals(truth.own)).price;
      own[node.index] = { count: null, usage: price, price };
    } else {
      const childSum = sumChildren(node, computeTotals(truth.own));
      own[node.index] = {
        count: amounts.count === null ? null : amounts.count - (childSum.count ?? 0n),
        usage: amounts.usage - childSum.usage,
        price: amounts.price - childSum.price,
      };
    }
    this.dayTruths.set(dayKey(profile, day), { own, reported: report(own) });
    let restated = this.restatedDays.get(profile.index);
    if (!restated) {
      restated = new Set();
      this.restatedDays.set(profile.index, restated);
    }
    restated.add(day);
    this.scopeCache.clear();
  }

  private profile(sid: string): AccountProfile {
    const profile = this.profilesBySid.get(sid);
    if (!profile) throw new Error(`no account ${sid} in this dataset`);
    return profile;
  }

  private dayTruth(profile: AccountProfile, day: DayNumber): DayTruth {
    const key = dayKey(profile, day);
    let truth = this.dayTruths.get(key);
    if (truth === undefined) {
      // Restated days are always memoised, so this only skips days that truly have no usage.
      if (day < profile.firstUsageDay || day > profile.lastUsageDay) return NO_USAGE_DAY;
      const own = this.generateOwnUsage(profile, day);
      truth = { own, reported: report(own) };
      this.dayTruths.set(key, truth);
    }
    return truth;
  }

  private generateOwnUsage(profile: AccountProfile, day: DayNumber): (Amount | null)[] {
    const own: (Amount | null)[] = new Array<Amount | null>(MODEL.length).fill(null);
    const weekday = (day + 4) % 7; // 1970-01-01 was a Thursday; 0 = Sunday
    const dayVolume = profile.volume * (weekday === 0 || weekday === 6 ? WEEKEND_VOLUME : 1);
    const reportsAloneToday = new Set<number>();
    for (const node of MODEL) {
      if (node.reportsAlone && new Prng(mixSeeds(this.seed, profile.index, day, node.index, 1)).chance(node.reportsAlone.share)) {
        reportsAloneToday.add(node.index);
      }
    }
    for (const node of MODEL) {
      if (node.use === 'optional' && !profile.optionalProducts.has(node.productIndex)) continue;
      if (node.use === 'undocumented-grouping' && !profile.usesUndocumentedGroupings) continue;
      const prng = new Prng(node.use === 'undocumented-grouping' ? mixSeeds(this.seed, profile.index, day, node.index, UNDOCUMENTED_GROUPING_SEED) : mixSeeds(this.seed, profile.index, day, node.index));
      const meter = reportsAloneToday.has(node.index) ? node.reportsAlone?.meter : node.meter;
      if (!meter || node.silencingAncestors.some((ancestor) => reportsAloneToday.has(ancestor))) continue;
      own[node.index] = drawMeter(meter, prng, day, dayVolume, profile.volume);
    }
    const uncategorised = new Prng(mixSeeds(this.seed, profile.index, day, UNCATEGORISED_COST_SEED));
    if (uncategorised.chance(UNCATEGORISED_COST.share)) {
      const price = BigInt(uncategorised.int(...UNCATEGORISED_COST.cents)) * NANOS_PER_CENT;
      own[TOTAL_PRICE_INDEX] = { count: null, usage: price, price };
    }
    return own;
  }

  private sumUsage(profiles: AccountProfile[], firstDay: DayNumber, lastDay: DayNumber): ReadonlyMap<string, SimUsage> {
    const sums = new Map<string, SimUsage>();
    const add = (profile: AccountProfile, day: DayNumber): void => {
      for (const [category, usage] of this.dayTruth(profile, day).reported) {
        const sum = sums.get(category);
        if (!sum) {
          sums.set(category, { ...usage });
        } else {
          sum.count = sum.count === null || usage.count === null ? (sum.count ?? usage.count) : sum.count + usage.count;
          sum.usage += usage.usage;
          sum.price += usage.price;
        }
      }
    };
    for (const profile of profiles) {
      // Only days in the account's usage range can have usage, besides days restated by hand.
      const from = Math.max(firstDay, profile.firstUsageDay);
      const to = Math.min(lastDay, profile.lastUsageDay);
      for (let day = from; day <= to; day++) add(profile, day);
      for (const day of this.restatedDays.get(profile.index) ?? []) {
        if (day >= firstDay && day <= lastDay && (day < from || day > to)) add(profile, day);
      }
    }
    return sums;
  }
}

function dayKey(profile: AccountProfile, day: DayNumber): string {
  return `${profile.index}:${day}`;
}

function drawMeter(meter: Meter, prng: Prng, day: DayNumber, dayVolume: number, monthVolume: number): Amount | null {
  if (meter.kind === 'adjustment') {
    if (!prng.chance(meter.activeShare)) return null;
    const price = BigInt(prng.int(...meter.cents)) * NANOS_PER_CENT;
    return { count: NANOS_PER_UNIT, usage: price, price };
  }
  if (meter.billing === 'monthly' ? dayOfMonth(day) !== 1 : !prng.chance(meter.activeShare)) return null;
  const volume = meter.billing === 'monthly' ? monthVolume : dayVolume;
  const count = Math.max(1, Math.round(prng.int(...meter.count) * volume));
  const [minPerCount, maxPerCount] = meter.usagePerCount;
  const usageSteps = Math.max(1, Math.round(count * (minPerCount + (maxPerCount - minPerCount) * prng.next())));
  const stepsPerUnit = 10n ** BigInt(meter.usageDecimals);
  // price = usage × unit price, rounded half-up to Twilio's 5 decimal places.
  const priceInSteps = (BigInt(usageSteps) * priceSteps(meter.unitPrice) * 2n + stepsPerUnit) / (2n * stepsPerUnit);
  return {
    count: BigInt(count) * NANOS_PER_UNIT,
    usage: (BigInt(usageSteps) * NANOS_PER_UNIT) / stepsPerUnit,
    price: priceInSteps * NANOS_PER_PRICE_STEP,
  };
}

/** Every node's reported amount: its own usage plus its children's (counts only where units agree). */
function computeTotals(own: readonly (Amount | null)[]): Amount[] {
  const totals: Amount[] = [];
  for (const node of MODEL) {
    const children = sumChildren(node, totals);
    const mine = own[node.index];
    if (node.index === TOTAL_PRICE_INDEX) {
      const price = (mine?.price ?? 0n) + children.price;
      totals.push({ count: null, usage: price, price });
      continue;
    }
    const ownCount = mine ? mine.count : null;
    totals.push({
      count: ownCount === null && children.count === null ? (mine ? null : 0n) : (ownCount ?? 0n) + (children.count ?? 0n),
      usage: (mine?.usage ?? 0n) + children.usage,
      price: (mine?.price ?? 0n) + children.price,
    });
  }
  return totals;
}

/** The children's contribution to a node: all of their price; count and usage where units agree. */
function sumChildren(node: ModelNode, totals: readonly Amount[]): Amount {
  let count: Nanos | null = null;
  let usage = 0n;
  let price = 0n;
  for (const childIndex of node.childIndices) {
    const child = MODEL[childIndex] as ModelNode;
    const total = totals[childIndex] as Amount;
    price += total.price;
    if (child.countUnit === node.countUnit && total.count !== null) count = (count ?? 0n) + total.count;
    if (child.usageUnit === node.usageUnit) usage += total.usage;
  }
  return { count, usage, price };
}

function report(own: readonly (Amount | null)[]): ReadonlyMap<string, SimUsage> {
  const totals = computeTotals(own);
  const reported = new Map<string, SimUsage>();
  for (const node of MODEL) {
    const total = totals[node.index] as Amount;
    if (!isZero(total)) reported.set(node.category, { ...total, countUnit: node.countUnit, usageUnit: node.usageUnit });
  }
  return reported;
}

// ---------------------------------------------------------------------------------------------
// Building datasets.

interface AccountIdentity {
  sid: string;
  authToken: string;
  friendlyName: string;
  dateCreated: string;
}

interface DatasetIdentities {
  main: AccountIdentity;
  subaccounts: AccountIdentity[];
  closedSubaccounts: (AccountIdentity & { dateClosed: string })[];
  apiKeys: { standard: { sid: string; secret: string }; main: { sid: string; secret: string } };
}

const DEFAULT_OPTIONAL_PRODUCTS = 3;
const SECRET_ALPHABET = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

function randomIdentities(options: DatasetOptions): DatasetIdentities {
  const prng = new Prng(mixSeeds(options.seed, 0x1d));
  const first = isoDateToDay(options.startDate);
  const last = isoDateToDay(options.endDate);
  const identity = (friendlyName: string, dateCreated: DayNumber): AccountIdentity => ({
    sid: `AC${prng.hex(32)}`,
    authToken: prng.hex(32),
    friendlyName,
    dateCreated: dayToIsoDate(dateCreated),
  });
  const secret = (): string => Array.from({ length: 32 }, () => SECRET_ALPHABET.charAt(prng.int(0, SECRET_ALPHABET.length - 1))).join('');
  return {
    main: identity(`Simulated account ${options.seed}`, first - prng.int(400, 2000)),
    // Odd subaccounts are created part-way through the range, so their early days have no usage.
    subaccounts: Array.from({ length: options.subaccounts }, (_, index) =>
      identity(`Subaccount ${index + 1}`, index % 2 === 1 ? first + Math.floor(((last - first) * prng.int(15, 45)) / 100) : first - prng.int(20, 300)),
    ),
    closedSubaccounts: Array.from({ length: options.closedSubaccounts ?? 0 }, (_, index) => ({
      ...identity(`Closed subaccount ${index + 1}`, first - prng.int(20, 300)),
      dateClosed: dayToIsoDate(first + Math.floor(((last - first) * prng.int(30, 60)) / 100)),
    })),
    apiKeys: {
      standard: { sid: `SK${prng.hex(32)}`, secret: secret() },
      main: { sid: `SK${prng.hex(32)}`, secret: secret() },
    },
  };
}

function buildDataset(options: DatasetOptions, identities: DatasetIdentities): Dataset {
  const first = isoDateToDay(options.startDate);
  const last = isoDateToDay(options.endDate);
  if (last < first) throw new Error(`endDate ${options.endDate} is before startDate ${options.startDate}`);
  const optionalCount = Math.min(options.optionalProductsPerAccount ?? DEFAULT_OPTIONAL_PRODUCTS, OPTIONAL_TOP_LEVEL.length);
  const optionalProductIndices = MODEL.filter((node) => node.use === 'optional' && node.productIndex === node.index).map((node) => node.index);
  const mainSid = identities.main.sid;

  const profile = (index: number, identity: AccountIdentity, traits: Pick<SimAccount, 'status' | 'listed'> & Partial<SimAccount>): AccountProfile => {
    const prng = new Prng(mixSeeds(options.seed, index, 0xacc));
    const account: SimAccount = {
      sid: identity.sid,
      friendlyName: identity.friendlyName,
      type: 'Full',
      authToken: identity.authToken,
      ownerAccountSid: mainSid,
      dateCreated: identity.dateCreated,
      ...traits,
    };
    return {
      index,
      account,
      volume: index === 0 ? 1 : prng.int(20, 70) / 100,
      optionalProducts: new Set(prng.shuffled(optionalProductIndices).slice(0, optionalCount)),
      usesUndocumentedGroupings: index < (options.accountsWithUndocumentedGroupings ?? 0),
      firstUsageDay: Math.max(first, isoDateToDay(account.dateCreated)),
      lastUsageDay: account.dateClosed ? Math.min(last, isoDateToDay(account.dateClosed)) : last,
    };
  };

  const profiles = [profile(0, identities.main, { status: 'active', listed: true })];
  identities.subaccounts.forEach((identity, index) => {
    const usageAnswers = options.subaccountUsageAnswers?.[index];
    const subaccount = profile(profiles.length, identity, { status: 'active', listed: true, ...(usageAnswers ? { usageAnswers } : {}) });
    if (options.subaccountsWithUsage !== undefined && index >= options.subaccountsWithUsage) subaccount.lastUsageDay = subaccount.firstUsageDay - 1;
    profiles.push(subaccount);
  });
  for (const identity of identities.closedSubaccounts) {
    profiles.push(profile(profiles.length, identity, { status: 'closed', listed: false, dateClosed: identity.dateClosed }));
  }
  const apiKeys: SimApiKey[] = [
    { ...identities.apiKeys.standard, accountSid: mainSid, kind: 'standard' },
    { ...identities.apiKeys.main, accountSid: mainSid, kind: 'main' },
  ];
  return new Dataset(options.seed, options.startDate, options.endDate, profiles, apiKeys);
}

/** A dataset with random (but seed-determined) SIDs, tokens and keys. */
export function generateDataset(options: DatasetOptions): Dataset {
  return buildDataset(options, randomIdentities(options));
}

// ---------------------------------------------------------------------------------------------
// The standard dataset of the demo and the tests. Its credentials are fixed so configs can name them.

export const SAMPLE_SEED = 20251101;
export const SAMPLE_START_DATE = '2025-11-01';
export const SAMPLE_END_DATE = '2026-10-31';
export const SAMPLE_MAIN_ACCOUNT_SID = 'ACa11ce000000000000000000000000001';
export const SAMPLE_MAIN_AUTH_TOKEN = 'a11cea11cea11cea11cea11cea11ce01';
/** Active and listed; the second one was created on 2026-02-17, inside the range. */
export const SAMPLE_SUBACCOUNT_SIDS = ['ACa11ce5b0000000000000000000000001', 'ACa11ce5b0000000000000000000000002'] as const;
export const SAMPLE_SUBACCOUNT_AUTH_TOKENS = ['b0bb0bb0bb0bb0bb0bb0bb0bb0bb0b02', 'ca201ca201ca201ca201ca201ca20103'] as const;
/** Closed on 2026-03-31 and deleted: unlisted and unreadable, yet inside the main account's totals. */
export const SAMPLE_CLOSED_SUBACCOUNT_SID = 'ACa11ce5b0000000000000000000000003';
export const SAMPLE_CLOSED_SUBACCOUNT_AUTH_TOKEN = 'c105edc105edc105edc105edc105ed04';
/** Reads the main account's usage only; no Account resources. */
export const SAMPLE_STANDARD_API_KEY = { sid: 'SKa11ce000000000000000000000000001', secret: 'standard-key-secret-of-the-sample' } as const;
/** Can also list accounts, but still not read subaccount usage. */
export const SAMPLE_MAIN_API_KEY = { sid: 'SKa11ce000000000000000000000000002', secret: 'main-key-secret-of-the-sample' } as const;

export function sampleDataset(): Dataset {
  const [supportSid, marketingSid] = SAMPLE_SUBACCOUNT_SIDS;
  const [supportToken, marketingToken] = SAMPLE_SUBACCOUNT_AUTH_TOKENS;
  return buildDataset(
    { seed: SAMPLE_SEED, startDate: SAMPLE_START_DATE, endDate: SAMPLE_END_DATE, subaccounts: 2, closedSubaccounts: 1 },
    {
      main: { sid: SAMPLE_MAIN_ACCOUNT_SID, authToken: SAMPLE_MAIN_AUTH_TOKEN, friendlyName: 'Alice Telecom', dateCreated: '2019-03-14' },
      subaccounts: [
        { sid: supportSid, authToken: supportToken, friendlyName: 'Alice Telecom Support', dateCreated: '2024-06-12' },
        { sid: marketingSid, authToken: marketingToken, friendlyName: 'Alice Telecom Marketing', dateCreated: '2026-02-17' },
      ],
      closedSubaccounts: [
        {
          sid: SAMPLE_CLOSED_SUBACCOUNT_SID,
          authToken: SAMPLE_CLOSED_SUBACCOUNT_AUTH_TOKEN,
          friendlyName: 'Alice Telecom Pilot',
          dateCreated: '2025-01-20',
          dateClosed: '2026-03-31',
        },
      ],
      apiKeys: { standard: SAMPLE_STANDARD_API_KEY, main: SAMPLE_MAIN_API_KEY },
    },
  );
}
