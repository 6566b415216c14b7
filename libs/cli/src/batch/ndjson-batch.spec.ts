import { isNdjson } from './ndjson-batch';

describe('isNdjson', () => {
  const envelope = '{"type":"DeleteTenant","tenantId":"t"}';

  it.each([
    ['cmds.ndjson', envelope, true],
    ['cmds.jsonl', envelope, true],
    ['cmds.txt', `${envelope}\n${envelope}\n`, true],
    ['-', `${envelope}\n\n${envelope}`, true],
    ['cmd.json', envelope, false],
    ['-', JSON.stringify(JSON.parse(envelope), null, 2), false],
    // a broken single envelope stays one, so its error says "is not JSON" rather than per line
    ['cmd.json', '{\n  "type": "DeleteTenant",\n', false],
  ])('%s holding %j: %s', (source, text, expected) => {
    expect(isNdjson(source, text)).toBe(expected);
  });
});
