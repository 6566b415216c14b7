import { schemaVersionVerdict } from './schema-version.verdict';

describe('schemaVersionVerdict', () => {
  it('is up only at exactly the expected version, clean', () => {
    expect(schemaVersionVerdict(23, { version: 23, dirty: false })).toEqual({
      up: true,
      details: { expectedVersion: 23, version: 23, dirty: false },
    });
  });

  it('asks for the migrations when the schema is older or was never migrated', () => {
    expect(schemaVersionVerdict(23, { version: 22, dirty: false })).toMatchObject({
      up: false,
      details: { version: 22, message: expect.stringMatching(/version 22, this build needs 23: run the migrations/) },
    });
    expect(schemaVersionVerdict(23, null)).toMatchObject({
      up: false,
      details: { version: null, message: expect.stringMatching(/version none/) },
    });
  });

  it('refuses a schema newer than the build and a dirty one', () => {
    expect(schemaVersionVerdict(23, { version: 24, dirty: false })).toMatchObject({
      up: false,
      details: { message: expect.stringMatching(/newer than this build/) },
    });
    expect(schemaVersionVerdict(23, { version: 23, dirty: true })).toMatchObject({
      up: false,
      details: { dirty: true, message: expect.stringMatching(/dirty/) },
    });
  });
});
