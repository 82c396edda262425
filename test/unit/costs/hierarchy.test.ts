import { expect } from 'chai';

import { Hierarchy, twilioHierarchy } from '../../../source-twilio-costs/costs/hierarchy';
import { type HierarchyCuration, TWILIO_CURATION } from '../../../source-twilio-costs/costs/hierarchy-data';
import twilioCategories from '../../../source-twilio-costs/costs/twilio-categories.json';

const EMPTY_CURATION: HierarchyCuration = {
  root: 'total',
  placements: [],
  overlaps: {},
  products: {},
};

describe('costs/hierarchy', () => {
  const hierarchy = twilioHierarchy();

  describe('placementOf', () => {
    it('refines by the longest known prefix, case-insensitively', () => {
      expect(hierarchy.placementOf('SMS-Outbound-LongCode')).to.deep.equal({
        category: 'sms-outbound-longcode',
        parentCategory: 'sms-outbound',
        product: 'Messaging',
        isRollup: false,
        placement: 'name',
        includedIn: null,
      });
      expect(hierarchy.parentOf('calls-inbound-tollfree-mobile')).to.equal('calls-inbound-tollfree');
      expect(hierarchy.parentOf('wireless-super-sim-data-north-america-usa')).to.equal('wireless-super-sim-data-north-america');
    });

    it('keeps the documented calls-sip and calls-client out of calls, and leaves the suspected calls-* to their name', () => {
      for (const category of ['calls-sip', 'calls-client']) {
        expect(hierarchy.placementOf(category)).to.include({ parentCategory: null, placement: 'curated' });
      }
      for (const category of ['calls-globalconference', 'calls-transfers']) {
        expect(hierarchy.placementOf(category)).to.include({ parentCategory: 'calls', placement: 'name' });
      }
      expect(hierarchy.parentOf('calls-sip-inbound')).to.equal('calls-sip');
      expect(hierarchy.parentOf('calls-recordings')).to.equal('recordings');
      expect(hierarchy.parentOf('calls-inbound')).to.equal('calls');
    });

    it('places the documented non-prefix rollups and exclusions', () => {
      const expected: Record<string, string | null> = {
        'group-rooms': 'pv',
        'video-recordings': 'pv',
        'group-rooms-recorded-minutes': 'video-recordings',
        'pv-composition-minutes': 'video-recordings',
        'trunking-recordings': 'recordings',
        'live-activity-lookups': 'lookups',
        'carrier-lookups': 'lookups',
        'calleridlookups-api': 'calleridlookups',
        pstnconnectivity: 'programmablevoiceconnectivity',
        'usage-rcs-basic-messages-outbound': 'usage-rcs-messages',
        'usage-rcs-messages-inbound': 'usage-rcs-messages',
        'shortcodes-messages-inbound': 'shortcodes',
        'line-status-lookups': 'lookups',
        'reassigned-number': 'lookups',
        'media-composer-minutes': 'pv',
        'pvideo-room-hours-us1': 'pv',
        'video-rooms-turn-megabytes': 'pv',
        'rooms-group-minutes': 'pv',
        'shortcodes-random': 'shortcodes',
        'live-media-recording-minutes': 'live',
      };
      for (const [category, parent] of Object.entries(expected)) {
        expect(hierarchy.parentOf(category), category).to.equal(parent);
      }
      for (const rollup of ['pv', 'video-recordings', 'recordings', 'lookups', 'programmablevoiceconnectivity']) {
        expect(hierarchy.isRollup(rollup), rollup).to.equal(true);
      }
    });

    it('marks the documented double counts as included elsewhere, and what is named under them too', () => {
      expect(hierarchy.placementOf('authy-sms-outbound')).to.include({ includedIn: 'sms', parentCategory: null });
      expect(hierarchy.includedIn('Authy-Calls-Outbound')).to.equal('calls');
      expect(hierarchy.includedIn('authy-sms-outbound-newthing')).to.equal('sms');
      expect(hierarchy.includedIn('sms-outbound')).to.equal(null);
    });

    it('treats totalprice as the implicit root', () => {
      expect(hierarchy.placementOf('TotalPrice')).to.include({ parentCategory: null, isRollup: true, placement: 'curated' });
      expect(hierarchy.isRoot('TOTALPRICE')).to.equal(true);
      expect(hierarchy.parentOf('totalprice-something')).to.equal(null);
    });

    it('places unknown categories by name, or at the top level', () => {
      expect(hierarchy.placementOf('sms-outbound-newthing')).to.include({
        parentCategory: 'sms-outbound',
        product: 'Messaging',
        placement: 'name',
      });
      expect(hierarchy.placementOf('quantum-widgets')).to.include({ parentCategory: null, product: 'Other' });
    });

    it('lets categories seen at runtime take part in prefix refinement, without changing the original', () => {
      const extended = hierarchy.withCategories(['Quantum', 'quantum-widgets', 'wireless-usage-data-international']);
      expect(extended.parentOf('quantum-widgets')).to.equal('quantum');
      expect(extended.isRollup('quantum')).to.equal(true);
      expect(extended.parentOf('wireless-usage-data-international-roaming-canada')).to.equal('wireless-usage-data-international');
      expect(hierarchy.parentOf('quantum-widgets')).to.equal(null);
      expect(hierarchy.withCategories(['sms', 'SMS-Inbound'])).to.equal(hierarchy);
    });
  });

  describe('generalityOf', () => {
    it('reads a known rollup as more general than any other name, then a name of fewer segments', () => {
      const more = (a: string, b: string): boolean => hierarchy.generalityOf(a) > hierarchy.generalityOf(b);
      // The equal-price pairs real accounts show: the first holds the second.
      expect(more('calls-outbound', 'calls-text-to-speech')).to.equal(true);
      expect(more('marketplace-analytics-addons', 'marketplace-keen-io-contact-center-analytics')).to.equal(true);
      expect(more('channels-messaging', 'failed-message-processing-fee')).to.equal(true);
      expect(more('video-recordings', 'pv-recording-compositions')).to.equal(true);
      expect(more('wireless-super-sim-data', 'supersim')).to.equal(true);
      // A group the docs suggest, beside a vendor name of as many segments.
      expect(more('marketplace-recording-addons', 'marketplace-voicebase-transcription')).to.equal(true);
      expect(more('a2p-registration-fees', 'a2p-10dlc-registrationfees-monthly')).to.equal(true);
      // Neither reads as more general: a pair of such twins stays a tie.
      expect(hierarchy.generalityOf('sms-messages-carrierfees')).to.equal(hierarchy.generalityOf('SMS-Messages-RegistrationFees'));
    });
  });

  describe('productOf', () => {
    it('maps families to products, the longest prefix first', () => {
      const expected: Record<string, string> = {
        'sms-inbound': 'Messaging',
        'channels-whatsapp-outbound': 'Messaging',
        'calls-sip-inbound': 'Voice',
        'phonenumbers-local': 'Phone Numbers',
        'shortcodes-vanity': 'Phone Numbers',
        'shortcodes-messages-outbound': 'Messaging',
        'pvideo-room-hours-us1': 'Video',
        'live-activity-lookups': 'Lookup',
        'live-media-recording-minutes': 'Video',
        'verify-push': 'Verify',
        'authy-sms-outbound': 'Verify',
        supersim: 'Wireless',
        'flex-email-usage': 'Flex',
        'marketplay-pay-addons-stripe-pay-connector': 'Marketplace',
        pchat: 'Conversations',
        'functions-rollup': 'Serverless',
        'voice-intelligence-operators': 'Voice Intelligence',
        'trunking-origination-local': 'Elastic SIP Trunking',
        email: 'Email',
        'pfax-pages': 'Fax',
        'min-spend-adjustments': 'Account',
        'test-uc-script-1': 'Other',
      };
      for (const [category, product] of Object.entries(expected)) {
        expect(hierarchy.productOf(category), category).to.equal(product);
      }
    });

    it("gives an unknown category its parent's product when its own name matches no prefix", () => {
      const extended = Hierarchy.create(['alpha', 'alpha-beta'], {
        ...EMPTY_CURATION,
        placements: [{ parent: 'alpha', children: ['gamma'] }],
        products: { Alpha: ['alpha'] },
      });
      expect(extended.productOf('gamma')).to.equal('Alpha');
      expect(extended.productOf('delta')).to.equal('Other');
    });
  });

  describe('knownPlacements', () => {
    const placements = hierarchy.knownPlacements();

    it('lists every known category once, sorted, each with a known parent', () => {
      const categories = placements.map((placement) => placement.category);
      expect(categories).to.deep.equal([...new Set(categories)].sort());
      expect(categories).to.include.members(['totalprice', 'identity-match', 'rcs-activation-fee', 'usage-rcs-messages']);
      // 643 enum values + 3 dropped from it + identity-match + rcs-activation-fee.
      expect(categories).to.have.length(648);
      const known = new Set(categories);
      for (const placement of placements) {
        if (placement.parentCategory !== null) expect(known.has(placement.parentCategory), placement.category).to.equal(true);
      }
    });

    it('has a product for everything, and Other only for junk and unclassified names', () => {
      const other = placements.filter((placement) => placement.product === 'Other').map((placement) => placement.category);
      expect(other).to.have.members([
        'category',
        'demo',
        'demo-uc-script-test',
        'emerging-tech',
        'experiment-france-sms',
        'experiment-india-sms',
        'experiment-uk-sms',
        'imp-v1-usage',
        'test-quota-buckets',
        'test-uc-script-1',
        'test-uc-script-demo-2',
        'tme',
        'totalprice',
        'twilio-for-salesforce',
        'twilio-for-salesforce-licenses',
        'wds',
      ]);
    });
  });

  describe('the curation data', () => {
    const twilioNames = new Set([...twilioCategories.categories, ...twilioCategories.removed_from_enum_in_earlier_spec_versions, ...twilioCategories.documented_but_not_in_enum.names].map((name) => name.toLowerCase()));

    it('names only categories Twilio lists (a typo would silently invent one)', () => {
      const curated = [TWILIO_CURATION.root, ...TWILIO_CURATION.placements.flatMap((group) => [...(group.parent ? [group.parent] : []), ...group.children]), ...Object.entries(TWILIO_CURATION.overlaps).flat()];
      expect(curated.filter((name) => !twilioNames.has(name))).to.deep.equal([]);
    });

    it('lists each product prefix once', () => {
      const prefixes = Object.values(TWILIO_CURATION.products).flat();
      expect(prefixes).to.have.length(new Set(prefixes).size);
    });
  });

  describe('create', () => {
    it('rejects a curated cycle', () => {
      expect(() =>
        Hierarchy.create(['a', 'b'], {
          ...EMPTY_CURATION,
          placements: [
            { parent: 'a', children: ['b'] },
            { parent: 'b', children: ['a'] },
          ],
        }),
      ).to.throw(/cycle/);
    });

    it('rejects a category curated twice', () => {
      expect(() =>
        Hierarchy.create([], {
          ...EMPTY_CURATION,
          placements: [
            { parent: 'a', children: ['c'] },
            { parent: 'b', children: ['c'] },
          ],
        }),
      ).to.throw(/curated twice/);
    });
  });
});
