REVOKE SELECT ON TABLE schema_migrations FROM vinsight_api, vinsight_projector;
