import type { Hierarchy } from '../costs/hierarchy';
import type { UsageCategoriesRecord } from '../generated/types';
import type { JsonObject } from '../protocol/messages';
import type { Stream, StreamEvent } from '../protocol/stream';
import { loadStreamSchema } from './schemas';

/**
 * Every category the connector knows, with its parent, product and whether it is a rollup: a
 * dimension table to group usage_records and usage_costs by in BI tools. Needs no API call.
 */
export class UsageCategoriesStream implements Stream {
  readonly name = 'usage_categories';
  readonly primaryKey = [['category']];
  readonly jsonSchema = loadStreamSchema(this.name);

  constructor(private readonly hierarchy: Hierarchy) {}

  async *read(): AsyncGenerator<StreamEvent> {
    for (const placement of this.hierarchy.knownPlacements()) {
      const record: UsageCategoriesRecord = {
        category: placement.category,
        parent_category: placement.parentCategory,
        product: placement.product,
        is_rollup: placement.isRollup,
        placement: placement.placement,
      };
      yield { kind: 'record', data: record as JsonObject };
    }
    yield { kind: 'checkpoint', state: { __ab_no_cursor_state_message: true } };
  }
}
