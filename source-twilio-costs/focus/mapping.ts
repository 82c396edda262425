/**
 * One usage_costs row as one FOCUS 1.2 row (FinOps Open Cost and Usage Specification), so Twilio
 * spend sits in the same table shape as every other provider's. Pure: no I/O, no clock.
 *
 * Costs are the usage_costs price, unchanged, in all four cost columns: a FOCUS query over
 * BilledCost reconciles to Twilio's totalprice exactly as usage_costs does.
 */
import { addDays, type Day, lastOfMonth } from '../dates';
import type { FocusCostsRecord, UsageCostsRecord } from '../generated/types';

/** Provider, publisher and invoice issuer: Twilio sells, builds and invoices its own services. */
export const TWILIO = 'Twilio';

export type ServiceCategory = FocusCostsRecord['ServiceCategory'];

export interface ServiceClassification {
  category: ServiceCategory;
  /** One of FOCUS's allowed subcategories of `category`. */
  subcategory: string;
}

const OTHER_SERVICE: ServiceClassification = { category: 'Other', subcategory: 'Other (Other)' };

/**
 * FOCUS has no "Communications" category, so each Twilio product family gets the allowed category
 * its primary purpose fits best: phone and SIP connectivity is Networking, messaging to handsets
 * is Mobile, video is Media. A product not listed here (a new one) is Other, never an invented value.
 */
export const SERVICE_CLASSIFICATIONS: Readonly<Record<string, ServiceClassification>> = {
  Messaging: { category: 'Mobile', subcategory: 'Other (Mobile)' },
  Conversations: { category: 'Mobile', subcategory: 'Other (Mobile)' },
  Notify: { category: 'Mobile', subcategory: 'Other (Mobile)' },
  Voice: { category: 'Networking', subcategory: 'Other (Networking)' },
  'Elastic SIP Trunking': { category: 'Networking', subcategory: 'Other (Networking)' },
  Interconnect: { category: 'Networking', subcategory: 'Other (Networking)' },
  'Phone Numbers': { category: 'Networking', subcategory: 'Other (Networking)' },
  Fax: { category: 'Networking', subcategory: 'Other (Networking)' },
  Proxy: { category: 'Networking', subcategory: 'Other (Networking)' },
  Wireless: { category: 'Internet of Things', subcategory: 'Other (Internet of Things)' },
  Video: { category: 'Media', subcategory: 'Other (Media)' },
  Email: { category: 'Web', subcategory: 'Other (Web)' },
  Lookup: { category: 'Identity', subcategory: 'Other (Identity)' },
  Verify: { category: 'Identity', subcategory: 'Other (Identity)' },
  Flex: { category: 'Business Applications', subcategory: 'Other (Business Applications)' },
  Frontline: { category: 'Business Applications', subcategory: 'Other (Business Applications)' },
  'Voice Intelligence': { category: 'AI and Machine Learning', subcategory: 'Natural Language Processing' },
  AI: { category: 'AI and Machine Learning', subcategory: 'Bots' },
  Serverless: { category: 'Compute', subcategory: 'Serverless Compute' },
  Sync: { category: 'Integration', subcategory: 'Other (Integration)' },
  TaskRouter: { category: 'Integration', subcategory: 'Workflow Automation' },
  Studio: { category: 'Integration', subcategory: 'Workflow Automation' },
  'Event Streams': { category: 'Integration', subcategory: 'Messaging' },
  Monitor: { category: 'Management and Governance', subcategory: 'Observability' },
  'Support and Services': { category: 'Management and Governance', subcategory: 'Support' },
  Marketplace: OTHER_SERVICE,
  Account: OTHER_SERVICE,
  Other: OTHER_SERVICE,
};

export function classifyService(product: string): ServiceClassification {
  return SERVICE_CLASSIFICATIONS[product] ?? OTHER_SERVICE;
}

/** Units FOCUS's UnitFormat spells differently from Twilio; the rest become capitalised nouns. */
const UNIT_SPELLINGS: Readonly<Record<string, string>> = {
  bytes: 'B',
  kilobytes: 'KB',
  megabytes: 'MB',
  gigabytes: 'GB',
  usd: 'USD',
  phonenumbers: 'Phone Numbers',
};

/** A quantity with no unit Twilio named is still a count of something. */
const UNNAMED_UNIT = 'Units';

/** Twilio's unit ("minutes", "recorded-minutes", "megabytes") in FOCUS UnitFormat ("Minutes", "Recorded Minutes", "MB"). */
export function focusUnit(twilioUnit: string | null | undefined): string {
  const unit = (twilioUnit ?? '').trim().toLowerCase();
  if (unit === '') return UNNAMED_UNIT;
  return (
    UNIT_SPELLINGS[unit] ??
    unit
      .split(/[-_\s]+/)
      .filter((word) => word !== '')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(' ')
  );
}

/** The billing account every row belongs to, and the names of the accounts rows come from. */
export interface BillingAccounts {
  /** The main account SID: Twilio bills all subaccount usage to the main account. */
  billingAccountId: string;
  billingAccountName: string;
  /** A subaccount's display name. */
  subAccountName(sid: string): string;
}

/** FOCUS Date/Time: UTC, ISO 8601 extended, to the second. */
const midnight = (day: Day): string => `${day}T00:00:00Z`;

function chargeDescription(row: UsageCostsRecord, service: string, isUsage: boolean, unit: string): string {
  if (row.category === 'subaccounts:unattributed') return `${TWILIO} usage of subaccounts not read on their own (closed, filtered out or unreadable)`;
  if (row.category === 'unattributed') return `${TWILIO} charges in totalprice that no usage category explains`;
  if (row.is_unattributed) return `${TWILIO} ${service} charges under ${row.parent_category ?? row.category} that none of its categories explains`;
  if (!isUsage) return `${TWILIO} ${service} ${row.category}: ${row.price === 0 ? 'no usage reported for this day' : 'charged with no reported quantity'}`;
  return `${TWILIO} ${service} ${row.category}: ${row.usage} ${unit}`;
}

/**
 * The FOCUS row of one usage_costs row. A row with a billed quantity is Usage; a row without one
 * (an unattributed residual, or a category that dropped to zero) is an Adjustment, the only
 * category FOCUS lets go without a quantity, unit and SKU.
 */
export function toFocusRow(row: UsageCostsRecord, accounts: BillingAccounts): FocusCostsRecord {
  const service = classifyService(row.product);
  const isUsage = !row.is_unattributed && row.usage !== null && row.usage !== undefined;
  const unit = focusUnit(row.usage_unit);
  const quantity = isUsage ? (row.usage as number) : null;
  const isSubaccount = row.account_sid !== accounts.billingAccountId;
  return {
    BilledCost: row.price,
    BillingAccountId: accounts.billingAccountId,
    BillingAccountName: accounts.billingAccountName,
    BillingCurrency: row.price_unit.toUpperCase(),
    BillingPeriodStart: midnight(`${row.start_date.slice(0, 7)}-01`),
    BillingPeriodEnd: midnight(addDays(lastOfMonth(row.start_date), 1)),
    ChargeCategory: isUsage ? 'Usage' : 'Adjustment',
    ChargeClass: null,
    ChargeDescription: chargeDescription(row, row.product, isUsage, unit),
    ChargeFrequency: 'Usage-Based',
    ChargePeriodStart: midnight(row.start_date),
    // Twilio's end_date is the last day included; FOCUS ends are exclusive.
    ChargePeriodEnd: midnight(addDays(row.end_date, 1)),
    ConsumedQuantity: quantity,
    ConsumedUnit: isUsage ? unit : null,
    ContractedCost: row.price,
    EffectiveCost: row.price,
    InvoiceId: null,
    InvoiceIssuerName: TWILIO,
    ListCost: row.price,
    PricingQuantity: quantity,
    PricingUnit: isUsage ? unit : null,
    ProviderName: TWILIO,
    PublisherName: TWILIO,
    ServiceCategory: service.category,
    ServiceName: row.product,
    ServiceSubcategory: service.subcategory,
    SkuId: isUsage ? row.category : null,
    SkuMeter: isUsage ? `${row.product}: ${unit}` : null,
    SubAccountId: isSubaccount ? row.account_sid : null,
    SubAccountName: isSubaccount ? accounts.subAccountName(row.account_sid) : null,
    x_AccountSid: row.account_sid,
    x_TwilioCategory: row.category,
    x_TwilioParentCategory: row.parent_category ?? null,
    x_IsUnattributed: row.is_unattributed,
    x_Count: row.count ?? null,
    x_CountUnit: row.count_unit ?? null,
  };
}
