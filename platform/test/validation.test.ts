import assert from 'node:assert/strict';
import { Type } from '@sinclair/typebox';
import { checkSchema } from '../src/validation.js';

const Body = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    address: Type.Object({ city: Type.String() }, { additionalProperties: false }),
  },
  { additionalProperties: false },
);

describe('platform validation', () => {
  it('names missing, mistyped and unknown fields', () => {
    const result = checkSchema(Body, { address: { city: 3, zip: 'x' }, extra: true });
    assert.equal(result.ok, false);
    if (result.ok) return;
    const fields = result.problems.map((p) => p.field).sort();
    assert.deepEqual(fields, ['address.city', 'address.zip', 'extra', 'name']);
    assert.equal(result.problems.find((p) => p.field === 'extra')?.message, 'is not an allowed field');
  });

  it('does not coerce JSON bodies', () => {
    const result = checkSchema(Type.Object({ n: Type.Integer() }), { n: '5' });
    assert.equal(result.ok, false);
  });

  it('coerces query strings when asked', () => {
    const result = checkSchema(Type.Object({ n: Type.Integer() }), { n: '5' }, { coerce: true });
    assert.deepEqual(result, { ok: true, value: { n: 5 } });
  });
});
