-- Token signing keys. The private key is sealed with AES-256-GCM (see domain/keys/key-sealing.ts).
CREATE TABLE signing_keys (
  kid VARCHAR(64) NOT NULL PRIMARY KEY,
  alg VARCHAR(16) NOT NULL,
  public_jwk TEXT NOT NULL,
  -- Emptied once the key is superseded: it never signs again.
  private_key_sealed VARBINARY(1024) NOT NULL,
  created_at DATETIME(3) NOT NULL,
  -- NULL while the key is the one that signs.
  superseded_at DATETIME(3) NULL,
  -- Published in the JWKS until then, so tokens it signed keep verifying until they expire.
  publish_until DATETIME(3) NULL,
  KEY signing_keys_superseded (superseded_at, created_at)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4 COLLATE = utf8mb4_bin;
