export const USAGE = `Usage: npm run cli -- <command> [options]

  command send --file <cmd.json | ->
  command send --type <CommandType> --tenant <uuid> [--payload '<json>']
               [--command-id <uuid>] [--expected-version <n>] [--correlation-id <uuid>]
      Publish a command (asyncapi.yaml, CommandEnvelope) keyed by its tenant id and print its result as JSON.
      With --file, the file holds the envelope; flags given as well replace its fields.
      A missing commandId is generated; reuse it (--command-id) to retry safely.

  api-key create --tenant <uuid> --name <name> [--expires-at <ISO-8601 time>]
      Generate an API key token, publish IssueApiKey with only its SHA-256, and print the
      token once. It is not stored anywhere: keep it now.

Common options:
  --issued-by <name>   recorded in the audit trail (default: vinsight-cli)
  --timeout <ms>       how long to wait for the result (default: 30000)
  -h, --help           this text

Environment: KAFKA_BROKERS (default 127.0.0.1:9092), KAFKA_TOPIC_PREFIX (default vinsight.),
KAFKA_CLIENT_ID (default vinsight-core; the CLI appends ".cli"), LOG_LEVEL (Kafka client log
on stderr; default error).

Exit status: 0 accepted, 3 rejected, 1 error or timeout (outcome unknown), 2 bad usage.
`;
