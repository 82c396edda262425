import type { Hierarchy } from '../costs/hierarchy';
import type { PlacementMemory } from '../costs/placement-memory';
import { type PlacedWindow, placeWindow } from '../costs/reconcile';
import { WindowPrices } from '../costs/window-prices';
import { addDays, type Day, type DayRange, daysBetweenInclusive, eachDay, monthWindows } from '../dates';
import { SystemError } from '../protocol/errors';
import type { TwilioClient } from '../twilio/client';
import { dailyUsage, dailyUsageRequest, rangeUsage, TOTAL_PRICE_CATEGORY, type UsageRecordWire } from '../twilio/resources';
import { USAGE_RECORDS_LIST } from '../twilio/wire';
import { amountOf, type DailyUsage, hasAmount, isWithin, parseDailyUsage } from './daily-usage';
import { type FetchPlanKind, type ForcedPlan, plannedRequests, planWindow, ROWS_PER_PAGE, splitRange } from './fetch-plan';
import { mergeStreams } from './merge-streams';
import type { UsageScope } from './usage-scope';
import { WeightedSemaphore } from './weighted-semaphore';
import { type CachedWindow, decodeRow, FetchedWindowCache, rowsByCategory, type RowUse, type Segment } from './window-cache';

/** How a window is read, and the categories its aggregate showed. */
export interface WindowPlan {
  /** The fetch plan's kind, or 'cached' when another reader in this run already read the rows. */
  kind: FetchPlanKind | 'cached';
  /** Lower-cased category → Twilio's spellings (it may list one category in two cases), for every category Twilio lists. */
  listed: ReadonlyMap<string, readonly string[]>;
  /** Categories with any count, usage or price in the window (totalprice too, when any has). */
  active: ReadonlySet<string>;
  /** Categories this reader gets rows of (lower-cased). */
  needed: ReadonlySet<string>;
  /** Requests the window costs, the aggregate included. */
  requests: number;
}

/** A plan in a few words, for debug logs: "sparse, 54 of 645 categories, 55 requests". */
export function describePlan(plan: WindowPlan): string {
  return `${plan.kind}, ${plan.needed.size} of ${plan.listed.size} categories, ${plan.requests} request${plan.requests === 1 ? '' : 's'}`;
}

/**
 * What reading a window yields: its plan first, then its needed records (every needed category on
 * every day of the window) page by page, chunk by chunk in date order, each chunk closed by its
 * range once all its rows have come, with the placement of exactly those rows when the reader
 * worked it out to heal them (reconciling the chunk reuses it); and warnings for the stream's log.
 */
export type WindowRead =
  | { kind: 'plan'; plan: WindowPlan }
  | { kind: 'rows'; records: DailyUsage[] }
  | { kind: 'chunk-end'; range: DayRange; placement: ChunkPlacement | undefined }
  | { kind: 'warning'; message: string }
  /** Rows Twilio sent of another account than the one asked for, left out: how many, once the window is read. */
  | { kind: 'foreign-rows'; count: number };

/** How a chunk is placed: the costs layer's placeWindow (a test counts its calls). */
export type Placer = typeof placeWindow;

/** The reader's placement of a chunk, and the placement memory it was placed with (undefined: none). */
export interface ChunkPlacement {
  placed: PlacedWindow;
  memory: PlacementMemory | undefined;
}

/** How one consumer reads a window. */
export interface WindowReadOptions {
  /**
   * What it uses of the rows. A consumer of chunks holds a chunk's rows until the chunk ends (to
   * place them together): chunks are then sized to the row budget, and a chunk's rows are
   * reserved before it is read. A cached window kept for less than this use is not enough.
   */
  use: 'chunks' | 'rows';
  /** What to keep of the window for the consumers read after this one in the run: nothing when undefined. */
  keepFor: RowUse | undefined;
  /**
   * The consumer's placement memory of the scope as it is when a chunk's rows have come (it places
   * the chunks before it first): the reader places the chunk with it, so the consumer, which places
   * with the same memory, reuses that placement instead of placing the chunk a second time.
   */
  placementMemory?: () => PlacementMemory | undefined;
}

export interface UsageWindowReaderOptions {
  client: TwilioClient;
  /**
   * Places each chunk read (the costs layer) to find the days it leaves unexplained (their top
   * level does not add up), which are read again in full: a category the aggregate showed as idle
   * may be missing there. Without it no day is read again.
   */
  hierarchy?: Hierarchy;
  /** How it places a chunk: placeWindow unless a test counts the calls. */
  place?: Placer;
  /** Reads every window with this plan instead of the cheaper one: a test and diagnostic knob. */
  forcedPlan?: ForcedPlan;
  /** Most needed rows (categories × days) in a chunk that its reader holds. */
  windowRowBudget?: number;
  /** Most rows all windows of the run hold at once (readers that group a chunk by day). */
  heldRowBudget?: number;
  /**
   * Most rows of pages requested or received and not yet handed on, all windows together (a page
   * counts the rows it can hold): what bounds memory for readers that stream, whatever the number
   * of windows in flight and however long their pages are.
   */
  rowsInHand?: number;
  /** Listings (pages) one window reads side by side. */
  listingsInFlight?: number;
  /** Most bytes of rows kept on disk for later readers in the run. */
  cacheBytes?: number;
}

const DEFAULT_WINDOW_ROW_BUDGET = 40_000;
const DEFAULT_HELD_ROW_BUDGET = 80_000;
const DEFAULT_ROWS_IN_HAND = 4_000;
const DEFAULT_LISTINGS_IN_FLIGHT = 4;
/** Distinct category lists remembered for sharing; more would only mean accounts that each list differently. */
const MAX_LISTINGS = 8;
const DEFAULT_CACHE_BYTES = 512 * 1024 * 1024;

/** The key of a scope's window in the run's cache: what Twilio is asked, not which stream asks. */
function windowKey(scope: UsageScope, range: DayRange): string {
  return `${scope.accountSid}|${scope.includeSubaccounts}|${range.from}|${range.to}`;
}

/** One Daily listing of a window: a month of every category, or a chunk of one category (in one spelling). */
interface Listing {
  range: DayRange;
  category: string | undefined;
}

/** A page of a listing: its needed records, the other categories' non-zero ones, and how many rows fell outside its days. */
interface ListingPage {
  records: DailyUsage[];
  others: DailyUsage[];
  outside: number;
  /** Rows of another account than the one asked for. */
  foreign: number;
}

/**
 * Reads scope-windows of daily usage with as few requests as the data allows. One aggregate request
 * (`Usage/Records.json` over the window) shows which categories have any count, usage or price;
 * then the window is read densely (`Daily.json`, every category) or sparsely (`Daily.json?Category=`
 * per needed category), whichever takes fewer requests, or not at all when nothing is needed. A
 * window already read in this run (by the other usage stream, or by usage_costs for its residual)
 * is read back from the run's cache instead.
 *
 * Shared by the usage streams of one run; every request goes through the client's limiter.
 */
export class UsageWindowReader {
  private readonly client: TwilioClient;
  private readonly hierarchy: Hierarchy | undefined;
  private readonly place: Placer;
  private readonly forcedPlan: ForcedPlan | undefined;
  private readonly windowRowBudget: number;
  private readonly listingsInFlight: number;
  private readonly heldRows: WeightedSemaphore;
  private readonly rowsInHand: WeightedSemaphore;
  private readonly cache: FetchedWindowCache;
  /** What the cache warned of and no reader has passed on yet. */
  private readonly cacheWarnings: string[] = [];
  /** The listed-category maps seen so far: one per distinct list (Twilio's list rarely changes), not one per window. */
  private readonly listings: Array<ReadonlyMap<string, readonly string[]>> = [];

  constructor(options: UsageWindowReaderOptions) {
    this.client = options.client;
    this.hierarchy = options.hierarchy;
    this.place = options.place ?? placeWindow;
    this.forcedPlan = options.forcedPlan;
    this.windowRowBudget = options.windowRowBudget ?? DEFAULT_WINDOW_ROW_BUDGET;
    this.listingsInFlight = options.listingsInFlight ?? DEFAULT_LISTINGS_IN_FLIGHT;
    this.heldRows = new WeightedSemaphore(options.heldRowBudget ?? DEFAULT_HELD_ROW_BUDGET);
    this.rowsInHand = new WeightedSemaphore(options.rowsInHand ?? DEFAULT_ROWS_IN_HAND);
    this.cache = new FetchedWindowCache(options.cacheBytes ?? DEFAULT_CACHE_BYTES, (message) => this.cacheWarnings.push(message));
  }

  /**
   * Reads a window: from the run's cache when it holds every category this reader needs, else
   * planned with one aggregate request and read by that plan. `keep` are categories needed even if
   * idle in the window (a stream's recent categories); only those Twilio still lists are read.
   */
  async *read(scope: UsageScope, range: DayRange, keep: ReadonlySet<string>, options: WindowReadOptions): AsyncGenerator<WindowRead> {
    const key = windowKey(scope, range);
    const pending = this.cache.find(key);
    const holdsChunks = options.use === 'chunks';
    // Claimed before the first await, so a residual that starts after this window waits for it.
    const reservation = pending === undefined && options.keepFor !== undefined ? this.cache.reserve(key, options.keepFor) : undefined;
    let published = false;
    try {
      const cached = await pending;
      if (cached) {
        const needed = neededCategories(cached.active, cached.listed, keep);
        if ((options.use === 'chunks' || cached.keptFor === 'rows') && [...needed].every((category) => cached.stored.has(category))) {
          yield { kind: 'plan', plan: { kind: 'cached', listed: cached.listed, active: cached.active, needed, requests: 0 } };
          yield* this.readCached(scope, cached, needed, holdsChunks);
          return;
        }
      }
      const { listed, active } = await this.aggregate(scope, range);
      const needed = neededCategories(active, listed, keep);
      const maxChunkDays = holdsChunks ? Math.max(1, Math.floor(this.windowRowBudget / Math.max(1, needed.size))) : ROWS_PER_PAGE;
      const fetchPlan = planWindow({ range, listedCategories: listed.size, neededCategories: needed.size }, { maxChunkDays, ...(this.forcedPlan ? { force: this.forcedPlan } : {}) });
      const plan: WindowPlan = { kind: fetchPlan.kind, listed, active, needed, requests: 1 + plannedRequests(fetchPlan) };
      const stored = options.keepFor === 'totals' ? new Set([...needed].filter((category) => category === TOTAL_PRICE_CATEGORY)) : new Set(needed);
      const whole = options.keepFor === 'rows';
      yield { kind: 'plan', plan };
      // Categories found only by reading unexplained days again; they join what is stored and active.
      const discovered = new Set<string>();
      let outside = 0;
      let foreign = 0;
      for (const chunk of fetchPlan.chunks) {
        const release = holdsChunks ? await this.heldRows.acquire(needed.size * daysBetweenInclusive(chunk.from, chunk.to)) : undefined;
        try {
          // Only the prices are kept of the rows handed on: enough to place the chunk, and compact.
          const prices = this.hierarchy !== undefined && (plan.kind === 'dense' || plan.kind === 'sparse') ? new WindowPrices(eachDay(chunk)) : undefined;
          const others: DailyUsage[] = [];
          const listings = this.listingsOf(plan, chunk);
          const pages = mergeStreams(listings, this.listingsInFlight, (listing) => this.listingPages(scope, plan, listing));
          for await (const step of pages) {
            if (step.kind === 'error') throw step.error;
            if (step.kind !== 'event') continue;
            const page = step.event;
            outside += page.outside;
            foreign += page.foreign;
            others.push(...page.others);
            if (prices) for (const record of page.records) prices.add(record.category, record.startDate, amountOf(record.price) ?? 0n);
            await reservation?.append(rowsByCategory(page.records, stored, whole));
            yield { kind: 'rows', records: page.records };
            yield* this.takeCacheWarnings();
          }
          const memory = options.placementMemory?.();
          let placement: ChunkPlacement | undefined = prices && this.hierarchy ? { placed: this.place(prices, this.hierarchy, memory ? { memory } : {}), memory } : undefined;
          const healed = placement ? await this.heal(scope, plan, placement.placed.unexplainedDays, others) : [];
          if (healed.length > 0) {
            for (const record of healed) discovered.add(record.categoryKey);
            await reservation?.append(rowsByCategory(healed, discovered, whole));
            yield { kind: 'rows', records: healed };
            yield* this.takeCacheWarnings();
            // The healed rows are not in it: whoever places the chunk's rows places them again.
            placement = undefined;
          }
          reservation?.endChunk(chunk);
          yield { kind: 'chunk-end', range: chunk, placement };
        } finally {
          release?.();
        }
      }
      if (outside > 0) {
        yield { kind: 'warning', message: `Twilio sent ${outside} usage record${outside === 1 ? '' : 's'} dated outside ${range.from}..${range.to} for ${scope.accountSid}; they were left out.` };
      }
      if (foreign > 0) yield { kind: 'foreign-rows', count: foreign };
      for (const category of discovered) {
        stored.add(category);
        active.add(category);
      }
      reservation?.complete({ listed, active, stored });
      published = true;
    } finally {
      if (!published) reservation?.abandon();
    }
  }

  /** The cache's warnings, for the stream reading now to log (each once). */
  private *takeCacheWarnings(): Generator<WindowRead> {
    for (let message = this.cacheWarnings.shift(); message !== undefined; message = this.cacheWarnings.shift()) yield { kind: 'warning', message };
  }

  /**
   * A scope's daily totalprice over a range, for usage_costs' residual: from a window of the same
   * scope and days read in this run (an idle one costs nothing), else one request per 1000 days.
   */
  async dailyTotals(scope: UsageScope, range: DayRange): Promise<DailyUsage[]> {
    const cached = await this.cache.find(windowKey(scope, range));
    // Totalprice is among the active categories whenever any category is.
    if (cached && cached.active.size === 0) return [];
    const totals: DailyUsage[] = [];
    if (cached?.stored.has(TOTAL_PRICE_CATEGORY)) {
      for (const chunk of cached.chunks) {
        for (const segment of chunk.segments.get(TOTAL_PRICE_CATEGORY) ?? []) totals.push(...(await this.readCachedRows(scope, segment, chunk.range)));
      }
      return totals;
    }
    for (const part of splitRange(range, ROWS_PER_PAGE)) {
      for await (const page of dailyUsage(this.client, { accountSid: scope.accountSid, range: part, includeSubaccounts: scope.includeSubaccounts, category: TOTAL_PRICE_CATEGORY })) {
        for (const wire of page) {
          // Counted where the window's own listings meet them; here they only must not add up.
          if (isOfAnotherAccount(wire, scope)) continue;
          const record = parseDailyUsage(wire, scope.accountSid);
          if (isWithin(record, part) && record.categoryKey === TOTAL_PRICE_CATEGORY) totals.push(record);
        }
      }
    }
    return totals;
  }

  /** One request over the window: every category Twilio lists, and which have any usage. */
  private async aggregate(scope: UsageScope, range: DayRange): Promise<{ listed: ReadonlyMap<string, readonly string[]>; active: Set<string> }> {
    const listed = new Map<string, string[]>();
    const active = new Set<string>();
    for await (const page of rangeUsage(this.client, { accountSid: scope.accountSid, range, includeSubaccounts: scope.includeSubaccounts })) {
      for (const wire of page) {
        // Another account's row says nothing of this one's categories.
        if (isOfAnotherAccount(wire, scope)) continue;
        const category = wire.category;
        if (typeof category !== 'string' || category === '') throw new SystemError('Twilio sent a usage record without a category.');
        const key = category.toLowerCase();
        const spellings = listed.get(key) ?? [];
        if (!spellings.includes(category)) listed.set(key, [...spellings, category].sort());
        if (hasAmount(wire)) active.add(key);
      }
    }
    if (active.size > 0) active.add(TOTAL_PRICE_CATEGORY);
    return { listed: this.interned(listed), active };
  }

  private interned(listed: Map<string, readonly string[]>): ReadonlyMap<string, readonly string[]> {
    const known = this.listings.find((candidate) => sameListing(candidate, listed));
    if (known) return known;
    this.listings.push(listed);
    if (this.listings.length > MAX_LISTINGS) this.listings.shift();
    return listed;
  }

  /** The listings that read a chunk: one per calendar month (dense) or per needed category (sparse). */
  private listingsOf(plan: WindowPlan, chunk: DayRange): Listing[] {
    if (plan.kind === 'idle' || plan.kind === 'cached') return [];
    if (plan.kind === 'dense') return monthWindows(chunk.from, chunk.to).map((month) => ({ range: month, category: undefined }));
    // Every spelling Twilio lists: a Category filter may match one case only.
    return [...plan.needed].flatMap((category) => (plan.listed.get(category) ?? [category]).map((spelling) => ({ range: chunk, category: spelling })));
  }

  /**
   * A listing's needed records, page by page, through the client's paginator. Each page is in hand,
   * for as many rows as it can hold, from before it is requested until its reader comes back for
   * the next one; of its rows only the needed ones are kept meanwhile (the page's items are
   * dropped as soon as they are picked).
   */
  private listingPages(scope: UsageScope, plan: WindowPlan, listing: Listing): AsyncGenerator<ListingPage> {
    const first = dailyUsageRequest({ accountSid: scope.accountSid, range: listing.range, includeSubaccounts: scope.includeSubaccounts, category: listing.category }, plan.listed.size);
    const pageRows = listing.category === undefined ? ROWS_PER_PAGE : Math.min(ROWS_PER_PAGE, daysBetweenInclusive(listing.range.from, listing.range.to));
    const paging = { maxRows: first.maxRows, beforePage: () => this.rowsInHand.acquire(pageRows) };
    return this.client.paginateInto(first.path, USAGE_RECORDS_LIST, first.parameters, paging, (items) => neededRows(scope, plan.needed, listing.range, items));
  }

  /**
   * A category whose prices net to zero over the window looks idle to the aggregate, so a sparse
   * read misses it. Its days then do not add up: the days the costs layer cannot explain are read
   * again in full (a dense read already holds them), and the non-zero rows of categories not read
   * yet are added. A dense read takes the same rows from what it holds, so the rows of a window
   * never depend on its plan.
   */
  private async heal(scope: UsageScope, plan: WindowPlan, days: ReadonlySet<Day>, others: readonly DailyUsage[]): Promise<DailyUsage[]> {
    if (days.size === 0) return [];
    if (plan.kind === 'dense') return others.filter((record) => days.has(record.startDate));
    const found: DailyUsage[] = [];
    for (const range of dayRuns([...days].sort()).flatMap((run) => monthWindows(run.from, run.to))) {
      for await (const page of this.listingPages(scope, plan, { range, category: undefined })) found.push(...page.others);
    }
    return found;
  }

  /** A cached window's needed rows, segment by segment, chunk by chunk. */
  private async *readCached(scope: UsageScope, cached: CachedWindow, needed: ReadonlySet<string>, holdsChunks: boolean): AsyncGenerator<WindowRead> {
    for (const chunk of cached.chunks) {
      const release = holdsChunks ? await this.heldRows.acquire(needed.size * daysBetweenInclusive(chunk.range.from, chunk.range.to)) : undefined;
      try {
        for (const category of needed) {
          for (const segment of chunk.segments.get(category) ?? []) yield { kind: 'rows', records: await this.readCachedRows(scope, segment, chunk.range) };
        }
        // A cached chunk's placement is not kept: its later reader may read other categories of it.
        yield { kind: 'chunk-end', range: chunk.range, placement: undefined };
      } finally {
        release?.();
      }
    }
  }

  private async readCachedRows(scope: UsageScope, segment: Segment, range: DayRange): Promise<DailyUsage[]> {
    const rows = (await this.cache.readSegment(segment)) as Array<Array<string | null>>;
    return rows.map((row) => decodeRow(row, scope.accountSid)).filter((record) => isWithin(record, range));
  }
}

function sameListing(a: ReadonlyMap<string, readonly string[]>, b: ReadonlyMap<string, readonly string[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [key, spellings] of a) if (b.get(key)?.join('\n') !== spellings.join('\n')) return false;
  return true;
}

/** Consecutive days as ranges. */
function dayRuns(days: readonly Day[]): DayRange[] {
  const runs: DayRange[] = [];
  for (const day of days) {
    const last = runs[runs.length - 1];
    if (last && addDays(last.to, 1) === day) last.to = day;
    else runs.push({ from: day, to: day });
  }
  return runs;
}

/** What a reader needs of a window: its active categories, and the kept ones Twilio still lists. */
function neededCategories(active: ReadonlySet<string>, listed: ReadonlyMap<string, readonly string[]>, keep: ReadonlySet<string>): Set<string> {
  const needed = new Set(active);
  for (const category of keep) {
    const key = category.toLowerCase();
    if (listed.has(key)) needed.add(key);
  }
  return needed;
}

/**
 * One page of a listing, reduced to its needed rows; of the rest only the non-zero ones are kept
 * (a dense page is mostly zero rows of categories nobody needs, dropped before being parsed).
 */
function neededRows(scope: UsageScope, needed: ReadonlySet<string>, range: DayRange, items: readonly UsageRecordWire[]): ListingPage {
  const records: DailyUsage[] = [];
  const others: DailyUsage[] = [];
  let outside = 0;
  let foreign = 0;
  for (const wire of items) {
    if (isOfAnotherAccount(wire, scope)) {
      foreign += 1;
      continue;
    }
    const isNeeded = typeof wire.category !== 'string' || needed.has(wire.category.toLowerCase());
    if (!isNeeded && !hasAmount(wire)) continue;
    const record = parseDailyUsage(wire, scope.accountSid);
    if (!isWithin(record, range)) outside += 1;
    else if (isNeeded) records.push(record);
    else others.push(record);
  }
  return { records, others, outside, foreign };
}

/**
 * Whether Twilio sent a row of another account than the scope's (with IncludeSubaccounts=true the
 * rows still name the account asked for): it is not this scope's usage, so it is left out.
 */
function isOfAnotherAccount(wire: UsageRecordWire, scope: UsageScope): boolean {
  return typeof wire.account_sid === 'string' && wire.account_sid.toLowerCase() !== scope.accountSid.toLowerCase();
}
