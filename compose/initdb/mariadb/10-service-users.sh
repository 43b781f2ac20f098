#!/bin/bash
# Run once by the MariaDB image on an empty data volume: one database and one user per
# service, each granted only its own database (as scripts/stack/databases.ts does locally).
# Passwords come from the container's environment (compose/.env); they are hex, see .env.example.
set -euo pipefail
for entry in "auth ms_auth $MYSQL_PASSWORD_MS_AUTH" "users ms_users $MYSQL_PASSWORD_MS_USERS" \
  "email ms_email $MYSQL_PASSWORD_MS_EMAIL"; do
  read -r database user password <<<"$entry"
  [[ "$password" =~ ^[A-Za-z0-9_]+$ ]] || { echo "password of $user must be [A-Za-z0-9_]+" >&2; exit 1; }
  mariadb --protocol=socket -uroot -p"$MARIADB_ROOT_PASSWORD" <<SQL
CREATE DATABASE IF NOT EXISTS \`$database\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER IF NOT EXISTS '$user'@'%' IDENTIFIED BY '$password';
GRANT ALL PRIVILEGES ON \`$database\`.* TO '$user'@'%';
SQL
done
