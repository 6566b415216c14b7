/** The five topics of asyncapi.yaml, channels, by role. */
export interface TopicNames {
  commands: string;
  commandResults: string;
  events: string;
  checkEvents: string;
  commandsDlq: string;
}

export type TopicRole = keyof TopicNames;

const TOPIC_SUFFIXES: Readonly<TopicNames> = {
  commands: 'commands',
  commandResults: 'command-results',
  events: 'events',
  checkEvents: 'check-events',
  commandsDlq: 'commands.dlq',
};

/** Kafka's own limits on topic names: these characters, at most 249 of them. */
const LEGAL_TOPIC_NAME = /^[a-zA-Z0-9._-]+$/;
const MAX_TOPIC_NAME_LENGTH = 249;
const LONGEST_SUFFIX = Math.max(...Object.values(TOPIC_SUFFIXES).map((suffix) => suffix.length));

export function topicNames(prefix: string): TopicNames {
  // An empty prefix is legal: the topics are then named by their suffix alone.
  if (prefix !== '' && !LEGAL_TOPIC_NAME.test(prefix)) {
    throw new Error(`Kafka topic prefix "${prefix}" may contain only letters, digits, ".", "_" and "-"`);
  }
  if (prefix.length + LONGEST_SUFFIX > MAX_TOPIC_NAME_LENGTH) {
    throw new Error(`Kafka topic prefix is too long: topic names are limited to ${MAX_TOPIC_NAME_LENGTH} characters`);
  }
  return {
    commands: prefix + TOPIC_SUFFIXES.commands,
    commandResults: prefix + TOPIC_SUFFIXES.commandResults,
    events: prefix + TOPIC_SUFFIXES.events,
    checkEvents: prefix + TOPIC_SUFFIXES.checkEvents,
    commandsDlq: prefix + TOPIC_SUFFIXES.commandsDlq,
  };
}
