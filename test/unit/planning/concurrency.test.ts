import { expect } from 'chai';

import { ConcurrencyLimiter, type RequestSignal } from '../../../source-twilio-costs/twilio/limiter';
import { mergeStreams } from '../../../source-twilio-costs/usage/merge-streams';
import { WeightedSemaphore } from '../../../source-twilio-costs/usage/weighted-semaphore';
import { FetchedWindowCache } from '../../../source-twilio-costs/usage/window-cache';

const tick = (ms = 1): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

describe('concurrency: the AIMD limiter', () => {
  it('one burst of 429s halves the limit once, not once per refused request', async () => {
    const limiter = new ConcurrencyLimiter(8);
    const refused = (): Promise<RequestSignal> =>
      limiter.run(
        async () => tick(5).then((): RequestSignal => 'rate_limited'),
        (signal) => signal,
      );
    await Promise.all(Array.from({ length: 8 }, refused));
    expect(limiter.limit).to.equal(4);
    // A later 429, from a request started after the decrease, is a new congestion event.
    await refused();
    expect(limiter.limit).to.equal(2);
  });

  it('never has more in flight than its current limit, and creeps back after successes', async () => {
    const limiter = new ConcurrencyLimiter(6);
    limiter.onRateLimited();
    let active = 0;
    let peak = 0;
    const ok = (): Promise<RequestSignal> =>
      limiter.run(
        async (): Promise<RequestSignal> => {
          active += 1;
          peak = Math.max(peak, active);
          await tick(2);
          active -= 1;
          return 'ok';
        },
        (signal) => signal,
      );
    await Promise.all(Array.from({ length: 3 }, ok));
    expect(peak).to.equal(3);
    await Promise.all(Array.from({ length: 60 }, ok));
    expect(limiter.limit).to.equal(6);
    expect(peak).to.be.at.most(6);
  });

  it('a Retry-After holds back every request that starts before it has passed', async () => {
    let now = 1_000;
    const limiter = new ConcurrencyLimiter(4, () => now);
    limiter.holdOff(50);
    const started: number[] = [];
    const waiting = limiter.run(async () => started.push(now));
    await tick(10);
    expect(started).to.deep.equal([]);
    now += 50;
    await waiting;
    expect(started).to.deep.equal([1_050]);
  });
});

describe('concurrency: the weighted semaphore', () => {
  it('grants in arrival order, so a heavy request is not starved by light ones', async () => {
    const semaphore = new WeightedSemaphore(10);
    const first = await semaphore.acquire(6);
    const order: string[] = [];
    const heavy = semaphore.acquire(8).then((release) => (order.push('heavy'), release));
    const light = semaphore.acquire(1).then((release) => (order.push('light'), release));
    await tick();
    expect(order).to.deep.equal([]);
    first();
    (await heavy)();
    (await light)();
    expect(order).to.deep.equal(['heavy', 'light']);
    expect(semaphore.held).to.equal(0);
  });

  it('a weight above the capacity takes all of it; a release counts once', async () => {
    const semaphore = new WeightedSemaphore(3);
    const release = await semaphore.acquire(50);
    expect(semaphore.held).to.equal(3);
    release();
    release();
    expect(semaphore.held).to.equal(0);
  });
});

describe('concurrency: merging streams', () => {
  async function* numbers(from: number, count: number, pulled: number[]): AsyncGenerator<number> {
    try {
      for (let n = from; n < from + count; n += 1) {
        pulled.push(n);
        await tick();
        yield n;
      }
    } finally {
      pulled.push(-from);
    }
  }

  it('reads at most `limit` streams at once, each one event ahead of its consumer, and yields all', async () => {
    const pulled: number[] = [];
    const seen: number[] = [];
    for await (const step of mergeStreams([100, 200, 300], 2, (from) => numbers(from, 3, pulled))) {
      if (step.kind !== 'event') continue;
      seen.push(step.event);
      // No stream runs ahead of what was consumed: at most one pending pull per running stream.
      expect(pulled.filter((n) => n > 0).length - seen.length).to.be.at.most(2);
    }
    expect(seen.sort((a, b) => a - b)).to.deep.equal([100, 101, 102, 200, 201, 202, 300, 301, 302]);
  });

  it('returns every open stream when its consumer stops early, so they clean up', async () => {
    const pulled: number[] = [];
    for await (const step of mergeStreams([100, 200], 2, (from) => numbers(from, 5, pulled))) {
      if (step.kind === 'event') break;
    }
    await tick(10);
    expect(pulled).to.include.members([-100, -200]);
  });

  it('reports a declined item as skipped and an error as an error step', async () => {
    // eslint-disable-next-line require-yield -- a listing that fails before its first item
    const failing = async function* (): AsyncGenerator<number> {
      await tick();
      throw new Error('listing failed');
    };
    const steps: string[] = [];
    for await (const step of mergeStreams(['skip', 'fail'], 2, (item) => (item === 'skip' ? undefined : failing()))) {
      steps.push(`${step.item}:${step.kind}${step.kind === 'error' ? `:${(step.error as Error).message}` : ''}`);
    }
    expect(steps).to.deep.equal(['skip:skipped', 'fail:error:listing failed']);
  });
});

describe('concurrency: windows kept for a later reader in the run', () => {
  it('a reader that comes while a window is written waits for it, then reads its rows back', async () => {
    const cache = new FetchedWindowCache(1024 * 1024, () => undefined);
    const reservation = cache.reserve('AC1|false|2026-01-01|2026-01-31', 'chunks');
    expect(reservation).to.not.equal(undefined);
    expect(cache.reserve('AC1|false|2026-01-01|2026-01-31', 'chunks'), 'a key is claimed once').to.equal(undefined);
    const waiting = cache.find('AC1|false|2026-01-01|2026-01-31');
    await reservation?.append(new Map([['sms', Array.from({ length: 450 }, (_, day) => [day, 'sms'])]]));
    reservation?.endChunk({ from: '2026-01-01', to: '2026-01-31' });
    reservation?.complete({ listed: new Map([['sms', ['sms']]]), active: new Set(['sms']), stored: new Set(['sms']) });
    const window = await waiting;
    const segments = window?.chunks[0]?.segments.get('sms') ?? [];
    // Rows are split into segments small enough to stay young-generation strings.
    expect(segments).to.have.length(3);
    const rows = (await Promise.all(segments.map((segment) => cache.readSegment(segment)))).flat() as unknown[][];
    expect(rows.map((row) => row[0])).to.deep.equal(Array.from({ length: 450 }, (_, day) => day));
  });

  it('an abandoned window releases its waiters and its key; a full cache keeps nothing more', async () => {
    const cache = new FetchedWindowCache(10, () => undefined);
    const reservation = cache.reserve('key', 'chunks');
    const waiting = cache.find('key');
    reservation?.abandon();
    expect(await waiting).to.equal(undefined);
    expect(cache.find('key')).to.equal(undefined);
    const again = cache.reserve('key', 'chunks');
    await again?.append(new Map([['sms', ['more than ten bytes of rows']]]));
    expect(cache.reserve('other', 'chunks'), 'over maxBytes').to.equal(undefined);
  });
});
