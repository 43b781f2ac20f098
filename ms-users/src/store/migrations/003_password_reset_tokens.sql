-- One-time password reset tokens, stored as SHA-256 hashes only.
CREATE TABLE password_reset_tokens (
  id CHAR(36) NOT NULL,
  account_id CHAR(36) NOT NULL,
  token_hash CHAR(64) COLLATE utf8mb4_bin NOT NULL,
  created_at DATETIME(3) NOT NULL,
  expires_at DATETIME(3) NOT NULL,
  used_at DATETIME(3) NULL,
  voided_at DATETIME(3) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY password_reset_tokens_hash_unique (token_hash),
  KEY password_reset_tokens_account (account_id),
  CONSTRAINT password_reset_tokens_account_fk FOREIGN KEY (account_id) REFERENCES accounts (id)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
