-- Reverses 000022.
DROP FUNCTION projector.rebuild_lock_live_tables();
