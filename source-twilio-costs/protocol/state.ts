import { ConfigError } from './errors';
import { isJsonObject, parseJsonInput } from './json';
import type { JsonObject } from './messages';

/**
 * Reads the --state input: a JSON array of per-stream AirbyteStateMessages ("[]", "{}" or an empty
 * file mean no state). Legacy and global states are refused with a config error that says what to
 * send instead, rather than silently restarting a sync from the start date.
 */
export function parseInputState(text: string, knownStreams: readonly string[]): Map<string, JsonObject> {
  const states = new Map<string, JsonObject>();
  /** The message index of each stream's state, null ones included. */
  const named = new Map<string, number>();
  if (text.trim() === '') return states;
  const parsed = parseJsonInput(text, 'The state file');
  if (isJsonObject(parsed) && Object.keys(parsed).length === 0) return states;
  if (!Array.isArray(parsed)) {
    throw new ConfigError('The state file holds a legacy state object; this source reads per-stream state: a JSON array of STREAM state messages.');
  }
  parsed.forEach((message: unknown, index: number) => {
    if (!isJsonObject(message) || message.type !== 'STREAM' || !isJsonObject(message.stream)) {
      const type = isJsonObject(message) ? JSON.stringify(message.type ?? 'LEGACY') : typeof message;
      throw new ConfigError(`State message ${index} has type ${type}; this source reads only STREAM state messages.`);
    }
    const descriptor = message.stream.stream_descriptor;
    const name = isJsonObject(descriptor) ? descriptor.name : undefined;
    if (typeof name !== 'string') throw new ConfigError(`State message ${index} has no stream_descriptor.name.`);
    if (!knownStreams.includes(name)) {
      throw new ConfigError(`The state names the stream "${name}", which this source does not have. Streams: ${knownStreams.join(', ')}.`);
    }
    // Which of two states to resume from cannot be guessed: either may be the stale one.
    if (named.has(name)) throw new ConfigError(`The state holds two states for the stream "${name}" (messages ${named.get(name)} and ${index}); send one per stream.`);
    named.set(name, index);
    const streamState = message.stream.stream_state;
    if (streamState === null || streamState === undefined) return; // a null state means "reset"
    if (!isJsonObject(streamState)) throw new ConfigError(`The state of stream "${name}" is not a JSON object.`);
    states.set(name, streamState);
  });
  return states;
}
