-- An operator can dismiss a parked event that will never apply (its read model will do without
-- it), so that it stops holding the projection's readiness down; the reason is kept beside it.
-- A dismissed event counts as resolved, like a replayed one: replayed_at is when it was resolved.
ALTER TABLE projector.parked_events ADD COLUMN dismissal_reason text;
ALTER TABLE projector.parked_events DROP CONSTRAINT parked_events_replay_outcome_valid;
ALTER TABLE projector.parked_events ADD CONSTRAINT parked_events_replay_outcome_valid
    CHECK (replay_outcome IN ('applied', 'superseded', 'dismissed'));
ALTER TABLE projector.parked_events ADD CONSTRAINT parked_events_dismissal_consistent
    CHECK ((replay_outcome IS NOT DISTINCT FROM 'dismissed') = (dismissal_reason IS NOT NULL));
ALTER TABLE projector.parked_events ADD CONSTRAINT parked_events_dismissal_reason_length
    CHECK (char_length(dismissal_reason) BETWEEN 1 AND 500);
