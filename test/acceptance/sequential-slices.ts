/**
 * Which checkpoints CAT's test_read_sequential_slices (test_incremental.py) resumes from, and how
 * many records it then expects at least, reproduced step by step, quirks included, so that this
 * suite passes exactly when CAT would.
 */
import { canonicalJson } from '../helpers/canonical-json';

/** A STATE message as far as the selection cares: its stream_state and sourceStats.recordCount. */
export interface CountedState<T> {
  message: T;
  streamState: unknown;
  recordCount: number;
}

export interface SelectedState<T> {
  message: T;
  /** Records a read from this state must return at least: those after it in the first read. */
  expectedRecords: number;
}

/** CAT samples about this many checkpoints (MIN_BATCHES_TO_TEST). */
const SAMPLED_CHECKPOINTS = 5;

/**
 * _get_unique_state_messages_with_record_count: a run of identical consecutive states is kept as
 * its first state carrying the run's summed count; states with a zero count are dropped; each
 * remaining state expects the records counted after it. As in CAT, a run of identical states that
 * reaches the last state stops one short of it, so the last state's count is not added.
 */
export function uniqueCountedStates<T>(states: ReadonlyArray<CountedState<T>>): Array<SelectedState<T>> {
  if (states.length <= 1) return states.filter((state) => state.recordCount !== 0).map((state) => ({ message: state.message, expectedRecords: 0 }));
  const same = (a: CountedState<T>, b: CountedState<T>): boolean => canonicalJson(a.streamState) === canonicalJson(b.streamState);
  const unique: Array<CountedState<T>> = [];
  let current = 0;
  while (current < states.length - 1) {
    let next = current + 1;
    while (same(states[current] as CountedState<T>, states[next] as CountedState<T>) && next < states.length - 1) next += 1;
    const recordCount = states.slice(current, next).reduce((sum, state) => sum + state.recordCount, 0);
    unique.push({ ...(states[current] as CountedState<T>), recordCount });
    if (next === states.length - 1 && !same(states[current] as CountedState<T>, states[next] as CountedState<T>)) unique.push(states[next] as CountedState<T>);
    current = next;
  }
  const nonZero = unique.filter((state) => state.recordCount !== 0);
  const total = nonZero.reduce((sum, state) => sum + state.recordCount, 0);
  let counted = 0;
  return nonZero.map((state) => {
    counted += state.recordCount;
    return { message: state.message, expectedRecords: total - counted };
  });
}

/**
 * _states_with_expected_record_count_batch_selector: with fewer than 3 states only the last; else
 * every (n // 5 or 1)-th state, never the first nor the last.
 */
export function sampleCheckpoints<T>(unique: ReadonlyArray<SelectedState<T>>): Array<SelectedState<T>> {
  if (unique.length < 3) return unique.slice(-1);
  const sampleRate = Math.floor(unique.length / SAMPLED_CHECKPOINTS) || 1;
  return unique.filter((_, index) => index !== 0 && index % sampleRate === 0 && index !== unique.length - 1);
}

/** _state_messages_selector: the checkpoints to resume from, in order. */
export function selectCheckpoints<T>(states: ReadonlyArray<CountedState<T>>): Array<SelectedState<T>> {
  return sampleCheckpoints(uniqueCountedStates(states));
}
