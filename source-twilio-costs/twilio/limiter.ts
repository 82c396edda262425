/** What a finished request tells the limiter about Twilio's capacity. */
export type RequestSignal = 'ok' | 'rate_limited' | 'neutral';

/**
 * Bounds the requests in flight to Twilio, whose per-account concurrency limit is shared with the
 * customer's production traffic.
 *
 * The limit adapts (AIMD): a 429 halves it, and each success adds 1/limit, so it creeps back by
 * about one per round of requests. It never exceeds the configured ceiling and never drops below 1.
 * One burst of 429s is one congestion event: a 429 from a request that started before the last
 * decrease does not halve again, so eight requests refused together cost one halving, not three.
 * A Retry-After holds every new request back until it has passed, not just the one refused.
 */
export class ConcurrencyLimiter {
  private current: number;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];
  /** Bumped on every decrease; a request remembers the generation it started in. */
  private generation = 0;
  private resumeAt = 0;
  private resumeTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly ceiling: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isInteger(ceiling) || ceiling < 1) throw new RangeError(`concurrency ceiling must be a positive integer, got ${ceiling}`);
    this.current = ceiling;
  }

  get limit(): number {
    return Math.floor(this.current);
  }

  get active(): number {
    return this.inFlight;
  }

  /**
   * Runs `task` once a slot is free. With `signalOf`, the task's result adjusts the limit: 'ok'
   * raises it, 'rate_limited' halves it (once per congestion event).
   */
  async run<T>(task: () => Promise<T>, signalOf?: (result: T) => RequestSignal): Promise<T> {
    await this.acquire();
    const generation = this.generation;
    let signal: RequestSignal = 'neutral';
    try {
      const result = await task();
      if (signalOf) signal = signalOf(result);
      return result;
    } finally {
      this.inFlight -= 1;
      if (signal === 'ok') this.onSuccess();
      else if (signal === 'rate_limited' && generation === this.generation) this.onRateLimited();
      this.wakeWaiting();
    }
  }

  /** A new congestion event: halve the limit. */
  onRateLimited(): void {
    this.current = Math.max(1, this.current / 2);
    this.generation += 1;
  }

  onSuccess(): void {
    this.current = Math.min(this.ceiling, this.current + 1 / Math.max(1, this.current));
    this.wakeWaiting();
  }

  /** Twilio asked to come back later (Retry-After): no request starts before then. */
  holdOff(ms: number): void {
    this.resumeAt = Math.max(this.resumeAt, this.now() + ms);
  }

  private async acquire(): Promise<void> {
    if (this.waiting.length === 0 && this.inFlight < this.limit && this.now() >= this.resumeAt) {
      this.inFlight += 1;
      return;
    }
    await new Promise<void>((resolve) => {
      this.waiting.push(resolve);
      this.wakeWaiting();
    });
  }

  private wakeWaiting(): void {
    if (this.waiting.length === 0) return;
    const holdMs = this.resumeAt - this.now();
    if (holdMs > 0) {
      this.resumeTimer ??= setTimeout(() => {
        this.resumeTimer = undefined;
        this.wakeWaiting();
      }, holdMs);
      return;
    }
    while (this.inFlight < this.limit && this.waiting.length > 0) {
      this.inFlight += 1;
      this.waiting.shift()?.();
    }
  }
}
