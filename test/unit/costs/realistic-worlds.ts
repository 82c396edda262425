import type { CostInputRecord } from '../../../source-twilio-costs/costs/types';
import { addDays, type Day } from '../../../source-twilio-costs/dates';
import { type Decimal, DECIMAL_SCALE, formatDecimal } from '../../../source-twilio-costs/money';

/**
 * Account windows with Twilio's real category names, a true tree written here (apart from the
 * connector's curation, so that what it gets wrong is found, not shared) and prices that behave like
 * real ones: daily usage on most days, fees on the first of the month, credits, one-off charges.
 * The connector's hierarchy misplaces what its names and curation cannot know, in the classes real
 * accounts show: a rollup whose only priced child is named elsewhere (an equal-price chain), a
 * member of a rollup that shares no prefix with it, a fee named under a family that does not
 * include it, brand-new names for and against their name, group rollups, credits netting to zero,
 * and many flat per-seat fees with the same price.
 *
 * Used by the solver benchmark (bench/solver.ts) and the property tests.
 */

/** 10^-5 (Twilio's price step) in the connector's decimal units. */
const STEP = 10n ** BigInt(DECIMAL_SCALE - 5);

export type Meter =
  /** Usage on a share of days, its price in 10^-5 units drawn from the range each day. */
  | { readonly kind: 'daily'; readonly share: number; readonly units: readonly [number, number] }
  /** A fee on the first day of each month. */
  | { readonly kind: 'monthly'; readonly units: readonly [number, number] }
  /** The same fee on the first day of every month: per-seat fees priced alike. */
  | { readonly kind: 'flat'; readonly units: number }
  /** A charge on a few days, and the credit that reverses it on the next day: it nets to zero. */
  | { readonly kind: 'reversed'; readonly share: number; readonly units: readonly [number, number] };

export interface TrueSpec {
  readonly name: string;
  readonly meter?: Meter;
  readonly children?: readonly TrueSpec[];
}

const daily = (share: number, low: number, high: number): Meter => ({ kind: 'daily', share, units: [low, high] });
const monthly = (low: number, high: number): Meter => ({ kind: 'monthly', units: [low, high] });
const leaf = (name: string, meter: Meter): TrueSpec => ({ name, meter });
const rollup = (name: string, children: readonly TrueSpec[]): TrueSpec => ({ name, children });
const dailyLeaves = (names: readonly string[], share: number, low: number, high: number): TrueSpec[] => names.map((name) => leaf(name, daily(share, low, high)));

/**
 * A family the connector's prior gets wrong, and how many priced categories it misplaces. Each
 * names its class, so that a test can pick worlds of one class.
 */
export interface Misplacement {
  readonly id: MisplacementClass;
  readonly misplaced: number;
  /** Where it goes in the true tree: a top-level spec, or a child added to a named rollup. */
  readonly under: string | null;
  readonly spec: TrueSpec;
}

export type MisplacementClass = 'only-child-elsewhere' | 'non-prefix-member' | 'prefix-fee-at-top' | 'new-name-against' | 'group-rollup' | 'equal-price-chain';

/** The catalogue, in the order worlds take them. */
export const MISPLACEMENTS: readonly Misplacement[] = [
  // calls-outbound's only priced child is named under calls: they cost the same every day.
  { id: 'equal-price-chain', misplaced: 1, under: 'calls', spec: rollup('calls-outbound', [leaf('calls-text-to-speech', daily(0.95, 20_000, 900_000))]) },
  // A member of the non-prefix rollup video-recordings, named under pv.
  { id: 'non-prefix-member', misplaced: 1, under: 'video-recordings', spec: leaf('pv-recording-compositions', daily(0.6, 5_000, 80_000)) },
  // Fees named under sms and mms that totalprice counts beside them.
  { id: 'prefix-fee-at-top', misplaced: 1, under: null, spec: leaf('sms-messages-carrierfees', daily(0.9, 30_000, 400_000)) },
  { id: 'prefix-fee-at-top', misplaced: 1, under: null, spec: leaf('mms-messages-carrierfees', daily(0.7, 3_000, 60_000)) },
  // channels-messaging's only priced child has a name of its own, at the top by its name.
  { id: 'only-child-elsewhere', misplaced: 1, under: 'channels', spec: rollup('channels-messaging', [leaf('failed-message-processing-fee', daily(0.6, 1_000, 15_000))]) },
  // A2P registration fees: a rollup at the top whose members are at the top by their names.
  {
    id: 'group-rollup',
    misplaced: 3,
    under: null,
    spec: rollup('a2p-registration-fees', [
      leaf('a2p-10dlc-registrationfees-brandregistration', daily(0.08, 400_000, 1_500_000)),
      leaf('a2p-10dlc-registrationfees-campaignvetting', daily(0.08, 1_500_000, 1_500_000)),
      leaf('a2p-10dlc-registrationfees-monthly', monthly(150_000, 1_000_000)),
    ]),
  },
  // Marketplace add-on groups: the vendors are named under marketplace, beside their group.
  {
    id: 'group-rollup',
    misplaced: 2,
    under: 'marketplace',
    spec: rollup('marketplace-recording-addons', dailyLeaves(['marketplace-voicebase-transcription', 'marketplace-ibm-watson-recording-analysis'], 0.7, 2_000, 90_000)),
  },
  { id: 'equal-price-chain', misplaced: 1, under: 'marketplace', spec: rollup('marketplace-analytics-addons', [leaf('marketplace-keen-io-contact-center-analytics', daily(0.8, 1_000, 40_000))]) },
  // pstnconnectivity-inbound and its minutesinbound* breakdown, named under pstnconnectivity.
  {
    id: 'group-rollup',
    misplaced: 3,
    under: 'pstnconnectivity',
    spec: rollup('pstnconnectivity-inbound', dailyLeaves(['pstnconnectivity-minutesinboundlocal', 'pstnconnectivity-minutesinboundmobile', 'pstnconnectivity-minutesinboundtollfree'], 0.85, 5_000, 300_000)),
  },
  // A brand-new name under calls that is not part of calls.
  { id: 'new-name-against', misplaced: 1, under: null, spec: leaf('calls-ai-screening', daily(0.5, 2_000, 60_000)) },
  // supersim repeats a wireless-super-sim category; wireless-super-sim-data's only priced child.
  { id: 'equal-price-chain', misplaced: 1, under: 'wireless-super-sim', spec: rollup('wireless-super-sim-data', [leaf('supersim', daily(0.9, 10_000, 500_000))]) },
  { id: 'prefix-fee-at-top', misplaced: 1, under: null, spec: leaf('phonenumbers-cps', monthly(50_000, 200_000)) },
  {
    id: 'group-rollup',
    misplaced: 2,
    under: 'marketplace',
    spec: rollup('marketplace-messaging-addons', dailyLeaves(['marketplace-nomorobo-spam-score', 'marketplace-ibm-watson-message-insights'], 0.75, 1_000, 50_000)),
  },
  { id: 'prefix-fee-at-top', misplaced: 1, under: null, spec: leaf('calls-globalconference', daily(0.4, 2_000, 90_000)) },
];

/** What every account of this kind uses, placed right by the names and the curation. */
function baseTree(seatFees: number): TrueSpec[] {
  return [
    rollup('sms', [
      rollup('sms-inbound', dailyLeaves(['sms-inbound-longcode', 'sms-inbound-shortcode', 'sms-inbound-tollfree'], 0.9, 20_000, 900_000)),
      // sms-outbound-rcs-fallback is a brand-new name, placed right by its name.
      rollup('sms-outbound', dailyLeaves(['sms-outbound-longcode', 'sms-outbound-shortcode', 'sms-outbound-tollfree', 'sms-outbound-rcs-fallback'], 0.95, 100_000, 4_000_000)),
    ]),
    rollup('mms', [
      rollup('mms-inbound', [
        rollup('mms-inbound-longcode', dailyLeaves(['mms-inbound-longcode-canada', 'mms-inbound-longcode-unitedstates'], 0.7, 2_000, 90_000)),
        ...dailyLeaves(['mms-inbound-shortcode', 'mms-inbound-toll-free'], 0.5, 1_000, 40_000),
      ]),
      rollup('mms-outbound', [
        rollup('mms-outbound-longcode', dailyLeaves(['mms-outbound-longcode-canada', 'mms-outbound-longcode-unitedstates'], 0.8, 10_000, 400_000)),
        ...dailyLeaves(['mms-outbound-shortcode', 'mms-outbound-tollfree'], 0.6, 5_000, 200_000),
      ]),
    ]),
    rollup('calls', [
      rollup('calls-inbound', [
        ...dailyLeaves(['calls-inbound-local', 'calls-inbound-mobile'], 0.95, 50_000, 2_000_000),
        rollup('calls-inbound-tollfree', dailyLeaves(['calls-inbound-tollfree-local', 'calls-inbound-tollfree-mobile'], 0.8, 20_000, 700_000)),
      ]),
    ]),
    rollup('calls-sip', dailyLeaves(['calls-sip-inbound', 'calls-sip-outbound'], 0.8, 5_000, 300_000)),
    leaf('calls-client', daily(0.7, 2_000, 100_000)),
    rollup('recordings', dailyLeaves(['calls-recordings', 'trunking-recordings'], 0.85, 5_000, 150_000)),
    leaf('recordingstorage', daily(1, 3_000, 9_000)),
    rollup('lookups', [
      ...dailyLeaves(['carrier-lookups', 'line-status-lookups'], 0.7, 1_000, 60_000),
      rollup('calleridlookups', dailyLeaves(['calleridlookups-api', 'calleridlookups-programmablevoice'], 0.6, 1_000, 50_000)),
    ]),
    rollup('pv', [
      rollup('group-rooms', dailyLeaves(['group-rooms-participant-minutes', 'group-rooms-data-track'], 0.75, 5_000, 300_000)),
      rollup('video-recordings', dailyLeaves(['group-rooms-recorded-minutes', 'pv-composition-minutes'], 0.6, 2_000, 90_000)),
      rollup(
        'turnmegabytes',
        dailyLeaves(
          [
            'turnmegabytes-useast',
            'turnmegabytes-uswest',
            'turnmegabytes-ireland',
            'turnmegabytes-singapore',
            'turnmegabytes-japan',
            'turnmegabytes-australia',
            'turnmegabytes-germany',
            'turnmegabytes-india',
            'turnmegabytes-brasil',
          ],
          0.8,
          500,
          40_000,
        ),
      ),
      rollup('pv-room-participants', dailyLeaves(['pv-room-participants-us1', 'pv-room-participants-us2', 'pv-room-participants-ie1', 'pv-room-participants-au1', 'pv-room-participants-jp1'], 0.7, 1_000, 60_000)),
    ]),
    rollup(
      'phonenumbers',
      ['phonenumbers-local', 'phonenumbers-tollfree', 'phonenumbers-mobile'].map((name) => leaf(name, monthly(100_000, 5_000_000))),
    ),
    rollup(
      'shortcodes',
      ['shortcodes-customerowned', 'shortcodes-random', 'shortcodes-vanity'].map((name) => leaf(name, monthly(1_000_000, 10_000_000))),
    ),
    rollup('wireless', [
      rollup('wireless-usage', [
        rollup(
          'wireless-usage-data',
          dailyLeaves(['wireless-usage-data-africa', 'wireless-usage-data-asia', 'wireless-usage-data-europe', 'wireless-usage-data-northamerica', 'wireless-usage-data-oceania'], 0.85, 1_000, 200_000),
        ),
        rollup(
          'wireless-usage-mrc',
          ['wireless-usage-mrc-individual', 'wireless-usage-mrc-pooled'].map((name) => leaf(name, monthly(100_000, 3_000_000))),
        ),
        rollup('wireless-usage-commands', dailyLeaves(['wireless-usage-commands-europe', 'wireless-usage-commands-northamerica'], 0.7, 100, 5_000)),
        ...dailyLeaves(['wireless-usage-sms', 'wireless-usage-voice'], 0.6, 500, 20_000),
      ]),
      rollup('wireless-super-sim', [leaf('wireless-super-sim-smscommands', daily(0.6, 100, 8_000))]),
    ]),
    rollup(
      'voice-insights',
      dailyLeaves(
        [
          'voice-insights-client-insights-on-demand-minute',
          'voice-insights-sip-trunking-insights-on-demand-minute',
          'voice-insights-ptsn-insights-on-demand-minute',
          'voice-insights-sip-interface-insights-on-demand-minute',
        ],
        0.9,
        2_000,
        80_000,
      ),
    ),
    rollup('conversations', dailyLeaves(['conversations-api-requests', 'conversations-conversation-events', 'conversations-endpoint-connectivity', 'conversations-participant-events'], 0.9, 1_000, 90_000)),
    ...dailyLeaves(['verify-push', 'verify-totp', 'verify-sna', 'verify-voice-sms', 'verify-whatsapp-conversations-business-initiated'], 0.7, 5_000, 300_000),
    rollup('channels', [
      rollup(
        'channels-whatsapp',
        dailyLeaves(
          ['channels-whatsapp-conversation-marketing', 'channels-whatsapp-conversation-utility', 'channels-whatsapp-conversation-service', 'channels-whatsapp-template-marketing', 'channels-whatsapp-template-utility'],
          0.85,
          2_000,
          200_000,
        ),
      ),
    ]),
    rollup('trunking-origination', dailyLeaves(['trunking-origination-local', 'trunking-origination-mobile', 'trunking-origination-tollfree'], 0.8, 5_000, 400_000)),
    ...dailyLeaves(
      [
        'trunking-termination',
        'studio-engagements',
        'transcriptions',
        'amazon-polly',
        'speech-recognition',
        'answering-machine-detection',
        'conversation-relay',
        'branded-calling',
        'mediastorage',
        'tts-google',
        'call-progess-events',
        'agent-conference',
      ],
      0.8,
      1_000,
      250_000,
    ),
    rollup('notify', dailyLeaves(['notify-pushnotifications', 'notify-chatappsandotherchannels'], 0.6, 500, 20_000)),
    rollup('sync', dailyLeaves(['sync-actions', 'sync-endpoint-hours'], 0.7, 200, 9_000)),
    rollup('monitor', dailyLeaves(['monitor-reads', 'monitor-writes', 'monitor-storage'], 0.8, 100, 4_000)),
    rollup('proxy', dailyLeaves(['proxy-active-sessions', 'proxy-licenses'], 0.6, 1_000, 30_000)),
    rollup('pfax', [rollup('pfax-minutes', dailyLeaves(['pfax-minutes-inbound', 'pfax-minutes-outbound'], 0.4, 500, 9_000)), leaf('pfax-pages', daily(0.4, 500, 9_000))]),
    rollup('ivr', dailyLeaves(['ivr-conversational', 'ivr-dtmf', 'ivr-virtualagent'], 0.6, 1_000, 60_000)),
    rollup('voice-intelligence', dailyLeaves(['voice-intelligence-transcription', 'voice-intelligence-operators'], 0.7, 1_000, 70_000)),
    rollup('autopilot', dailyLeaves(['autopilot-voice', 'autopilot-messaging', 'autopilot-other'], 0.5, 1_000, 30_000)),
    rollup('marketplace', dailyLeaves(['marketplace-twilio-carrier-information-lookup', 'marketplace-whitepages-pro-caller-identification'], 0.8, 1_000, 60_000)),
    rollup('programmablevoiceconnectivity', [rollup('pstnconnectivity', [leaf('pstnconnectivity-outbound', daily(0.9, 10_000, 500_000))])]),
    // A credit and the charge it reverses: they net to zero over the window.
    leaf('credit-transfer', { kind: 'reversed', share: 0.05, units: [100_000, 2_000_000] }),
    leaf('min-spend-adjustments', { kind: 'daily', share: 0.05, units: [-2_500_000, -10_000] }),
    ...(seatFees > 0
      ? [
          rollup(
            'flex',
            Array.from({ length: seatFees }, (_, seat) => leaf(`flex-seat-${String(seat + 1).padStart(2, '0')}`, { kind: 'flat', units: 15_000_000 })),
          ),
        ]
      : []),
  ];
}

export interface WorldOptions {
  readonly seed: number;
  readonly days: number;
  /** The first day; the world's days follow it. */
  readonly start: Day;
  /** How many entries of MISPLACEMENTS to take, in order (or which ones). */
  readonly misplacements: number | readonly MisplacementClass[];
  /** Flat per-seat fees with the same price, under flex. */
  readonly seatFees?: number;
}

export interface RealisticWorld {
  readonly days: readonly Day[];
  /** Per day: every category's record (zero where idle), totalprice included. */
  readonly records: ReadonlyMap<Day, CostInputRecord[]>;
  /** Every category's true parent (null at the top level). */
  readonly parents: ReadonlyMap<string, string | null>;
  /** Price per category per day, in decimal units. */
  readonly prices: ReadonlyMap<string, readonly Decimal[]>;
  /** Cost in no category, per day. */
  readonly uncategorised: readonly Decimal[];
  readonly misplacements: readonly Misplacement[];
}

export function realisticWorld(options: WorldOptions): RealisticWorld {
  const random = mulberry32(options.seed);
  const chosen =
    typeof options.misplacements === 'number' ? MISPLACEMENTS.slice(0, options.misplacements) : MISPLACEMENTS.filter((misplacement) => (options.misplacements as readonly MisplacementClass[]).includes(misplacement.id));
  const tree = withMisplacements(baseTree(options.seatFees ?? 0), chosen);
  const days = Array.from({ length: options.days }, (_, index) => addDays(options.start, index));
  const parents = new Map<string, string | null>();
  const prices = new Map<string, Decimal[]>();
  const priceTree = (spec: TrueSpec, parent: string | null): Decimal[] => {
    parents.set(spec.name, parent);
    let own: Decimal[];
    if (spec.children && spec.children.length > 0) {
      const childPrices = spec.children.map((child) => priceTree(child, spec.name));
      own = days.map((_, day) => childPrices.reduce((sum, child) => sum + (child[day] ?? 0n), 0n));
    } else {
      own = meterPrices(spec.meter ?? daily(1, 1, 1), days, random);
    }
    prices.set(spec.name, own);
    return own;
  };
  const top = tree.map((spec) => priceTree(spec, null));
  // Cost in no category on a few days, as Twilio documents.
  const uncategorised = days.map(() => (random() < 0.1 ? BigInt(Math.round(random() * 20_000) - 10_000) * STEP : 0n));
  const records = new Map<Day, CostInputRecord[]>();
  days.forEach((day, index) => {
    const total = top.reduce((sum, spec) => sum + (spec[index] ?? 0n), 0n) + (uncategorised[index] ?? 0n);
    records.set(day, [record('totalprice', total), ...[...prices].map(([category, daily]) => record(category, daily[index] ?? 0n))]);
  });
  return { days, records, parents, prices, uncategorised, misplacements: chosen };
}

function withMisplacements(base: TrueSpec[], chosen: readonly Misplacement[]): TrueSpec[] {
  const addTo = (spec: TrueSpec): TrueSpec => {
    const added = chosen.filter((misplacement) => misplacement.under === spec.name).map((misplacement) => misplacement.spec);
    const children = [...(spec.children ?? []), ...added].map(addTo);
    return children.length > 0 ? { name: spec.name, children } : spec;
  };
  return [...base, ...chosen.filter((misplacement) => misplacement.under === null).map((misplacement) => misplacement.spec)].map(addTo);
}

function meterPrices(meter: Meter, days: readonly Day[], random: () => number): Decimal[] {
  const between = ([low, high]: readonly [number, number]): Decimal => BigInt(Math.round(low + random() * (high - low))) * STEP;
  switch (meter.kind) {
    case 'daily':
      return days.map(() => (random() < meter.share ? between(meter.units) : 0n));
    case 'monthly':
      return days.map((day) => (day.endsWith('-01') ? between(meter.units) : 0n));
    case 'flat':
      return days.map((day) => (day.endsWith('-01') ? BigInt(meter.units) * STEP : 0n));
    case 'reversed': {
      const prices = days.map((): Decimal => 0n);
      for (let day = 0; day + 1 < days.length; day += 2) {
        if (random() >= meter.share) continue;
        const charge = between(meter.units);
        prices[day] = charge;
        prices[day + 1] = -charge;
      }
      return prices;
    }
  }
}

function record(category: string, price: Decimal): CostInputRecord {
  return { category, price, count: null, countUnit: null, usage: null, usageUnit: null };
}

/** The true rows of a day: priced leaves under their nearest ancestor priced in the window, as "parent price", and the top-level residual. */
export function trueRowsOf(world: RealisticWorld, days: readonly Day[], day: Day): Record<string, string> {
  const index = world.days.indexOf(day);
  const indexes = days.map((other) => world.days.indexOf(other));
  const pricedInWindow = (category: string): boolean => indexes.some((other) => (world.prices.get(category)?.[other] ?? 0n) !== 0n);
  const container = (category: string): string | null => {
    let parent = world.parents.get(category) ?? null;
    while (parent !== null && !pricedInWindow(parent)) parent = world.parents.get(parent) ?? null;
    return parent;
  };
  const pricedToday = [...world.prices].filter(([, prices]) => (prices[index] ?? 0n) !== 0n).map(([category]) => category);
  const containers = new Set(pricedToday.map(container));
  const rows: Record<string, string> = {};
  for (const category of pricedToday) {
    if (containers.has(category)) continue;
    rows[category] = `${container(category) ?? '-'} ${formatDecimal(world.prices.get(category)?.[index] ?? 0n)}`;
  }
  const uncategorised = world.uncategorised[index] ?? 0n;
  if (uncategorised !== 0n) rows.unattributed = `- ${formatDecimal(uncategorised)}`;
  return rows;
}

/** A small seeded generator (mulberry32): the same world for the same seed. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4_294_967_296;
  };
}
