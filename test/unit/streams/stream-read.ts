import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { expect } from 'chai';

import type { Logger } from '../../../source-twilio-costs/protocol/logger';
import type { JsonObject, SyncMode } from '../../../source-twilio-costs/protocol/messages';
import type { Stream, StreamEvent } from '../../../source-twilio-costs/protocol/stream';

/** Every event of one read of a stream. */
export async function readEvents<TRecord extends object>(stream: Stream<TRecord>, logger: Logger, syncMode: SyncMode = 'full_refresh', state?: JsonObject): Promise<Array<StreamEvent<TRecord>>> {
  const events: Array<StreamEvent<TRecord>> = [];
  for await (const event of stream.read({ syncMode, state, logger })) events.push(event);
  return events;
}

/** The records of a read, each checked against the stream's own JSON schema. */
export function schemaCheckedRecords<TRecord extends object>(stream: Stream<TRecord>, events: ReadonlyArray<StreamEvent<TRecord>>): TRecord[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(stream.jsonSchema);
  return events.flatMap((event) => {
    if (event.kind !== 'record') return [];
    expect(validate(event.data), `${stream.name} record ${JSON.stringify(event.data)}: ${JSON.stringify(validate.errors)}`).to.equal(true);
    return [event.data];
  });
}
