/**
 * FOCUS 1.2 column rules, written down from the specification (FinOps-Open-Cost-and-Usage-Spec/
 * FOCUS_Spec, tag v1.2: specification/columns/*.md and the 1.2 normative requirements), for the
 * columns a Twilio dataset carries. Kept apart from the code under test so a test cannot pass by
 * sharing the mapping's own tables.
 */

export type FocusDataType = 'Decimal' | 'String' | 'Date/Time';

/** Every column FOCUS 1.2 defines; any other column must carry the x_ prefix. */
export const FOCUS_1_2_COLUMNS: ReadonlySet<string> = new Set([
  // Mandatory
  'BilledCost',
  'BillingAccountId',
  'BillingAccountName',
  'BillingCurrency',
  'BillingPeriodEnd',
  'BillingPeriodStart',
  'ChargeCategory',
  'ChargeClass',
  'ChargeDescription',
  'ChargePeriodEnd',
  'ChargePeriodStart',
  'ContractedCost',
  'EffectiveCost',
  'InvoiceIssuerName',
  'ListCost',
  'PricingQuantity',
  'PricingUnit',
  'ProviderName',
  'PublisherName',
  'ServiceCategory',
  'ServiceName',
  // Recommended
  'AvailabilityZone',
  'ChargeFrequency',
  'InvoiceId',
  'ServiceSubcategory',
  // Conditional
  'BillingAccountType',
  'CapacityReservationId',
  'CapacityReservationStatus',
  'CommitmentDiscountCategory',
  'CommitmentDiscountId',
  'CommitmentDiscountName',
  'CommitmentDiscountQuantity',
  'CommitmentDiscountStatus',
  'CommitmentDiscountType',
  'CommitmentDiscountUnit',
  'ConsumedQuantity',
  'ConsumedUnit',
  'ContractedUnitPrice',
  'ListUnitPrice',
  'PricingCategory',
  'PricingCurrency',
  'PricingCurrencyContractedUnitPrice',
  'PricingCurrencyEffectiveCost',
  'PricingCurrencyListUnitPrice',
  'RegionId',
  'RegionName',
  'ResourceId',
  'ResourceName',
  'ResourceType',
  'SkuId',
  'SkuMeter',
  'SkuPriceDetails',
  'SkuPriceId',
  'SubAccountId',
  'SubAccountName',
  'SubAccountType',
  'Tags',
]);

/** Columns that "MUST be present in a FOCUS dataset", with their data type. */
export const MANDATORY_COLUMNS: Readonly<Record<string, FocusDataType>> = {
  BilledCost: 'Decimal',
  BillingAccountId: 'String',
  BillingAccountName: 'String',
  BillingCurrency: 'String',
  BillingPeriodEnd: 'Date/Time',
  BillingPeriodStart: 'Date/Time',
  ChargeCategory: 'String',
  ChargeClass: 'String',
  ChargeDescription: 'String',
  ChargePeriodEnd: 'Date/Time',
  ChargePeriodStart: 'Date/Time',
  ContractedCost: 'Decimal',
  EffectiveCost: 'Decimal',
  InvoiceIssuerName: 'String',
  ListCost: 'Decimal',
  PricingQuantity: 'Decimal',
  PricingUnit: 'String',
  ProviderName: 'String',
  PublisherName: 'String',
  ServiceCategory: 'String',
  ServiceName: 'String',
};

/**
 * Conditional columns whose condition Twilio meets: it has subaccounts ("supports a sub account
 * construct") and measures usage ("supports the measurement of usage").
 */
export const CONDITIONAL_COLUMNS_TWILIO_MUST_HAVE: Readonly<Record<string, FocusDataType>> = {
  SubAccountId: 'String',
  SubAccountName: 'String',
  ConsumedQuantity: 'Decimal',
  ConsumedUnit: 'String',
};

/** The other FOCUS columns a row may carry, with their data type. */
export const OPTIONAL_COLUMNS: Readonly<Record<string, FocusDataType>> = {
  ChargeFrequency: 'String',
  InvoiceId: 'String',
  ServiceSubcategory: 'String',
  SkuId: 'String',
  SkuMeter: 'String',
};

export const CHARGE_CATEGORIES = ['Usage', 'Purchase', 'Tax', 'Credit', 'Adjustment'];
export const CHARGE_CLASSES = ['Correction'];
export const CHARGE_FREQUENCIES = ['One-Time', 'Recurring', 'Usage-Based'];

/** ServiceCategory allowed values, each with its allowed ServiceSubcategory values. */
export const SERVICE_SUBCATEGORIES: Readonly<Record<string, readonly string[]>> = {
  'AI and Machine Learning': ['Bots', 'Generative AI', 'Machine Learning', 'Natural Language Processing', 'Other (AI and Machine Learning)'],
  Analytics: ['Analytics Platform', 'Business Intelligence', 'Data Processing', 'Search', 'Streaming Analytics', 'Other (Analytics)'],
  'Business Applications': ['Other (Business Applications)'],
  Compute: ['Containers', 'End User Computing', 'Quantum', 'Serverless Compute', 'Virtual Machines', 'Other (Compute)'],
  Databases: ['Caching', 'Data Warehouse', 'Ledger', 'NoSQL', 'Relational', 'Time Series', 'Other (Databases)'],
  'Developer Tools': ['Other (Developer Tools)'],
  Identity: ['Other (Identity)'],
  Integration: ['API Management', 'Messaging', 'Workflow Automation', 'Other (Integration)'],
  'Internet of Things': ['Other (Internet of Things)'],
  'Management and Governance': ['Administration', 'Architecture', 'Compliance', 'Cost Management', 'Data Governance', 'Disaster Recovery', 'Observability', 'Support', 'Other (Management and Governance)'],
  Media: ['Other (Media)'],
  Migration: ['Other (Migration)'],
  Mobile: ['Other (Mobile)'],
  Multicloud: ['Other (Multicloud)'],
  Networking: ['Content Delivery', 'Data Transfer', 'Load Balancing', 'Network Management', 'Network Security', 'Other (Networking)'],
  Security: ['CSPM', 'Credentials', 'SIEM', 'Threat Detection', 'Other (Security)'],
  Storage: ['Backups', 'Bulk Transfer', 'Disk', 'Files', 'Object Storage', 'Other (Storage)'],
  Web: ['Other (Web)'],
  Other: ['Other (Other)'],
};

/** Date/Time Format: UTC, ISO 8601 extended, YYYY-MM-DDTHH:mm:ssZ. */
export const DATE_TIME_PATTERN = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

/** Currency Code Format: an ISO 4217 alphabetic code. */
export const CURRENCY_CODE_PATTERN = /^[A-Z]{3}$/;

export type FocusRow = Record<string, unknown>;

function hasType(value: unknown, type: FocusDataType): boolean {
  if (type === 'Decimal') return typeof value === 'number' && Number.isFinite(value);
  if (type === 'Date/Time') return typeof value === 'string' && DATE_TIME_PATTERN.test(value) && !Number.isNaN(Date.parse(value));
  return typeof value === 'string';
}

/**
 * Every FOCUS 1.2 rule one row breaks, as readable sentences (empty when it keeps them all). A
 * dataset without commitment discounts, prices or corrections is assumed, as Twilio's usage is.
 */
export function focusViolations(row: FocusRow): string[] {
  const problems: string[] = [];
  const fail = (text: string): void => {
    problems.push(text);
  };
  const isNull = (column: string): boolean => row[column] === null;

  // Presence and data type.
  const typed = { ...MANDATORY_COLUMNS, ...CONDITIONAL_COLUMNS_TWILIO_MUST_HAVE, ...OPTIONAL_COLUMNS };
  for (const column of [...Object.keys(MANDATORY_COLUMNS), ...Object.keys(CONDITIONAL_COLUMNS_TWILIO_MUST_HAVE)]) {
    if (!(column in row)) fail(`${column} MUST be present`);
  }
  for (const [column, type] of Object.entries(typed)) {
    if (column in row && !isNull(column) && !hasType(row[column], type)) fail(`${column} MUST be of type ${type}, got ${JSON.stringify(row[column])}`);
  }
  // Custom columns.
  for (const column of Object.keys(row)) if (!FOCUS_1_2_COLUMNS.has(column) && !column.startsWith('x_')) fail(`custom column ${column} MUST be prefixed with x_`);

  // Columns that MUST NOT be null.
  const notNull = [
    'BilledCost',
    'BillingAccountId',
    'BillingCurrency',
    'BillingPeriodEnd',
    'BillingPeriodStart',
    'ChargeCategory',
    'ChargePeriodEnd',
    'ChargePeriodStart',
    'ContractedCost',
    'EffectiveCost',
    'InvoiceIssuerName',
    'ListCost',
    'ProviderName',
    'PublisherName',
    'ServiceCategory',
    'ServiceName',
  ];
  if ('ChargeFrequency' in row) notNull.push('ChargeFrequency');
  if ('ServiceSubcategory' in row) notNull.push('ServiceSubcategory');
  for (const column of notNull) if (isNull(column) || row[column] === undefined) fail(`${column} MUST NOT be null`);
  // Twilio names its accounts, so the billing account name MUST NOT be null.
  if (isNull('BillingAccountName')) fail('BillingAccountName MUST NOT be null when the provider supports display names');
  if (isNull('ChargeDescription')) fail('ChargeDescription SHOULD NOT be null');

  // Allowed values.
  const category = row.ChargeCategory as string;
  if (!CHARGE_CATEGORIES.includes(category)) fail(`ChargeCategory ${JSON.stringify(category)} is not an allowed value`);
  if (!isNull('ChargeClass') && !CHARGE_CLASSES.includes(row.ChargeClass as string)) fail('ChargeClass MUST be "Correction" when not null');
  if ('ChargeFrequency' in row && !CHARGE_FREQUENCIES.includes(row.ChargeFrequency as string)) fail('ChargeFrequency is not an allowed value');
  if (row.ChargeFrequency === 'Usage-Based' && category === 'Purchase') fail('ChargeFrequency MUST NOT be "Usage-Based" when ChargeCategory is "Purchase"');
  const subcategories = SERVICE_SUBCATEGORIES[row.ServiceCategory as string];
  if (!subcategories) fail(`ServiceCategory ${JSON.stringify(row.ServiceCategory)} is not an allowed value`);
  if ('ServiceSubcategory' in row && !subcategories?.includes(row.ServiceSubcategory as string)) {
    fail(`ServiceSubcategory ${JSON.stringify(row.ServiceSubcategory)} is not an allowed value under ${JSON.stringify(row.ServiceCategory)}`);
  }
  if (typeof row.BillingCurrency === 'string' && !CURRENCY_CODE_PATTERN.test(row.BillingCurrency)) fail('BillingCurrency MUST conform to Currency Code Format');

  // Periods: starts inclusive, ends exclusive, so a start lies before its end.
  const time = (column: string): number => Date.parse(String(row[column]));
  if (!(time('ChargePeriodStart') < time('ChargePeriodEnd'))) fail('ChargePeriodStart MUST be before the exclusive ChargePeriodEnd');
  if (!(time('BillingPeriodStart') < time('BillingPeriodEnd'))) fail('BillingPeriodStart MUST be before the exclusive BillingPeriodEnd');

  // Nullability that depends on ChargeCategory and ChargeClass.
  const correction = row.ChargeClass === 'Correction';
  const usageOrPurchase = (category === 'Usage' || category === 'Purchase') && !correction;
  for (const column of ['PricingQuantity', 'PricingUnit', 'SkuId'].filter((name) => name in row)) {
    if (category === 'Tax' && !isNull(column)) fail(`${column} MUST be null when ChargeCategory is "Tax"`);
    if (usageOrPurchase && isNull(column)) fail(`${column} MUST NOT be null when ChargeCategory is "${category}" and ChargeClass is not "Correction"`);
  }
  if (isNull('PricingQuantity') !== isNull('PricingUnit')) fail('PricingUnit MUST be null exactly when PricingQuantity is null');
  for (const column of ['ConsumedQuantity', 'ConsumedUnit']) {
    if (category !== 'Usage' && !isNull(column)) fail(`${column} MUST be null when ChargeCategory is not "Usage"`);
    if (category === 'Usage' && !correction && isNull(column)) fail(`${column} MUST NOT be null when ChargeCategory is "Usage" and ChargeClass is not "Correction"`);
  }
  if ('SkuMeter' in row) {
    if (isNull('SkuId') && !isNull('SkuMeter')) fail('SkuMeter MUST be null when SkuId is null');
    if (!isNull('SkuId') && isNull('SkuMeter')) fail('SkuMeter SHOULD NOT be null when SkuId is not null');
  }
  if (isNull('SubAccountId') !== isNull('SubAccountName')) fail('SubAccountName MUST be null exactly when SubAccountId is null');

  // Costs of a charge unrelated to other charges (not Usage or Purchase, no unit prices) MUST match BilledCost.
  if (!usageOrPurchase && category !== 'Tax') {
    for (const column of ['EffectiveCost', 'ListCost', 'ContractedCost']) if (row[column] !== row.BilledCost) fail(`${column} MUST match BilledCost on a ${category} charge`);
  }
  return problems;
}
