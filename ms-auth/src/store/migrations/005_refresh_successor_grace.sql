-- The reuse grace. A rotated token remembers its successor: the hash always (lineage), the
-- token itself only sealed (AES-256-GCM under AUTH_KEY_ENCRYPTION_SECRET) and only until
-- successor_sealed_until, so a replay by the same client within the grace gets the same
-- successor back. The sealed copy is erased when the grace ends, the successor is rotated
-- or the family is revoked.
ALTER TABLE refresh_tokens
  ADD COLUMN successor_hash BINARY(32) NULL,
  ADD COLUMN successor_sealed VARBINARY(255) NULL,
  ADD COLUMN successor_sealed_until DATETIME(3) NULL,
  ADD KEY refresh_tokens_successor_sealed_until (successor_sealed_until);
