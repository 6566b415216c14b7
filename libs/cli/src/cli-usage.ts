import { COMMAND_VERBS } from './verbs/command-verbs';

export const USAGE = `Usage: npm run --silent cli -- <command> [options]

Commands whose ids the CLI makes (printed as JSON with the result):
${Object.values(COMMAND_VERBS)
  .map((verb) => `  ${verb.summary}`)
  .join('\n')}
  api-key create --tenant <uuid> --name <name> [--expires-at <ISO-8601 time>]
      Generate an API key token, publish IssueApiKey with only its SHA-256, and print the
      token once. It is not stored anywhere: keep it now.

Any command (asyncapi.yaml, CommandEnvelope):
  command send --type <CommandType> --tenant <uuid> [--payload '<json>']
               [--command-id <uuid>] [--expected-version <n>] [--correlation-id <uuid>]
  command send --file <cmd.json | cmds.ndjson | ->
      Publish a command keyed by its tenant id and print its result as JSON. With --file, the
      file holds the envelope; flags given as well replace its fields. A missing commandId is
      generated; reuse it (--command-id) to retry safely.
      A file of one envelope per line (NDJSON; a .ndjson or .jsonl name, or more than one line)
      is sent over one connection: one JSON line per command on stdout as results come back,
      with its input "line" ("status" accepted, rejected, invalid: not sent, or unknown: no
      result in time), progress and a summary with the rate on stderr.

Operators' commands of the projector (database and Kafka settings as the service's):
  projections status [--json] | rebuild | parked list|replay|dismiss ... | retention | events <tenant>
      (npm run cli -- projections help)

Common options:
  --output, -o <field> print only this field of the JSON output, as plain text
                       (e.g. tenantId, monitorId, token, result.position): for X=$(...) in a shell
  --issued-by <name>   recorded in the audit trail (default: vinsight-cli)
  --timeout <ms>       how long to wait to connect to Kafka, then for each result (default: 30000)
  -h, --help           this text

Environment: KAFKA_BROKERS (default 127.0.0.1:9092), KAFKA_TOPIC_PREFIX (default vinsight.),
KAFKA_CLIENT_ID (default vinsight-core; the CLI is <KAFKA_CLIENT_ID>.cli and its consumer group
<KAFKA_CLIENT_ID>.cli.<uuid>, deleted on exit), LOG_LEVEL (Kafka client log on stderr; default
silent).

Exit status: 0 accepted, 3 rejected, 1 error or timeout (outcome unknown), 2 bad usage or settings
(an invalid variable, or a Kafka password or CA the brokers refuse).
A batch exits 1 if any line is unknown, else 2 if any is invalid, else 3 if any was rejected.
`;
