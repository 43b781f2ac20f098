-- Accounts: one row per person. Identifiers are compared in binary on their lowercased
-- copies, so uniqueness never depends on a collation's idea of equality.
CREATE TABLE accounts (
  id CHAR(36) NOT NULL,
  username VARCHAR(32) NOT NULL,
  username_normalized VARCHAR(32) COLLATE utf8mb4_bin NOT NULL,
  email VARCHAR(254) COLLATE utf8mb4_bin NOT NULL,
  role ENUM('seller', 'consumer', 'admin') NOT NULL,
  status ENUM('active', 'deactivated') NOT NULL DEFAULT 'active',
  company_name VARCHAR(200) NOT NULL,
  display_name VARCHAR(100) NULL,
  phone VARCHAR(32) NULL,
  address VARCHAR(500) NULL,
  website VARCHAR(2048) NULL,
  password_hash VARCHAR(100) COLLATE utf8mb4_bin NOT NULL,
  created_at DATETIME(3) NOT NULL,
  updated_at DATETIME(3) NOT NULL,
  deactivated_at DATETIME(3) NULL,
  deactivation_reason VARCHAR(500) NULL,
  PRIMARY KEY (id),
  UNIQUE KEY accounts_username_unique (username_normalized),
  UNIQUE KEY accounts_email_unique (email),
  KEY accounts_role_status (role, status)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
