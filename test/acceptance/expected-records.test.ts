import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { expect } from 'chai';

import { CLI_TEST_TIMEOUT_MS } from '../helpers/cli';
import { firstTest, loadAcceptanceConfig, ROOT } from './harness';

describe('acceptance: integration_tests/expected_records.jsonl', function () {
  this.timeout(CLI_TEST_TIMEOUT_MS);

  it('is exactly what scripts/expected-records.js generates from the simulator (regenerate it when streams or records change)', () => {
    const committed = firstTest(loadAcceptanceConfig().acceptance_tests.basic_read).expect_records?.path as string;
    const dir = mkdtempSync(path.join(tmpdir(), 'expected-records-'));
    try {
      const out = path.join(dir, 'expected_records.jsonl');
      const result = spawnSync(process.execPath, [path.join(ROOT, 'scripts/expected-records.js'), '--out', out], { encoding: 'utf8' });
      expect(result.status, result.stderr).to.equal(0);
      const generated = readFileSync(out, 'utf8').split('\n');
      const file = readFileSync(path.join(ROOT, committed), 'utf8').split('\n');
      const firstDifference = generated.findIndex((line, index) => line !== file[index]);
      const shown = (line: string | undefined): string => (line ?? '(none)').slice(0, 240);
      expect(
        firstDifference,
        `line ${firstDifference + 1} differs\n  file:      ${shown(file[firstDifference])}\n  generated: ${shown(generated[firstDifference])}\nIf the records are meant to change, run: npm run build && node scripts/expected-records.js`,
      ).to.equal(-1);
      expect(generated.length, 'as many lines').to.equal(file.length);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
