import type { Hierarchy } from '../costs/hierarchy';
import type { UsageCategoriesRecord } from '../generated/types';
import type { Stream, StreamEvent } from '../protocol/stream';
import { loadStreamSchema } from './schemas';
import type { UsedPlacements } from './usage-costs';

/**
 * Every category the connector knows, with its parent, product and whether it is a rollup: a
 * dimension table to group usage_records and usage_costs by in BI tools. Needs no API call. It
 * reports on the usage_costs read of the same sync, when there is one: read after it, it shows the
 * placement usage_costs actually used (by the numbers, where they moved a category) instead of the
 * curated or name placement, and the categories it met that the table does not know.
 */
export class UsageCategoriesStream implements Stream<UsageCategoriesRecord> {
  readonly name = 'usage_categories';
  readonly primaryKey = [['category']];
  readonly jsonSchema = loadStreamSchema(this.name);
  /** It reports the placements usage_costs used in the same read: read after it, and failed with it. */
  readonly dependsOn = ['usage_costs'];

  constructor(
    private readonly hierarchy: Hierarchy,
    private readonly used: UsedPlacements,
  ) {}

  async *read(): AsyncGenerator<StreamEvent<UsageCategoriesRecord>> {
    const known = this.hierarchy.knownPlacements();
    const knownNames = new Set(known.map((placement) => placement.category));
    // Categories Twilio reported that the table does not know yet: listed too, never lost.
    const seen = this.hierarchy.withCategories(this.used.categories().filter((category) => !knownNames.has(category)));
    const placements = [
      ...known,
      ...this.used
        .categories()
        .filter((category) => !knownNames.has(category))
        .sort()
        .map((category) => seen.placementOf(category)),
    ];
    for (const placement of placements) {
      const used = this.used.of(placement.category);
      // Spelled as Twilio sent them to usage_costs, so the table joins usage_records and usage_costs.
      const { spellings } = this.used;
      const record: UsageCategoriesRecord = {
        category: spellings.spell(placement.category),
        parent_category: spellings.spell(used ? used.parentCategory : placement.parentCategory),
        product: placement.product,
        is_rollup: placement.isRollup || this.used.isParent(placement.category),
        placement: used ? used.placement : placement.placement,
      };
      yield { kind: 'record', data: record };
    }
    yield { kind: 'checkpoint', state: { __ab_no_cursor_state_message: true } };
  }
}
