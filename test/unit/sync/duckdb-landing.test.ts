import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import type { DuckDBValue } from '@duckdb/node-api';
import { expect } from 'chai';

import { type Column, DECIMAL_TYPE } from '../../../source-twilio-costs/sync/columns';
import { DuckDbLanding, type LandingTable, STATE_TABLE } from '../../../source-twilio-costs/sync/duckdb-landing';
import { SyncError } from '../../../source-twilio-costs/sync/errors';
import { queryDuckDb } from '../../helpers/duckdb-query';

/** The landing, imported directly: tables from stream columns, upserts by primary key, and states landed with their rows. */
const KEY_COLUMNS: readonly Column[] = [
  { name: 'category', type: 'VARCHAR' },
  { name: 'day', type: 'DATE' },
];
const COSTS: LandingTable = { name: 'costs', columns: [...KEY_COLUMNS, { name: 'price', type: DECIMAL_TYPE }], primaryKey: ['category', 'day'] };

describe('sync: the DuckDB landing', () => {
  let dir: string;
  let databasePath: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'twilio-costs-landing-test-'));
    databasePath = path.join(dir, 'costs.duckdb');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const query = (sql: string): Promise<DuckDBValue[][]> => queryDuckDb(databasePath, sql);

  it('upserts rows by primary key with the state that covers them, and gives the state back on the next open', async () => {
    const landing = await DuckDbLanding.open(databasePath);
    await landing.prepare(COSTS);
    await landing.commit(
      COSTS,
      [
        ['sms', '2026-11-01', '0.000000001'],
        ['calls', '2026-11-01', '2.5'],
      ],
      { state: { cursor: '2026-11-01' } },
    );
    await landing.commit(
      COSTS,
      [
        ['sms', '2026-11-01', '1.25'],
        ['sms', '2026-11-02', '3'],
      ],
      { state: { cursor: '2026-11-02' } },
    );
    await landing.close();

    expect(await query('SELECT category, day::VARCHAR, price::VARCHAR FROM costs ORDER BY ALL')).to.deep.equal([
      ['calls', '2026-11-01', '2.500000000'],
      ['sms', '2026-11-01', '1.250000000'],
      ['sms', '2026-11-02', '3.000000000'],
    ]);
    const reopened = await DuckDbLanding.open(databasePath);
    try {
      expect(Object.fromEntries(await reopened.savedStates(['costs', 'other']))).to.deep.equal({ costs: { cursor: '2026-11-02' } });
    } finally {
      await reopened.close();
    }
  });

  it('replaces the whole table for a full refresh', async () => {
    const landing = await DuckDbLanding.open(databasePath);
    await landing.prepare(COSTS);
    await landing.commit(
      COSTS,
      [
        ['sms', '2026-11-01', '1'],
        ['calls', '2026-11-01', '2'],
      ],
      {},
    );
    await landing.commit(COSTS, [['mms', '2026-11-03', '4']], { replaceAll: true });
    await landing.close();
    expect(await query('SELECT category FROM costs')).to.deep.equal([['mms']]);
  });

  it('adds a column a newer schema declares, and refuses one whose type changed, naming it', async () => {
    const first = await DuckDbLanding.open(databasePath);
    await first.prepare(COSTS);
    await first.close();
    const widened = await DuckDbLanding.open(databasePath);
    await widened.prepare({ ...COSTS, columns: [...COSTS.columns, { name: 'unit', type: 'VARCHAR' }] });
    let failure: unknown;
    await widened.prepare({ ...COSTS, columns: [...KEY_COLUMNS, { name: 'price', type: 'VARCHAR' }] }).catch((error: unknown) => (failure = error));
    await widened.close();
    expect(failure)
      .to.be.instanceOf(SyncError)
      .with.property('message')
      .that.matches(/column price .*VARCHAR/);
    expect((await query("SELECT column_name FROM information_schema.columns WHERE table_name = 'costs' ORDER BY ordinal_position")).map(([name]) => name)).to.deep.equal(['category', 'day', 'price', 'unit']);
  });

  it(`names a ${STATE_TABLE} row that is not JSON, and how to reset it`, async () => {
    const landing = await DuckDbLanding.open(databasePath);
    await landing.close();
    await query(`INSERT INTO ${STATE_TABLE} VALUES ('costs', 'not json', now())`);
    const reopened = await DuckDbLanding.open(databasePath);
    let failure: unknown;
    await reopened.savedStates(['costs']).catch((error: unknown) => (failure = error));
    await reopened.close();
    expect(failure)
      .to.be.instanceOf(SyncError)
      .with.property('message')
      .that.matches(/stream costs .*\(DELETE FROM _airbyte_state WHERE stream = 'costs'\)/);
  });
});
