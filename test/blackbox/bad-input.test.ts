import { readFileSync } from 'node:fs';
import path from 'node:path';

import { expect } from 'chai';

import { generateDataset } from '../../tools/simulator/dataset';
import { type RunningSimulator, startSimulator } from '../../tools/simulator/server';
import { CLI_TEST_TIMEOUT_MS, type CliResult } from '../helpers/cli';
import { ofType, traceErrors } from '../helpers/protocol';
import { BAD_INPUT_CASES, type BadInputCase, runBadInputCase, validInput } from './bad-input-cases';
import { runLimited } from './fault-scenarios';
import { expectNoStackTraceOutsideStackTraceFields } from './read-checks';
import { expectHttpErrorsNameOnlyMethodPathStatusAndCode, expectNoSecret } from './secret-checks';

function expectAnswer(badCase: BadInputCase, result: CliResult): void {
  const { answer } = badCase;
  if (answer.type === 'CONNECTION_STATUS') {
    const statuses = ofType(result.messages, 'CONNECTION_STATUS');
    expect(statuses, 'one CONNECTION_STATUS').to.have.length(1);
    expect(statuses[0]?.connectionStatus.status).to.equal(answer.status);
    expect(statuses[0]?.connectionStatus.message).to.match(answer.message);
    expect(traceErrors(result.messages)).to.deep.equal([]);
  } else {
    const errors = traceErrors(result.messages);
    expect(errors, 'one TRACE ERROR').to.have.length(1);
    const error = errors[0]?.trace.error;
    expect(error.failure_type).to.equal(answer.failureType);
    expect(error.message).to.match(answer.message);
    expect(error.stream_descriptor?.name).to.equal(answer.stream);
    // A config error is the user's to fix: its message is the whole story.
    if (answer.failureType === 'config_error') expect(error).not.to.have.property('stack_trace');
    expect(ofType(result.messages, 'CONNECTION_STATUS')).to.deep.equal([]);
  }
}

describe('black box: bad input', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);
  let simulator: RunningSimulator;
  let results: Array<Promise<CliResult>> | undefined;
  const resultOf = (index: number): Promise<CliResult> => {
    const valid = validInput(simulator.dataset);
    results ??= runLimited(
      4,
      BAD_INPUT_CASES.map((badCase) => () => runBadInputCase(badCase, valid, simulator.baseUrl)),
    );
    return results[index] as Promise<CliResult>;
  };
  before(async () => {
    simulator = await startSimulator({ dataset: generateDataset({ seed: 6200, startDate: '2026-09-01', endDate: '2026-10-31', subaccounts: 1 }) });
  });
  after(() => simulator.close());

  it('has at least 25 cases, each about a different problem', () => {
    expect(BAD_INPUT_CASES.length).to.be.at.least(25);
    expect(new Set(BAD_INPUT_CASES.map((badCase) => badCase.problem)).size).to.equal(BAD_INPUT_CASES.length);
  });

  BAD_INPUT_CASES.forEach((badCase, index) => {
    const { answer } = badCase;
    const expected = answer.type === 'CONNECTION_STATUS' ? `CONNECTION_STATUS ${answer.status}` : `a ${answer.failureType} TRACE`;
    it(`${badCase.problem}: ${badCase.command} answers ${expected} naming it, exit ${badCase.exitCode}, no stack trace, no state`, async () => {
      const result = await resultOf(index);
      expectAnswer(badCase, result);
      expect(result.exitCode).to.equal(badCase.exitCode);
      if (badCase.warning) {
        const warnings = ofType(result.messages, 'LOG')
          .filter((message) => message.log.level === 'WARN')
          .map((message) => String(message.log.message));
        expect(
          warnings.some((warning) => badCase.warning?.test(warning)),
          `a WARN matching ${String(badCase.warning)} in ${JSON.stringify(warnings)}`,
        ).to.equal(true);
      }
      expect(result.stderr).to.equal('');
      expectNoStackTraceOutsideStackTraceFields(result.messages, result.stderr);
      // Nothing was read, and no state goes out that could replace the one the platform keeps.
      expect(ofType(result.messages, 'RECORD')).to.deep.equal([]);
      expect(ofType(result.messages, 'STATE')).to.deep.equal([]);
    });
  });

  BAD_INPUT_CASES.forEach((badCase, index) => {
    it(`${badCase.problem}: no secret in stdout or stderr`, async () => {
      const result = await resultOf(index);
      expect(result.messages.length, 'the case answered').to.be.greaterThan(0);
      expectNoSecret(result, simulator.dataset);
      expectHttpErrorsNameOnlyMethodPathStatusAndCode(result.messages);
    });
  });

  it("every case has a row in the README's troubleshooting table", () => {
    const readme = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');
    const section = /\n## Errors and troubleshooting\n([\s\S]*?)(?:\n## |$)/.exec(readme)?.[1] ?? '';
    const rows = section.split('\n').filter((line) => line.startsWith('| '));
    for (const badCase of BAD_INPUT_CASES) {
      expect(
        rows.some((row) => row.startsWith(`| ${badCase.problem} |`)),
        `a README row for "${badCase.problem}"`,
      ).to.equal(true);
    }
  });
});
