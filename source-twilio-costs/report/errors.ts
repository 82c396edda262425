/** A report failure the user can act on: printed as `report: <message>`, one line, without a stack trace. */
export class ReportError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ReportError';
  }
}
