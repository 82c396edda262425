import type { Day } from '../dates';

/** One set of usage the sync reads on its own, with its own cursor. */
export interface UsageScope {
  /** The key of this scope's cursor in the stream state (an account SID, or a derived name). */
  id: string;
  accountSid: string;
  includeSubaccounts: boolean;
  /** No usage can exist before this day (the account's creation). */
  earliestDay?: Day;
  /** A subaccount whose usage answers 403/404 is skipped with a warning; the main scope never is. */
  skippable: boolean;
}
