-- Failed log-in attempts per normalized login, shared by every instance of the service.
CREATE TABLE login_throttle (
  throttle_key VARCHAR(254) COLLATE utf8mb4_bin NOT NULL,
  failure_count INT NOT NULL,
  first_failure_at DATETIME(3) NOT NULL,
  locked_until DATETIME(3) NULL,
  lock_level INT NOT NULL DEFAULT 0,
  updated_at DATETIME(3) NOT NULL,
  PRIMARY KEY (throttle_key),
  KEY login_throttle_updated_at (updated_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
