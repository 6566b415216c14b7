import { readFileSync } from 'node:fs';
import { KeyRing, parseEmailHashKey, parseKeyEncryptionKey, parseKeyEncryptionKeys, PersonalDataKeys } from '@vinsight/personal-data';
import type { ConfigProblem } from './security.settings';

export const PERSONAL_DATA_VARIABLES = [
  'DATA_KEY_ENCRYPTION_KEY',
  'DATA_KEY_ENCRYPTION_KEY_FILE',
  'DATA_KEY_ENCRYPTION_KEYS_PREVIOUS',
  'DATA_KEY_ENCRYPTION_KEYS_PREVIOUS_FILE',
  'EMAIL_HASH_KEY',
  'EMAIL_HASH_KEY_FILE',
] as const;

type Read = (path: string) => string;
const readText: Read = (path) => readFileSync(path, 'utf8');

/**
 * The personal-data keys from VARIABLE or VARIABLE_FILE (a mounted Secret), checked at boot:
 * every problem names its variable, and none repeats a key.
 */
export function personalDataKeys(
  raw: Readonly<Record<string, string | undefined>>,
  problems: ConfigProblem[],
  read: Read = readText,
): PersonalDataKeys | undefined {
  const before = problems.length;
  const current = secret(raw, 'DATA_KEY_ENCRYPTION_KEY', true, problems, read);
  const previous = secret(raw, 'DATA_KEY_ENCRYPTION_KEYS_PREVIOUS', false, problems, read);
  const emailKey = secret(raw, 'EMAIL_HASH_KEY', true, problems, read);
  const kek = current && parse(current, (text) => parseKeyEncryptionKey(text), problems);
  const previousKeks = previous ? parse(previous, (text) => parseKeyEncryptionKeys(text), problems) : [];
  const emailHashKey = emailKey && parse(emailKey, (text) => parseEmailHashKey(text), problems);
  if (problems.length > before || !kek || !previousKeks || !emailHashKey) return undefined;
  try {
    return { keyRing: new KeyRing(kek, previousKeks), emailHashKey };
  } catch (error) {
    problems.push({ variable: previous!.variable, message: (error as Error).message });
    return undefined;
  }
}

interface Secret {
  readonly variable: string;
  readonly text: string;
}

function secret(
  raw: Readonly<Record<string, string | undefined>>,
  name: string,
  required: boolean,
  problems: ConfigProblem[],
  read: Read,
): Secret | undefined {
  const value = raw[name];
  const file = raw[`${name}_FILE`];
  if (value !== undefined && file !== undefined) {
    problems.push({ variable: `${name}_FILE`, message: `and ${name} are both set: set exactly one` });
    return undefined;
  }
  if (file !== undefined) {
    try {
      return { variable: `${name}_FILE`, text: read(file).trim() };
    } catch (error) {
      problems.push({
        variable: `${name}_FILE`,
        message: `file ${JSON.stringify(file)} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      });
      return undefined;
    }
  }
  if (value !== undefined) return { variable: name, text: value };
  if (required)
    problems.push({
      variable: name,
      message: `or ${name}_FILE is required for the command processor and the projector (README, Personal data)`,
    });
  return undefined;
}

/** The key's own parser says what is wrong; the value itself is never echoed. */
function parse<T>(source: Secret, parser: (text: string) => T, problems: ConfigProblem[]): T | undefined {
  try {
    return parser(source.text);
  } catch (error) {
    problems.push({ variable: source.variable, message: (error as Error).message });
    return undefined;
  }
}
