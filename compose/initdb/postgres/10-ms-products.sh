#!/bin/bash
# Run once by the PostgreSQL image on an empty data volume: ms-products' user and database
# (as scripts/stack/databases.ts does locally). The password comes from compose/.env.
set -euo pipefail
psql -v ON_ERROR_STOP=1 --username postgres --dbname postgres -v password="$POSTGRES_PASSWORD_MS_PRODUCTS" <<'SQL'
CREATE ROLE ms_products LOGIN PASSWORD :'password';
CREATE DATABASE products OWNER ms_products;
REVOKE ALL ON DATABASE products FROM PUBLIC;
SQL
