import { ConfigError } from './errors';
import { isJsonObject } from './json';
import type { SyncMode } from './messages';
import type { Stream } from './stream';

export interface ConfiguredStream {
  stream: Stream;
  syncMode: SyncMode;
}

const SYNC_MODES: readonly string[] = ['full_refresh', 'incremental'];

/**
 * Checks a ConfiguredAirbyteCatalog against the source's streams, before anything is read: an
 * unknown stream, an unknown sync mode or a malformed entry is a config error that names the
 * stream. Incremental asked of a stream without a cursor is read as a full refresh, with a warning
 * naming it, as Airbyte's Python CDK does: clients such as PyAirbyte ask incremental of every stream
 * by default, and refusing would fail their first read over a choice that changes no record.
 */
export function resolveCatalog(catalog: unknown, streams: readonly Stream[], warn: (message: string) => void): ConfiguredStream[] {
  if (!isJsonObject(catalog) || !Array.isArray(catalog.streams)) {
    throw new ConfigError('The catalog is not a ConfiguredAirbyteCatalog: it needs a "streams" array.');
  }
  if (catalog.streams.length === 0) {
    throw new ConfigError('The catalog selects no streams: a read would do nothing. Select at least one stream, or re-discover the schema.');
  }
  const byName = new Map(streams.map((stream) => [stream.name, stream]));
  const seen = new Set<string>();
  return catalog.streams.map((entry: unknown, index: number): ConfiguredStream => {
    const name = isJsonObject(entry) && isJsonObject(entry.stream) ? entry.stream.name : undefined;
    if (typeof name !== 'string') throw new ConfigError(`Catalog entry ${index} has no stream.name.`);
    const stream = byName.get(name);
    if (!stream) {
      throw new ConfigError(`The catalog names the stream "${name}", which this source does not have. Streams: ${[...byName.keys()].join(', ')}.`);
    }
    if (seen.has(name)) throw new ConfigError(`The catalog lists the stream "${name}" twice; list each stream once.`);
    seen.add(name);
    const syncMode = isJsonObject(entry) ? (entry.sync_mode ?? 'full_refresh') : undefined;
    if (typeof syncMode !== 'string' || !SYNC_MODES.includes(syncMode)) {
      throw new ConfigError(`The catalog asks for sync_mode ${JSON.stringify(syncMode)} on "${name}"; use full_refresh or incremental.`);
    }
    if (syncMode === 'incremental' && !stream.cursorField) {
      warn(`The catalog asks for incremental on the stream "${name}", which supports only full_refresh: it is read as a full refresh.`);
      return { stream, syncMode: 'full_refresh' };
    }
    return { stream, syncMode: syncMode as SyncMode };
  });
}
