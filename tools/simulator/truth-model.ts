/**
 * The simulator's ground truth: which categories produce usage and which ones Twilio reports as
 * rollups of others. It plays Twilio, so it is written independently of the connector's own
 * hierarchy in `costs/`; the connector's deduplication is tested against this.
 *
 * Every node's price is its own metered usage plus the prices of its children. `totalprice` is the
 * sum of the top-level nodes plus, on some days, cost that is in no category at all.
 */

/** Usage a node records by itself (not through children). */
export type Meter = MeteredUsage | Adjustment;

export interface MeteredUsage {
  kind: 'metered';
  /** Share of days with any usage (ignored for monthly fees, which always bill on the 1st). */
  activeShare: number;
  /** `monthly` fees are billed on the first day of each month only. */
  billing: 'daily' | 'monthly';
  /** Events per active day (items per month for fees), for an account of volume 1. */
  count: readonly [number, number];
  /** Usage per event, in units of 10^-usageDecimals of usageUnit. */
  usagePerCount: readonly [number, number];
  usageDecimals: 0 | 2;
  /** Price per whole usage unit: a decimal string with at most 5 places. */
  unitPrice: string;
}

/** A credit or charge with no usage behind it; its usage is the price itself, in the currency. */
export interface Adjustment {
  kind: 'adjustment';
  activeShare: number;
  /** Amount in cents; negative for credits. */
  cents: readonly [number, number];
}

export interface TruthNodeSpec {
  /** As Twilio writes it (Twilio is not consistent about case). */
  category: string;
  description: string;
  countUnit: string;
  usageUnit: string;
  meter?: Meter;
  children?: readonly TruthNodeSpec[];
  /**
   * Some products (video plans) sometimes report only the rollup: on that share of days the children
   * record nothing and the rollup's price comes from this meter alone.
   */
  reportsAlone?: { share: number; meter: MeteredUsage };
}

function messages(activeShare: number, count: readonly [number, number], unitPrice: string): MeteredUsage {
  return { kind: 'metered', activeShare, billing: 'daily', count, usagePerCount: [1, 1], usageDecimals: 0, unitPrice };
}

function perEvent(activeShare: number, count: readonly [number, number], usagePerCount: readonly [number, number], unitPrice: string): MeteredUsage {
  return { kind: 'metered', activeShare, billing: 'daily', count, usagePerCount, usageDecimals: 0, unitPrice };
}

function megabytes(activeShare: number, count: readonly [number, number], hundredthsPerCount: readonly [number, number], unitPrice: string): MeteredUsage {
  return { kind: 'metered', activeShare, billing: 'daily', count, usagePerCount: hundredthsPerCount, usageDecimals: 2, unitPrice };
}

function monthlyFee(count: readonly [number, number], unitPrice: string): MeteredUsage {
  return { kind: 'metered', activeShare: 1, billing: 'monthly', count, usagePerCount: [1, 1], usageDecimals: 0, unitPrice };
}

const SMS: TruthNodeSpec = {
  category: 'sms',
  description: 'SMS Messages',
  countUnit: 'messages',
  usageUnit: 'messages',
  children: [
    {
      category: 'sms-inbound',
      description: 'Inbound SMS',
      countUnit: 'messages',
      usageUnit: 'messages',
      children: [
        { category: 'sms-inbound-longcode', description: 'Inbound Longcode SMS', countUnit: 'messages', usageUnit: 'messages', meter: messages(0.9, [150, 900], '0.0079') },
        { category: 'sms-inbound-shortcode', description: 'Short Code Inbound SMS', countUnit: 'messages', usageUnit: 'messages', meter: messages(0.55, [40, 300], '0.0079') },
      ],
    },
    {
      category: 'sms-outbound',
      description: 'Outbound SMS',
      countUnit: 'messages',
      usageUnit: 'messages',
      children: [
        {
          category: 'sms-outbound-longcode',
          description: 'Outbound Longcode SMS',
          countUnit: 'messages',
          usageUnit: 'messages',
          meter: messages(0.95, [400, 2500], '0.0079'),
          // Authy's SMS are billed as longcode messages and reported a second time on their own.
          children: [{ category: 'authy-sms-outbound', description: 'Authy Outbound SMS', countUnit: 'messages', usageUnit: 'messages', meter: messages(0.65, [20, 160], '0.0079') }],
        },
        { category: 'sms-outbound-shortcode', description: 'Short Code Outbound SMS', countUnit: 'messages', usageUnit: 'messages', meter: messages(0.55, [100, 800], '0.0083') },
        { category: 'sms-outbound-tollfree', description: 'Toll-Free Outbound SMS', countUnit: 'messages', usageUnit: 'messages', meter: messages(0.7, [100, 600], '0.0079') },
        // Not in the 643-entry list: a new child Twilio added under an existing parent.
        { category: 'sms-outbound-rcs-fallback', description: 'RCS Fallback Outbound SMS', countUnit: 'messages', usageUnit: 'messages', meter: messages(0.45, [10, 120], '0.0079') },
      ],
    },
  ],
};

const CALLS: TruthNodeSpec = {
  category: 'calls',
  description: 'Voice Minutes',
  countUnit: 'calls',
  usageUnit: 'minutes',
  children: [
    {
      category: 'calls-inbound',
      description: 'Inbound Voice Minutes',
      countUnit: 'calls',
      usageUnit: 'minutes',
      children: [
        { category: 'calls-inbound-local', description: 'Inbound Local Calls', countUnit: 'calls', usageUnit: 'minutes', meter: perEvent(0.85, [20, 120], [1, 6], '0.0085') },
        { category: 'calls-inbound-tollfree', description: 'Inbound Toll-Free Calls', countUnit: 'calls', usageUnit: 'minutes', meter: perEvent(0.55, [5, 60], [1, 8], '0.022') },
      ],
    },
    { category: 'calls-outbound', description: 'Outbound Voice Minutes', countUnit: 'calls', usageUnit: 'minutes', meter: perEvent(0.85, [20, 150], [1, 7], '0.014') },
  ],
};

// Named like children of `calls`, but billed outside it ("does not include client or SIP calls").
const CALLS_SIP: TruthNodeSpec = {
  category: 'calls-sip',
  description: 'SIP Calls',
  countUnit: 'calls',
  usageUnit: 'minutes',
  children: [
    { category: 'calls-sip-inbound', description: 'Inbound SIP Calls', countUnit: 'calls', usageUnit: 'minutes', meter: perEvent(0.5, [5, 40], [1, 10], '0.004') },
    { category: 'calls-sip-outbound', description: 'Outbound SIP Calls', countUnit: 'calls', usageUnit: 'minutes', meter: perEvent(0.5, [5, 40], [1, 10], '0.004') },
  ],
};

const CALLS_CLIENT: TruthNodeSpec = {
  category: 'calls-client',
  description: 'Client Calls',
  countUnit: 'calls',
  usageUnit: 'minutes',
  meter: perEvent(0.5, [5, 50], [1, 12], '0.004'),
};

// A rollup whose children do not share its prefix.
const RECORDINGS: TruthNodeSpec = {
  category: 'recordings',
  description: 'Recordings',
  countUnit: 'recordings',
  usageUnit: 'recorded-minutes',
  children: [
    { category: 'calls-recordings', description: 'Call Recordings', countUnit: 'recordings', usageUnit: 'recorded-minutes', meter: perEvent(0.75, [5, 60], [1, 5], '0.0025') },
    { category: 'trunking-recordings', description: 'Trunking Recordings', countUnit: 'recordings', usageUnit: 'recorded-minutes', meter: perEvent(0.45, [2, 30], [1, 6], '0.0025') },
  ],
};

const LOOKUPS: TruthNodeSpec = {
  category: 'lookups',
  description: 'Lookups',
  countUnit: 'lookups',
  usageUnit: 'lookups',
  children: [
    { category: 'carrier-lookups', description: 'Carrier Lookups', countUnit: 'lookups', usageUnit: 'lookups', meter: messages(0.6, [10, 200], '0.005') },
    {
      category: 'calleridlookups',
      description: 'Caller ID Lookups',
      countUnit: 'lookups',
      usageUnit: 'lookups',
      children: [{ category: 'calleridlookups-api', description: 'Caller ID Lookups (API)', countUnit: 'lookups', usageUnit: 'lookups', meter: messages(0.5, [5, 100], '0.01') }],
    },
  ],
};

const VIDEO: TruthNodeSpec = {
  category: 'pv',
  description: 'Programmable Video',
  countUnit: 'participant-minutes',
  usageUnit: 'participant-minutes',
  reportsAlone: { share: 0.2, meter: perEvent(1, [200, 2000], [1, 1], '0.004') },
  children: [
    {
      category: 'group-rooms',
      description: 'Group Rooms',
      countUnit: 'participant-minutes',
      usageUnit: 'participant-minutes',
      children: [
        {
          category: 'group-rooms-participant-minutes',
          description: 'Group Rooms Participant Minutes',
          countUnit: 'participant-minutes',
          usageUnit: 'participant-minutes',
          meter: perEvent(0.65, [100, 1500], [1, 1], '0.004'),
        },
        { category: 'group-rooms-data-track', description: 'Group Rooms Data Track', countUnit: 'participant-minutes', usageUnit: 'participant-minutes', meter: perEvent(0.4, [50, 600], [1, 1], '0.0005') },
      ],
    },
    {
      // Holds a category named like a child of group-rooms; the docs list it under video-recordings.
      category: 'video-recordings',
      description: 'Video Recordings',
      countUnit: 'recordings',
      usageUnit: 'minutes',
      children: [
        { category: 'group-rooms-recorded-minutes', description: 'Group Rooms Recorded Minutes', countUnit: 'recordings', usageUnit: 'minutes', meter: perEvent(0.45, [2, 40], [5, 60], '0.004') },
        { category: 'pv-composition-minutes', description: 'Video Composition Minutes', countUnit: 'compositions', usageUnit: 'minutes', meter: perEvent(0.35, [1, 20], [5, 60], '0.01') },
      ],
    },
    {
      category: 'turnmegabytes',
      description: 'TURN Megabytes',
      countUnit: 'allocations',
      usageUnit: 'megabytes',
      children: [{ category: 'turnmegabytes-useast', description: 'TURN Megabytes (US East)', countUnit: 'allocations', usageUnit: 'megabytes', meter: megabytes(0.5, [20, 400], [50, 400], '0.0004') }],
    },
  ],
};

const PHONE_NUMBERS: TruthNodeSpec = {
  category: 'phonenumbers',
  description: 'Phone Numbers',
  countUnit: 'phonenumbers',
  usageUnit: 'phonenumbers',
  children: [
    { category: 'phonenumbers-local', description: 'Local Phone Numbers', countUnit: 'phonenumbers', usageUnit: 'phonenumbers', meter: monthlyFee([5, 40], '1.15') },
    { category: 'phonenumbers-tollfree', description: 'Toll-Free Phone Numbers', countUnit: 'phonenumbers', usageUnit: 'phonenumbers', meter: monthlyFee([1, 10], '2.15') },
  ],
};

const RCS: TruthNodeSpec = {
  // Twilio's docs spell this rollup with capitals; its children arrive lower-case.
  category: 'Usage-RCS-Messages',
  description: 'RCS Messages',
  countUnit: 'messages',
  usageUnit: 'messages',
  children: [
    { category: 'usage-rcs-messages-inbound', description: 'Inbound RCS Messages', countUnit: 'messages', usageUnit: 'messages', meter: messages(0.5, [10, 300], '0.0025') },
    { category: 'usage-rcs-basic-messages-outbound', description: 'Outbound Basic RCS Messages', countUnit: 'messages', usageUnit: 'messages', meter: messages(0.55, [20, 400], '0.0083') },
  ],
};

const WIRELESS: TruthNodeSpec = {
  category: 'wireless-usage',
  description: 'Wireless Usage',
  countUnit: 'sessions',
  usageUnit: 'megabytes',
  children: [
    { category: 'wireless-usage-data', description: 'Wireless Data Usage', countUnit: 'sessions', usageUnit: 'megabytes', meter: megabytes(0.8, [10, 300], [100, 900], '0.1') },
    { category: 'wireless-usage-mrc', description: 'Wireless Monthly Recurring Charges', countUnit: 'sims', usageUnit: 'sims', meter: monthlyFee([5, 50], '1') },
  ],
};

/** The top-level nodes every account has; each contributes to totalprice once. */
export const CORE_TOP_LEVEL: readonly TruthNodeSpec[] = [
  SMS,
  // Named like a child of sms but billed separately.
  { category: 'sms-messages-carrierfees', description: 'SMS Carrier Fees', countUnit: 'messages', usageUnit: 'messages', meter: messages(0.85, [300, 2000], '0.003') },
  CALLS,
  CALLS_SIP,
  CALLS_CLIENT,
  RECORDINGS,
  LOOKUPS,
  VIDEO,
  PHONE_NUMBERS,
  RCS,
  { category: 'verify-push', description: 'Verify Push', countUnit: 'verifications', usageUnit: 'verifications', meter: messages(0.55, [10, 200], '0.05') },
  { category: 'verify-totp', description: 'Verify TOTP', countUnit: 'verifications', usageUnit: 'verifications', meter: messages(0.45, [10, 150], '0.05') },
  WIRELESS,
  { category: 'min-spend-adjustments', description: 'Minimum Spend Adjustments', countUnit: 'adjustments', usageUnit: 'usd', meter: { kind: 'adjustment', activeShare: 0.15, cents: [-2500, -100] } },
  // Not in the 643-entry list: a brand-new top-level product.
  { category: 'quantum-relay-minutes', description: 'Quantum Relay Minutes', countUnit: 'sessions', usageUnit: 'minutes', meter: perEvent(0.4, [2, 40], [1, 20], '0.002') },
];

/** Stand-alone products an account may also use; each account picks a few. */
export const OPTIONAL_TOP_LEVEL: readonly TruthNodeSpec[] = [
  { category: 'mediastorage', description: 'Media Storage', countUnit: 'files', usageUnit: 'megabytes', meter: megabytes(0.7, [10, 200], [100, 500], '0.00015') },
  { category: 'transcriptions', description: 'Transcriptions', countUnit: 'transcriptions', usageUnit: 'minutes', meter: perEvent(0.5, [5, 50], [1, 4], '0.05') },
  { category: 'amazon-polly', description: 'Amazon Polly', countUnit: 'requests', usageUnit: 'characters', meter: perEvent(0.5, [10, 100], [50, 400], '0.00002') },
  { category: 'speech-recognition', description: 'Speech Recognition', countUnit: 'requests', usageUnit: 'minutes', meter: perEvent(0.45, [5, 80], [1, 3], '0.02') },
  { category: 'answering-machine-detection', description: 'Answering Machine Detection', countUnit: 'calls', usageUnit: 'calls', meter: messages(0.55, [10, 120], '0.0075') },
  { category: 'conversation-relay', description: 'Conversation Relay', countUnit: 'sessions', usageUnit: 'minutes', meter: perEvent(0.35, [2, 30], [1, 15], '0.07') },
  { category: 'failed-message-processing-fee', description: 'Failed Message Processing Fee', countUnit: 'messages', usageUnit: 'messages', meter: messages(0.6, [10, 150], '0.001') },
  { category: 'branded-calling', description: 'Branded Calling', countUnit: 'calls', usageUnit: 'calls', meter: messages(0.4, [10, 100], '0.01') },
];

/** A charge of one item on a share of days (a registration, a vetting). */
function oneOffFee(activeShare: number, unitPrice: string): MeteredUsage {
  return { kind: 'metered', activeShare, billing: 'daily', count: [1, 1], usagePerCount: [1, 1], usageDecimals: 0, unitPrice };
}

function addOn(category: string, description: string, activeShare: number, unitPrice: string): TruthNodeSpec {
  return { category, description, countUnit: 'requests', usageUnit: 'requests', meter: messages(activeShare, [5, 120], unitPrice) };
}

/**
 * Products whose grouping Twilio does not document (the reference's suspected non-prefix
 * groupings), as a real account may have them: a rollup whose members share no prefix with it
 * (`a2p-registration-fees`, `marketplace-recording-addons`, `pstnconnectivity-inbound` over its
 * `minutesinbound*` breakdown), and a rollup whose single member is named apart from it, so that
 * both cost the same every day (`marketplace-analytics-addons`). Only the accounts a dataset says
 * use them (DatasetOptions.accountsWithUndocumentedGroupings).
 */
export const UNDOCUMENTED_GROUPINGS: readonly TruthNodeSpec[] = [
  {
    category: 'a2p-registration-fees',
    description: 'All Messaging A2P Registration Fees',
    countUnit: 'registrations',
    usageUnit: 'registrations',
    children: [
      { category: 'a2p-10dlc-registrationfees-brandregistration', description: 'A2P 10DLC Brand Registration', countUnit: 'registrations', usageUnit: 'registrations', meter: oneOffFee(0.05, '4') },
      { category: 'a2p-10dlc-registrationfees-campaignvetting', description: 'A2P 10DLC Campaign Vetting', countUnit: 'registrations', usageUnit: 'registrations', meter: oneOffFee(0.05, '15') },
      { category: 'a2p-10dlc-registrationfees-monthly', description: 'A2P 10DLC Monthly Campaign Fees', countUnit: 'registrations', usageUnit: 'registrations', meter: monthlyFee([1, 4], '1.5') },
    ],
  },
  {
    category: 'marketplace',
    description: 'Marketplace Add-ons',
    countUnit: 'requests',
    usageUnit: 'requests',
    children: [
      {
        category: 'marketplace-recording-addons',
        description: 'Recording Add-ons',
        countUnit: 'requests',
        usageUnit: 'requests',
        children: [addOn('marketplace-voicebase-transcription', 'VoiceBase High Accuracy Transcription', 0.7, '0.02'), addOn('marketplace-ibm-watson-recording-analysis', 'IBM Watson Recording Analysis', 0.6, '0.01')],
      },
      {
        category: 'marketplace-analytics-addons',
        description: 'Analytics Add-ons',
        countUnit: 'requests',
        usageUnit: 'requests',
        children: [addOn('marketplace-keen-io-contact-center-analytics', 'Keen IO Contact Center Analytics', 0.8, '0.005')],
      },
    ],
  },
  {
    category: 'pstnconnectivity',
    description: 'PSTN Connectivity',
    countUnit: 'minutes',
    usageUnit: 'minutes',
    children: [
      {
        category: 'pstnconnectivity-inbound',
        description: 'PSTN Connectivity Inbound',
        countUnit: 'minutes',
        usageUnit: 'minutes',
        children: [
          { category: 'pstnconnectivity-minutesinboundlocal', description: 'PSTN Connectivity Minutes Inbound Local', countUnit: 'minutes', usageUnit: 'minutes', meter: perEvent(0.85, [20, 200], [1, 6], '0.0085') },
          { category: 'pstnconnectivity-minutesinboundmobile', description: 'PSTN Connectivity Minutes Inbound Mobile', countUnit: 'minutes', usageUnit: 'minutes', meter: perEvent(0.6, [5, 80], [1, 6], '0.0085') },
          { category: 'pstnconnectivity-minutesinboundtollfree', description: 'PSTN Connectivity Minutes Inbound Toll-Free', countUnit: 'minutes', usageUnit: 'minutes', meter: perEvent(0.5, [5, 60], [1, 8], '0.022') },
        ],
      },
      { category: 'pstnconnectivity-outbound', description: 'PSTN Connectivity Outbound', countUnit: 'minutes', usageUnit: 'minutes', meter: perEvent(0.8, [20, 150], [1, 7], '0.014') },
    ],
  },
];

export const TOTAL_PRICE_CATEGORY = 'totalprice';
export const TOTAL_PRICE_DESCRIPTION = 'Total Price';

/** Cost in no category at all ("the sum of the Price in all UsageRecords may or may not be equal"). */
export const UNCATEGORISED_COST = { share: 0.2, cents: [1, 300] as const };

const UNIT_GUESSES: ReadonlyArray<readonly [RegExp, string, string]> = [
  [/recording/, 'recordings', 'recorded-minutes'],
  [/lookup/, 'lookups', 'lookups'],
  [/sms|mms|messag|rcs|whatsapp/, 'messages', 'messages'],
  [/calls|minute|sip|trunking|voice|conference/, 'calls', 'minutes'],
  [/phonenumber|shortcode|short-code/, 'phonenumbers', 'phonenumbers'],
  [/megabyte|data|storage/, 'megabytes', 'megabytes'],
  [/verif|authy/, 'verifications', 'verifications'],
];

/** Units of a category the model never meters, for its zero rows. */
export function guessUnits(category: string): { countUnit: string; usageUnit: string } {
  const lower = category.toLowerCase();
  for (const [pattern, countUnit, usageUnit] of UNIT_GUESSES) {
    if (pattern.test(lower)) return { countUnit, usageUnit };
  }
  return { countUnit: 'units', usageUnit: 'units' };
}

const ACRONYMS = new Set(['sms', 'mms', 'sip', 'api', 'rcs', 'pv', 'mrc', 'tts', 'ai', 'ivr', 'a2p', 'cps', 'sna', 'totp', 'uk', 'us', 'eu']);

/** A label like Twilio's short descriptions, for a category the model never meters. */
export function guessDescription(category: string): string {
  return category
    .split('-')
    .filter((word) => word.length > 0)
    .map((word) => (ACRONYMS.has(word.toLowerCase()) ? word.toUpperCase() : word.charAt(0).toUpperCase() + word.slice(1)))
    .join(' ');
}
