/** A sync failure the user can act on: printed as its message alone, without a stack trace. */
export class SyncError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SyncError';
  }
}
