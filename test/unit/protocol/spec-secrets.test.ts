import { expect } from 'chai';

import type { ConnectorSpecification } from '../../../source-twilio-costs/protocol/messages';
import { secretsOfRawConfig } from '../../../source-twilio-costs/protocol/spec-secrets';

const spec = {
  connectionSpecification: {
    type: 'object',
    properties: {
      name: { type: 'string' },
      credentials: {
        oneOf: [{ properties: { kind: { const: 'key' }, key_secret: { type: 'string', airbyte_secret: true } } }, { properties: { kind: { const: 'token' }, token: { type: 'string', airbyte_secret: true } } }],
      },
    },
  },
} as unknown as ConnectorSpecification;

describe('protocol: the secrets of a raw config, before it is validated', () => {
  it('takes every field the spec marks secret, in any branch, wherever the config puts it', () => {
    const raw = { name: 'not secret', credentials: { kind: 'token', token: 'tok-1', key_secret: 'key-2' }, misplaced: [{ token: 'tok-3' }] };
    expect(secretsOfRawConfig(spec, raw).sort()).to.deep.equal(['key-2', 'tok-1', 'tok-3']);
  });

  it('takes nothing from a config that is not an object, and no field that is not text', () => {
    expect(secretsOfRawConfig(spec, ['tok-1'])).to.deep.equal([]);
    expect(secretsOfRawConfig(spec, { credentials: { token: 12345678 } })).to.deep.equal([]);
  });
});
