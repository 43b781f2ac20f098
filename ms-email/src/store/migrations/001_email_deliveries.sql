-- One row per event id: the deduplication key and the audit trail of every email.
CREATE TABLE email_deliveries (
  event_id CHAR(36) CHARACTER SET ascii NOT NULL,
  event_type VARCHAR(100) NOT NULL,
  email_type VARCHAR(50) NOT NULL,
  recipient VARCHAR(320) NULL,
  status ENUM('sending', 'sent', 'failed', 'dead') NOT NULL,
  attempts INT UNSIGNED NOT NULL DEFAULT 0,
  last_error VARCHAR(1000) NULL,
  message_id VARCHAR(255) NULL,
  smtp_response VARCHAR(500) NULL,
  -- while in the future, a claim of status 'sending' keeps other instances off the event
  lease_until DATETIME(3) NULL,
  created_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  updated_at DATETIME(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3) ON UPDATE CURRENT_TIMESTAMP(3),
  sent_at DATETIME(3) NULL,
  PRIMARY KEY (event_id),
  KEY email_deliveries_status (status, updated_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_unicode_ci;
