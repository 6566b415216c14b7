/**
 * An event the projection refuses on its own terms: unreadable, not a valid envelope, or not
 * applicable to the read models as they are (an update of a user that was never registered).
 * The event is parked with this reason and the projection goes on.
 */
export class ProjectionRejection extends Error {
  constructor(
    readonly code: RejectionCode,
    message: string,
  ) {
    super(message);
    this.name = 'ProjectionRejection';
  }
}

export type RejectionCode = 'UNREADABLE' | 'INVALID_ENVELOPE' | 'INVALID_PAYLOAD' | 'UNKNOWN_AGGREGATE' | 'UNSUPPORTED_EVENT';

export const reject = (code: RejectionCode, message: string): never => {
  throw new ProjectionRejection(code, message);
};
