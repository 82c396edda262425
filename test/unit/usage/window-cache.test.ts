import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { expect } from 'chai';

import { type CachedWindow, FetchedWindowCache } from '../../../source-twilio-costs/usage/window-cache';

const WINDOW: Omit<CachedWindow, 'chunks' | 'keptFor'> = { listed: new Map([['sms', ['sms']]]), active: new Set(['sms']), stored: new Set(['sms']) };
const ROWS = new Map([['sms', [['2026-10-01', '1.5']]]]);

describe('window cache: a TMPDIR it cannot write to', () => {
  let scratch: string;
  let savedTmpdir: string | undefined;

  beforeEach(() => {
    scratch = mkdtempSync(path.join(tmpdir(), 'fetched-windows-test-'));
    savedTmpdir = process.env.TMPDIR;
  });
  afterEach(() => {
    if (savedTmpdir === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmpdir;
    rmSync(scratch, { recursive: true, force: true });
  });

  for (const [problem, makeTmpdir] of [
    ['missing', (dir: string): string => path.join(dir, 'missing')],
    [
      'a file, not a directory',
      (dir: string): string => {
        const file = path.join(dir, 'file');
        writeFileSync(file, '');
        return file;
      },
    ],
  ] as const) {
    it(`gives up caching when TMPDIR is ${problem}: writes do not fail, waiters and later readers go to Twilio, one warning`, async () => {
      const warnings: string[] = [];
      const cache = new FetchedWindowCache(1024 * 1024, (message) => warnings.push(message));
      const written = cache.reserve('AC1|false|2026-10-01|2026-10-31', 'chunks');
      const alongside = cache.reserve('AC2|false|2026-10-01|2026-10-31', 'chunks');
      const waiting = cache.find('AC1|false|2026-10-01|2026-10-31');
      const waitingAlongside = cache.find('AC2|false|2026-10-01|2026-10-31');
      process.env.TMPDIR = makeTmpdir(scratch);

      await written?.append(ROWS);
      written?.endChunk({ from: '2026-10-01', to: '2026-10-31' });
      written?.complete(WINDOW);
      expect(await waiting, 'the window being written is abandoned').to.equal(undefined);
      expect(await waitingAlongside, 'so is every other window being written').to.equal(undefined);
      await alongside?.append(ROWS);
      alongside?.complete(WINDOW);
      expect(cache.find('AC2|false|2026-10-01|2026-10-31'), 'completing an abandoned window publishes nothing').to.equal(undefined);
      expect(cache.reserve('AC3|false|2026-10-01|2026-10-31', 'chunks'), 'nothing more is reserved').to.equal(undefined);
      expect(warnings).to.have.length(1);
      expect(warnings[0])
        .to.include(process.env.TMPDIR)
        .and.to.match(/\((ENOENT|ENOTDIR)\)/)
        .and.to.include('ask Twilio again');
    });
  }

  it('keeps serving a window completed before it gave up', async () => {
    const cache = new FetchedWindowCache(1024 * 1024, () => undefined);
    const first = cache.reserve('early', 'chunks');
    await first?.append(ROWS);
    first?.endChunk({ from: '2026-10-01', to: '2026-10-31' });
    first?.complete(WINDOW);
    // The spill file is open and unlinked: losing TMPDIR now fails only a new file, not this one.
    process.env.TMPDIR = path.join(scratch, 'missing');
    const early = await cache.find('early');
    const segment = early?.chunks[0]?.segments.get('sms')?.[0];
    expect(segment).to.not.equal(undefined);
    expect(await cache.readSegment(segment as NonNullable<typeof segment>)).to.deep.equal([['2026-10-01', '1.5']]);
  });
});
