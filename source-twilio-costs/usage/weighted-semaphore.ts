/**
 * A counting semaphore whose holders take different weights: rows a window holds, pages a window
 * has in hand. First come, first served, so a heavy holder is never starved by light ones; a weight
 * larger than the capacity takes all of it.
 */
export class WeightedSemaphore {
  private used = 0;
  private readonly queue: Array<{ weight: number; grant: () => void }> = [];

  constructor(readonly capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
  }

  /** What the holders hold now. */
  get held(): number {
    return this.used;
  }

  /** Waits until `weight` fits and returns its release (calling it twice releases once). */
  async acquire(weight: number): Promise<() => void> {
    const taken = Math.min(Math.max(0, weight), this.capacity);
    if (this.queue.length > 0 || this.used + taken > this.capacity) {
      await new Promise<void>((grant) => this.queue.push({ weight: taken, grant }));
    } else {
      this.used += taken;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= taken;
      this.grantWaiting();
    };
  }

  private grantWaiting(): void {
    for (let next = this.queue[0]; next !== undefined && this.used + next.weight <= this.capacity; next = this.queue[0]) {
      this.queue.shift();
      this.used += next.weight;
      next.grant();
    }
  }
}
