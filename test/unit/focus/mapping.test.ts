import { expect } from 'chai';

import { OTHER_PRODUCT, TWILIO_CURATION } from '../../../source-twilio-costs/costs/hierarchy-data';
import { type BillingAccounts, classifyService, focusUnit, SERVICE_CLASSIFICATIONS, toFocusRow } from '../../../source-twilio-costs/focus/mapping';
import type { UsageCostsRecord } from '../../../source-twilio-costs/generated/types';
import { focusViolations, SERVICE_SUBCATEGORIES } from '../../helpers/focus-spec';

const MAIN = 'AC00000000000000000000000000000001';
const SUB = 'AC00000000000000000000000000000002';
const accounts: BillingAccounts = {
  billingAccountId: MAIN,
  billingAccountName: 'Main',
  subAccountName: (sid) => (sid === SUB ? 'Support' : sid),
};

function costRow(overrides: Partial<UsageCostsRecord>): UsageCostsRecord {
  return {
    account_sid: MAIN,
    category: 'sms-outbound-longcode',
    parent_category: 'sms-outbound',
    product: 'Messaging',
    start_date: '2026-03-14',
    end_date: '2026-03-14',
    price: 12.34567,
    price_unit: 'USD',
    is_unattributed: false,
    placement: 'name',
    count: 1520,
    count_unit: 'messages',
    usage: 1563,
    usage_unit: 'segments',
    ...overrides,
  };
}

describe('focus/mapping', () => {
  it('a priced leaf is a Usage row whose four costs are the price, with its quantity, unit and SKU', () => {
    const row = toFocusRow(costRow({}), accounts);
    expect([row.BilledCost, row.EffectiveCost, row.ListCost, row.ContractedCost]).to.deep.equal([12.34567, 12.34567, 12.34567, 12.34567]);
    expect(row).to.include({ ChargeCategory: 'Usage', ChargeClass: null, ChargeFrequency: 'Usage-Based', PricingQuantity: 1563, PricingUnit: 'Segments', ConsumedQuantity: 1563, ConsumedUnit: 'Segments' });
    expect(row).to.include({ SkuId: 'sms-outbound-longcode', ServiceName: 'Messaging', ServiceCategory: 'Mobile', ServiceSubcategory: 'Other (Mobile)' });
    expect(row).to.include({ x_AccountSid: MAIN, x_TwilioCategory: 'sms-outbound-longcode', x_TwilioParentCategory: 'sms-outbound', x_IsUnattributed: false, x_Count: 1520, x_CountUnit: 'messages' });
    expect(row).to.include({ BillingAccountId: MAIN, BillingAccountName: 'Main', SubAccountId: null, SubAccountName: null, InvoiceId: null });
    expect(focusViolations(row)).to.deep.equal([]);
  });

  it('ChargePeriodEnd is the exclusive day after end_date; the billing period is the calendar month, across year ends and leap days', () => {
    const cases: Array<[string, string, string, string]> = [
      ['2026-03-14', '2026-03-15T00:00:00Z', '2026-03-01T00:00:00Z', '2026-04-01T00:00:00Z'],
      ['2026-12-31', '2027-01-01T00:00:00Z', '2026-12-01T00:00:00Z', '2027-01-01T00:00:00Z'],
      ['2028-02-29', '2028-03-01T00:00:00Z', '2028-02-01T00:00:00Z', '2028-03-01T00:00:00Z'],
      ['2027-02-01', '2027-02-02T00:00:00Z', '2027-02-01T00:00:00Z', '2027-03-01T00:00:00Z'],
    ];
    for (const [day, chargeEnd, billingStart, billingEnd] of cases) {
      const row = toFocusRow(costRow({ start_date: day, end_date: day }), accounts);
      expect(row, day).to.include({ ChargePeriodStart: `${day}T00:00:00Z`, ChargePeriodEnd: chargeEnd, BillingPeriodStart: billingStart, BillingPeriodEnd: billingEnd });
    }
  });

  it('upper-cases the currency to ISO 4217', () => {
    expect(toFocusRow(costRow({ price_unit: 'usd' }), accounts).BillingCurrency).to.equal('USD');
  });

  it('a residual with no quantity is an Adjustment, without quantity, unit or SKU, and flagged', () => {
    const row = toFocusRow(costRow({ category: 'sms:unattributed', parent_category: 'sms', is_unattributed: true, count: null, count_unit: null, usage: null, usage_unit: null, price: -0.5 }), accounts);
    expect(row).to.include({ ChargeCategory: 'Adjustment', PricingQuantity: null, PricingUnit: null, ConsumedQuantity: null, ConsumedUnit: null, SkuId: null, SkuMeter: null, x_IsUnattributed: true, BilledCost: -0.5 });
    expect(row.ChargeDescription).to.include('sms');
    expect(focusViolations(row)).to.deep.equal([]);
  });

  it('a category gone to zero (no quantity) is a zero Adjustment that overwrites the old row by key', () => {
    const row = toFocusRow(costRow({ price: 0, count: null, count_unit: null, usage: null, usage_unit: null }), accounts);
    expect(row).to.include({ ChargeCategory: 'Adjustment', BilledCost: 0, x_TwilioCategory: 'sms-outbound-longcode', x_IsUnattributed: false });
    expect(focusViolations(row)).to.deep.equal([]);
  });

  it("a subaccount's row names the subaccount and still bills to the main account", () => {
    const row = toFocusRow(costRow({ account_sid: SUB }), accounts);
    expect(row).to.include({ BillingAccountId: MAIN, SubAccountId: SUB, SubAccountName: 'Support', x_AccountSid: SUB });
    expect(focusViolations(row)).to.deep.equal([]);
  });

  it('classifies every product the hierarchy knows explicitly, into FOCUS allowed values only; an unknown one is Other', () => {
    const products = [...Object.keys(TWILIO_CURATION.products), OTHER_PRODUCT];
    for (const product of products) {
      expect(SERVICE_CLASSIFICATIONS, `a classification decided for ${product}`).to.have.property(product);
      const { category, subcategory } = classifyService(product);
      expect(SERVICE_SUBCATEGORIES[category], `${product}: ${category}`).to.include(subcategory);
    }
    for (const { category, subcategory } of Object.values(SERVICE_CLASSIFICATIONS)) expect(SERVICE_SUBCATEGORIES[category]).to.include(subcategory);
    expect(classifyService('A Product Twilio Launches Tomorrow')).to.deep.equal({ category: 'Other', subcategory: 'Other (Other)' });
  });

  it('writes units in FOCUS UnitFormat', () => {
    expect(['minutes', 'recorded-minutes', 'megabytes', 'usd', 'phonenumbers', 'Messages', '', null].map(focusUnit)).to.deep.equal([
      'Minutes',
      'Recorded Minutes',
      'MB',
      'USD',
      'Phone Numbers',
      'Messages',
      'Units',
      'Units',
    ]);
  });

  it('the rules catch a broken row (so an all-clear means something)', () => {
    const row: Record<string, unknown> = { ...toFocusRow(costRow({}), accounts) };
    row.ServiceCategory = 'Communications';
    row.PricingQuantity = null;
    row.Custom = 1;
    row.ChargePeriodEnd = row.ChargePeriodStart;
    const problems = focusViolations(row).join('\n');
    expect(problems).to.match(/ServiceCategory "Communications" is not an allowed value/);
    expect(problems).to.match(/PricingQuantity MUST NOT be null/);
    expect(problems).to.match(/custom column Custom MUST be prefixed with x_/);
    expect(problems).to.match(/ChargePeriodStart MUST be before/);
  });
});
