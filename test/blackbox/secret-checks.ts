/**
 * What must never be printed, and what the HTTP layer may say of a request: the scans the secrets,
 * fault and bad-input tests run over every byte a connector run printed.
 */
import { expect } from 'chai';

import type { Dataset } from '../../tools/simulator/dataset';
import type { CliResult } from '../helpers/cli';
import type { Message } from '../helpers/protocol';
import { BAD_INPUT_SECRETS } from './bad-input-cases';

/** Shorter pieces of a secret than this are too likely to occur by chance in hex-heavy output. */
const SECRET_FRAGMENT = 8;
const BASIC_VALUE = /Basic\s+[A-Za-z0-9+/]{8,}={0,2}/;

export const basic = (user: string, password: string): string => Buffer.from(`${user}:${password}`).toString('base64');

/**
 * Everything that must never be printed: every auth token (subaccounts' too, which the connector
 * sees in /Accounts.json), every API key secret, and every Basic value made of them.
 */
function secretsOf(dataset: Dataset): { raw: string[]; basic: string[] } {
  const accounts = dataset.accounts.map((account) => [account.sid, account.authToken] as const);
  const keys = dataset.apiKeys.map((key) => [key.sid, key.secret] as const);
  const pairs = [...accounts, ...keys, ...[dataset.mainAccountSid, ...dataset.apiKeys.map((key) => key.sid)].flatMap((user) => Object.values(BAD_INPUT_SECRETS).map((secret) => [user, secret] as const))];
  return { raw: [...accounts, ...keys].map(([, secret]) => secret).concat(Object.values(BAD_INPUT_SECRETS)), basic: pairs.map(([user, password]) => basic(user, password)) };
}

/** Scans every byte of stdout and stderr: no secret, no piece of one, no Basic value at all. */
export function expectNoSecret(result: CliResult, dataset: Dataset): void {
  const output = `${result.stdout}\n${result.stderr}`;
  const { raw, basic: basicValues } = secretsOf(dataset);
  for (const secret of raw) {
    expect(output.includes(secret), `a secret in the output`).to.equal(false);
    for (let start = 0; start + SECRET_FRAGMENT <= secret.length; start++) {
      const fragment = secret.slice(start, start + SECRET_FRAGMENT);
      expect(output.includes(fragment), `a piece of a secret ("${fragment}…") in the output`).to.equal(false);
    }
  }
  for (const value of basicValues) expect(output.includes(value), 'a Basic Authorization value in the output').to.equal(false);
  expect(BASIC_VALUE.exec(output)?.[0], 'a Basic Authorization value in the output').to.equal(undefined);
}

/** The texts a user reads: log lines, error messages, connection statuses. */
function userFacingTexts(messages: readonly Message[]): string[] {
  const texts: string[] = [];
  for (const message of messages) {
    if (message.type === 'LOG') texts.push(String(message.log.message));
    if (message.type === 'CONNECTION_STATUS') texts.push(String(message.connectionStatus.message));
    if (message.type === 'TRACE' && message.trace.type === 'ERROR') texts.push(String(message.trace.error.message), String(message.trace.error.internal_message ?? ''));
  }
  return texts;
}

/**
 * What the HTTP layer may say of a request: method and path (never the query, never a header), then
 * the status and Twilio's code, or what went wrong on the wire in the client's own words.
 */
const HTTP_LAYER_MENTION = /GET (\S+) (answered HTTP \d{3}(?: \(Twilio error \d+\))?(?::[^)]*)?|failed: [^;).]*)/g;
const ALLOWED_HTTP_OUTCOME =
  /^(?:answered HTTP \d{3}(?: \(Twilio error \d+\))?(?:: (?:the response has no "\w+" list|refusing to send credentials to another origin \([^)\s]+))?|failed: (?:no answer within \d+ ms|connection error(?: [A-Z_]+)?|the response body was cut off \((?:no answer within \d+ ms|connection error(?: [A-Z_]+)?)|the response body is not JSON|the answer is larger than \d+ MiB decoded, this source's cap on one answer))$/;

export function expectHttpErrorsNameOnlyMethodPathStatusAndCode(messages: readonly Message[]): number {
  let mentions = 0;
  for (const text of userFacingTexts(messages)) {
    for (const [, path, outcome] of text.matchAll(HTTP_LAYER_MENTION)) {
      expect(path, `a path without a query in: ${text}`).to.match(/^\/2010-04-01\/[^?\s]*$/);
      expect(outcome, `what the HTTP layer says in: ${text}`).to.match(ALLOWED_HTTP_OUTCOME);
      mentions += 1;
    }
  }
  return mentions;
}
