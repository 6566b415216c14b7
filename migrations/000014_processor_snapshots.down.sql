REVOKE ALL ON processor_snapshots FROM vinsight_projector;
DROP TABLE processor_snapshots;
