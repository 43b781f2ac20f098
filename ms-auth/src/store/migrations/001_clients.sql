-- OAuth clients, registered in code and synced here at startup.
CREATE TABLE clients (
  client_id VARCHAR(64) NOT NULL PRIMARY KEY,
  -- SHA-256 of the client secret; the secret itself is never stored.
  secret_hash BINARY(32) NOT NULL,
  -- Space-separated, as in OAuth.
  grant_types VARCHAR(255) NOT NULL,
  scopes VARCHAR(1000) NOT NULL,
  enabled TINYINT(1) NOT NULL DEFAULT 1,
  updated_at DATETIME(3) NOT NULL
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
