-- Dismissed events become unresolved again: the older schema has no way to say "dismissed".
UPDATE projector.parked_events SET replayed_at = NULL, replay_outcome = NULL, dismissal_reason = NULL
    WHERE replay_outcome = 'dismissed';
ALTER TABLE projector.parked_events DROP CONSTRAINT parked_events_dismissal_reason_length;
ALTER TABLE projector.parked_events DROP CONSTRAINT parked_events_dismissal_consistent;
ALTER TABLE projector.parked_events DROP CONSTRAINT parked_events_replay_outcome_valid;
ALTER TABLE projector.parked_events ADD CONSTRAINT parked_events_replay_outcome_valid
    CHECK (replay_outcome IN ('applied', 'superseded'));
ALTER TABLE projector.parked_events DROP COLUMN dismissal_reason;
