-- Access tokens revoked before they expire (RFC 7009); a row is useless after expires_at.
CREATE TABLE revoked_access_tokens (
  jti VARCHAR(64) NOT NULL PRIMARY KEY,
  client_id VARCHAR(64) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  revoked_at DATETIME(3) NOT NULL,
  KEY revoked_access_tokens_expires (expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
