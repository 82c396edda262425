/**
 * Bounds the requests in flight to Twilio, whose per-account concurrency limit is shared with the
 * customer's production traffic.
 *
 * The limit adapts (AIMD): a 429 halves it, and each success adds 1/limit, so it creeps back by
 * about one per round of requests. It never exceeds the configured ceiling and never drops below 1.
 */
export class ConcurrencyLimiter {
  private current: number;
  private inFlight = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(private readonly ceiling: number) {
    if (!Number.isInteger(ceiling) || ceiling < 1) throw new RangeError(`concurrency ceiling must be a positive integer, got ${ceiling}`);
    this.current = ceiling;
  }

  get limit(): number {
    return Math.floor(this.current);
  }

  get active(): number {
    return this.inFlight;
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }

  onRateLimited(): void {
    this.current = Math.max(1, this.current / 2);
  }

  onSuccess(): void {
    this.current = Math.min(this.ceiling, this.current + 1 / Math.max(1, this.current));
    this.wakeWaiting();
  }

  private async acquire(): Promise<void> {
    if (this.inFlight < this.limit) {
      this.inFlight += 1;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    this.inFlight -= 1;
    this.wakeWaiting();
  }

  private wakeWaiting(): void {
    while (this.inFlight < this.limit && this.waiting.length > 0) {
      this.inFlight += 1;
      this.waiting.shift()?.();
    }
  }
}
