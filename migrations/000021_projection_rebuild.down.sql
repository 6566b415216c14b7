-- Reverses 000021.
DROP FUNCTION projector.rebuild_drop(text);
DROP FUNCTION projector.rebuild_analyze(text);
DROP FUNCTION projector.rebuild_switch(text, text);
DROP FUNCTION projector.rebuild_ensure_check_partitions(text, date, integer);
DROP FUNCTION projector.rebuild_prepare(text);
DROP FUNCTION projector.mirror_check_partitions(text);
DROP FUNCTION projector.add_check_partition(text, date);
DROP FUNCTION projector.copy_table_definition(text, text);
DROP FUNCTION projector.check_schema_name(text, text);
DROP FUNCTION projector.rebuilt_tables();
