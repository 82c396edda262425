import { expect } from 'chai';

import { SecretRedactor } from '../../../source-twilio-costs/protocol/output';

describe('secret redaction of messages', () => {
  const redactor = new SecretRedactor();
  redactor.add(['hunter2-token']);

  it('hands back the very message when it holds no secret, copying nothing', () => {
    const message = { type: 'RECORD', record: { stream: 's', data: { a: 'x', list: ['y', { z: 1 }], none: null }, emitted_at: 1 } };
    expect(redactor.redactValue(message)).to.equal(message);
  });

  it('masks a secret in any string, array item or key, however deep, and leaves the original alone', () => {
    const message = { type: 'RECORD', record: { stream: 's', data: { a: 'sent hunter2-token', list: ['ok', { deep: ['hunter2-token!'] }], 'key-hunter2-token': 1 }, emitted_at: 1 } };
    const original = JSON.stringify(message);
    const redacted = redactor.redactValue(message);
    expect(redacted).to.deep.equal({ type: 'RECORD', record: { stream: 's', data: { a: 'sent **********', list: ['ok', { deep: ['**********!'] }], 'key-**********': 1 }, emitted_at: 1 } });
    expect(JSON.stringify(message)).to.equal(original);
  });
});
