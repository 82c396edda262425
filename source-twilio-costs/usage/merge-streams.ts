/** One step of merged streams: an event of a stream, or how a stream ended. */
export type MergeStep<T, E> = { item: T; kind: 'event'; event: E } | { item: T; kind: 'done' | 'skipped' } | { item: T; kind: 'error'; error: unknown };

/**
 * Reads up to `limit` streams of events side by side and yields their events as they arrive. A
 * stream is pulled again only once its previous event was consumed, so a slow consumer holds every
 * stream back and nothing piles up. `open` may decline an item (undefined): it is reported skipped.
 * If the consumer stops early, every open stream is returned, so it runs its cleanup.
 */
export async function* mergeStreams<T, E>(items: readonly T[], limit: number, open: (item: T) => AsyncIterable<E> | undefined): AsyncGenerator<MergeStep<T, E>> {
  const ready: Array<MergeStep<T, E>> = [];
  const running = new Map<T, AsyncIterator<E>>();
  let wake: (() => void) | undefined;
  let next = 0;
  const arrived = (step: MergeStep<T, E>): void => {
    ready.push(step);
    wake?.();
  };
  const pull = (item: T, iterator: AsyncIterator<E>): void => {
    iterator.next().then(
      (result) => arrived(result.done ? { item, kind: 'done' } : { item, kind: 'event', event: result.value }),
      (error: unknown) => arrived({ item, kind: 'error', error }),
    );
  };
  const launch = (): void => {
    while (running.size < limit && next < items.length) {
      const item = items[next] as T;
      next += 1;
      const stream = open(item);
      if (stream === undefined) {
        ready.push({ item, kind: 'skipped' });
        continue;
      }
      const iterator = stream[Symbol.asyncIterator]();
      running.set(item, iterator);
      pull(item, iterator);
    }
  };
  try {
    launch();
    while (running.size > 0 || ready.length > 0) {
      const step = ready.shift();
      if (step === undefined) {
        await new Promise<void>((resolve) => (wake = resolve));
        wake = undefined;
        continue;
      }
      if (step.kind === 'event') {
        yield step;
        const iterator = running.get(step.item);
        if (iterator) pull(step.item, iterator);
        continue;
      }
      running.delete(step.item);
      launch();
      yield step;
    }
  } finally {
    for (const iterator of running.values()) void iterator.return?.().catch(() => undefined);
  }
}
