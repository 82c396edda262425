/**
 * The curated part of Twilio's usage-category hierarchy, as data.
 *
 * Most of the hierarchy comes from names: Twilio refines a category by appending `-<dimension>`,
 * so `sms-outbound-longcode` sits under `sms-outbound` (prefix refinement, done in hierarchy.ts).
 * This file holds only what names get wrong or cannot say, each entry backed by Twilio's usage
 * record docs (see shared/reference/twilio-category-hierarchy.md, patterns 2 and 3). Anything
 * merely suspected is NOT curated here: a wrong curated edge would be trusted, whereas a missing
 * one is repaired by the reconciliation ("let the numbers correct it").
 *
 * All names are lower case; categories are compared case-insensitively.
 */

export interface CuratedGroup {
  /** The parent every listed child is placed under; null = the top level. */
  readonly parent: string | null;
  readonly children: readonly string[];
}

export interface HierarchyCuration {
  /** The implicit root of everything; never a cost row, the anchor of the reconciliation. */
  readonly root: string;
  /** Placements that override the name. A category appears in at most one group. */
  readonly placements: readonly CuratedGroup[];
  /**
   * Documented double counts: category → the category whose price already includes it.
   * Such a category (and anything named under it) is never summed and never a cost row: its cost
   * is already in the other category, so emitting it as well would count it twice, and emitting it
   * instead would require knowing which child of the other category to take it from.
   */
  readonly overlaps: Readonly<Record<string, string>>;
  /**
   * Product family → name prefixes (plain string prefixes, so `pv` also covers `pvideo-*`).
   * The longest matching prefix wins; a category matching none inherits its parent's product,
   * and a top-level one is `Other`.
   */
  readonly products: Readonly<Record<string, readonly string[]>>;
  /**
   * Names the docs suggest are groups of others, without saying of which (suspected: the numbers
   * place them): where one costs the same as another category every day and the numbers nest the
   * two, it reads as the more general, the holder; where it costs the same as a fee beside it and
   * the numbers do not rule the nesting out, it holds that fee (solver/twins.ts).
   */
  readonly groupNames?: readonly string[];
}

export const OTHER_PRODUCT = 'Other';

export const TWILIO_CURATION: HierarchyCuration = {
  root: 'totalprice',

  placements: [
    // "All Programmable Video usage including TURN"; the pv-* categories are under it by name.
    {
      parent: 'pv',
      children: [
        'group-rooms',
        'small-group-rooms',
        'peer-to-peer-rooms-participant-minutes',
        'video-recordings',
        'turnmegabytes',
        // Listed under Programmable Video in the usage docs, without the pv- prefix.
        'pvideo-room-hours-au1',
        'pvideo-room-hours-br1',
        'pvideo-room-hours-ie1',
        'pvideo-room-hours-jp1',
        'pvideo-room-hours-sg1',
        'pvideo-room-hours-us1',
        'pvideo-room-hours-us2',
        'media-composer-minutes',
        'basic-peer-to-peer-rooms-participant-minutes',
        'video-rooms-turn-megabytes',
        // The legacy room categories Twilio dropped from the list in 2025.
        'rooms-group-bandwidth',
        'rooms-group-minutes',
        'rooms-peer-to-peer-minutes',
      ],
    },
    // "All usage regarding video Recordings and Compositions": the docs list these directly under
    // it. group-rooms-recorded-minutes also covers Small Group Rooms, so it is not group-rooms'.
    {
      parent: 'video-recordings',
      children: ['group-rooms-recorded-minutes', 'pv-composition-minutes', 'group-rooms-encrypted-media-recorded', 'group-rooms-media-stored', 'group-rooms-media-downloaded'],
    },
    // "Recordings of voice and trunking calls" (so calls-recordings is not inside calls).
    { parent: 'recordings', children: ['calls-recordings', 'trunking-recordings'] },
    // "All Lookups executed across all categories"; live-activity-lookups is a Lookup, not Live.
    {
      parent: 'lookups',
      children: [
        'carrier-lookups',
        'calleridlookups',
        'number-format-lookups',
        'call-forwarding-lookups',
        'sim-swap-lookups',
        'live-activity-lookups',
        'enhanced-line-type-lookups',
        'identity-match',
        'lookup-identity-match',
        // Lookup v2 packages, documented among "all Lookups".
        'fraud-lookups',
        'line-status-lookups',
        'phone-quality-score-lookups',
        'reassigned-number',
      ],
    },
    // "Inbound and outbound voice calls in Flex Projects … Includes Client and SIP Calls."
    {
      parent: 'programmablevoiceconnectivity',
      children: ['pstnconnectivity', 'programmablevoiceconn-sip', 'programmablevoiceconn-clientsdk', 'programmablevoiceconn-onnet'],
    },
    // "All RCS messages"; usage-rcs-messages-inbound is under it by name.
    {
      parent: 'usage-rcs-messages',
      children: ['usage-rcs-basic-messages-outbound', 'usage-rcs-single-messages-outbound'],
    },
    // Named under calls, which "does not include client or SIP calls". Other calls-* features are
    // only suspected to be billed apart from calls: the numbers decide those (solver/).
    { parent: null, children: ['calls-sip', 'calls-client'] },
  ],

  // "also included in the SMS categories" / "also included in the Voice categories".
  // The suspected non-prefix groupings of the reference (pattern 2), supersim aside: it repeats a
  // wireless-super-sim category rather than grouping several.
  groupNames: [
    'a2p-registration-fees',
    'conference',
    'functions-rollup',
    'marketplace-analytics-addons',
    'marketplace-isv-addons',
    'marketplace-messaging-addons',
    'marketplace-phonenumbers-addons',
    'marketplace-recording-addons',
    'marketplace-virtualagent-addons',
    // Seen on a real account (issue 15) equal to the sum of its pstnconnectivity-minutesinbound* breakdown.
    'pstnconnectivity-inbound',
  ],

  overlaps: {
    'authy-sms-outbound': 'sms',
    'authy-calls-outbound': 'calls',
  },

  products: {
    Messaging: [
      'a2p',
      'sms',
      'smsmessages',
      'mms',
      'channels',
      'rcs',
      'usage-rcs',
      'usage-programmable-messaging',
      'bundle-sms',
      'engagement-suite',
      'failed-message-processing-fee',
      'longcode-mps',
      'mediastorage',
      'shortcodes-messages',
    ],
    Voice: [
      'calls',
      'call-progess-events',
      'conference',
      'agent-conference',
      'conversation-relay',
      'amazon-polly',
      'answering-machine-detection',
      'branded-calling',
      'cps',
      'ivr',
      'prog-voice-client',
      'programmablevoice',
      'pstnconnectivity',
      'recordings',
      'speech-recognition',
      'text-to-speech',
      'tts',
      'transcriptions',
      'twiml',
      'voice-insights',
      'sip-secure-media',
      'generic-pay-transactions',
      'payment-gateway-connectors',
      'payment-solutions',
    ],
    'Phone Numbers': ['phonenumbers', 'shortcodes', 'short-code-setup-fees'],
    Video: ['pv', 'video', 'group-rooms', 'small-group-rooms', 'peer-to-peer-rooms', 'basic-peer-to-peer-rooms', 'turnmegabytes', 'media-composer', 'rooms', 'live', 'audience-minutes'],
    Lookup: [
      'lookup',
      'carrier-lookups',
      'calleridlookups',
      'number-format-lookups',
      'call-forwarding-lookups',
      'sim-swap-lookups',
      'live-activity-lookups',
      'enhanced-line-type-lookups',
      'identity-match',
      'fraud-lookups',
      'line-status-lookups',
      'phone-quality-score-lookups',
      'reassigned-number',
    ],
    Verify: ['verify', 'authy', 'account-security'],
    Wireless: ['wireless', 'supersim'],
    Flex: ['flex', 'usage-flex', 'agent-copilot'],
    Frontline: ['frontline'],
    Marketplace: ['marketplace', 'marketplay'],
    Conversations: ['conversations', 'ip-messaging', 'pchat'],
    Serverless: ['functions', 'usage-functions', 'assets'],
    'Voice Intelligence': ['voice-intelligence', 'conversational-insights'],
    'Elastic SIP Trunking': ['elastic-sip-trunking', 'trunking'],
    Interconnect: ['twilio-interconnect'],
    Email: ['email'],
    Fax: ['pfax'],
    Sync: ['sync'],
    Notify: ['notify'],
    Proxy: ['proxy'],
    TaskRouter: ['task-router', 'taskrouter'],
    Studio: ['studio'],
    Monitor: ['monitor'],
    'Event Streams': ['events'],
    AI: ['ai-assistants', 'autopilot', 'virtual-agent', 'chat-virtual-agent'],
    'Support and Services': ['premiumsupport', 'advisory-services'],
    Account: ['min-spend-adjustments', 'credit-transfer', 'bundle-subscription-fees', 'twilio-editions', 'enterprise'],
  },
};
