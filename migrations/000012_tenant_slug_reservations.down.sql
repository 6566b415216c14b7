DROP TABLE tenant_slug_reservations;
