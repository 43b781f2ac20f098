import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { ConfigError, baseConfigProperties, parseConfig, secretWithLocalDefault } from '../src/config.js';

const schema = Type.Object({
  ...baseConfigProperties,
  DATABASE_URL: Type.String({ format: 'uri' }),
  SIGNING_SECRET: secretWithLocalDefault('local-development-only-secret', 'signs things'),
});

describe('platform config', () => {
  it('coerces numbers and applies defaults', () => {
    const config = parseConfig(schema, { PORT: '4010', DATABASE_URL: 'mysql://127.0.0.1/x' });
    assert.equal(config.PORT, 4010);
    assert.equal(config.HOST, '127.0.0.1');
    assert.equal(config.LOG_LEVEL, 'info');
  });

  it('lists every problem at once', () => {
    assert.throws(
      () => parseConfig(schema, { PORT: 'abc', LOG_LEVEL: 'loud', NODE_ENV: 'production' }),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        const text = error.problems.join('\n');
        assert.match(text, /PORT/);
        assert.match(text, /LOG_LEVEL/);
        assert.match(text, /DATABASE_URL is required/);
        assert.match(text, /SIGNING_SECRET is required/);
        return true;
      },
    );
  });

  it('gives secrets a default only in local development and tests', () => {
    const local = parseConfig(schema, { PORT: '1', DATABASE_URL: 'mysql://h/x', NODE_ENV: 'development' });
    assert.equal(local.SIGNING_SECRET, 'local-development-only-secret');
    assert.throws(() =>
      parseConfig(schema, { PORT: '1', DATABASE_URL: 'mysql://h/x', NODE_ENV: 'production' }),
    );
  });

  it('treats an empty variable as unset', () => {
    assert.throws(() => parseConfig(schema, { PORT: '1', DATABASE_URL: '' }), /DATABASE_URL is required/);
  });
});
