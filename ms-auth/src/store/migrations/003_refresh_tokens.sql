-- A family is one sign-in: every refresh token rotated from it shares its absolute expiry.
CREATE TABLE refresh_token_families (
  id CHAR(36) NOT NULL PRIMARY KEY,
  client_id VARCHAR(64) NOT NULL,
  subject VARCHAR(191) NOT NULL,
  scope VARCHAR(1000) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  revoked_at DATETIME(3) NULL,
  revoked_reason VARCHAR(32) NULL,
  KEY refresh_token_families_subject (subject),
  KEY refresh_token_families_expires (expires_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;

CREATE TABLE refresh_tokens (
  -- SHA-256 of the opaque token; the token itself is never stored.
  token_hash BINARY(32) NOT NULL PRIMARY KEY,
  family_id CHAR(36) NOT NULL,
  issued_at DATETIME(3) NOT NULL,
  -- Idle expiry, never later than the family's.
  expires_at DATETIME(3) NOT NULL,
  -- Set once, by the one refresh that rotated this token.
  used_at DATETIME(3) NULL,
  KEY refresh_tokens_family (family_id),
  CONSTRAINT refresh_tokens_family_fk FOREIGN KEY (family_id)
    REFERENCES refresh_token_families (id) ON DELETE CASCADE
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
