export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+-?\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

/**
 * Parses Prometheus text exposition format 0.0.4 strictly enough for tests: every line is a
 * HELP, a TYPE or a sample; every sample belongs to a family declared by TYPE; values are numbers.
 * Throws naming the first bad line.
 */
export function parsePrometheusText(text: string): PrometheusSample[] {
  const families = new Map<string, string>();
  const samples: PrometheusSample[] = [];
  text.split('\n').forEach((line, index) => {
    if (line === '') return;
    const fail = (why: string) => {
      throw new Error(`line ${index + 1}: ${why}: ${line}`);
    };
    if (line.startsWith('# HELP ')) return;
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      if (!TYPES.has(type)) fail('unknown type');
      families.set(name, type);
      return;
    }
    if (line.startsWith('#')) return;
    const match = SAMPLE.exec(line);
    if (!match) return fail('not a sample');
    const [, name, rawLabels = '', rawValue] = match;
    const family = [...families.keys()].find(
      (f) => name === f || (['histogram', 'summary'].includes(families.get(f)!) && /^(_bucket|_sum|_count)$/.test(name.slice(f.length)) && name.startsWith(f)),
    );
    if (!family) fail('sample of an undeclared family');
    const labels: Record<string, string> = {};
    for (const [, key, value] of rawLabels.matchAll(LABEL)) labels[key] = value;
    const value = parseFloatLikePrometheus(rawValue);
    if (value === undefined) return fail('value is not a number');
    samples.push({ name, labels, value });
  });
  return samples;
}

/** Sum of the samples named `name` whose labels include `labels`. */
export function sumOf(samples: PrometheusSample[], name: string, labels: Record<string, string> = {}): number {
  return samples
    .filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))
    .reduce((sum, s) => sum + s.value, 0);
}

/** Go's strconv.ParseFloat, which Prometheus uses: NaN and Inf in any letter case. */
function parseFloatLikePrometheus(raw: string): number | undefined {
  const lower = raw.toLowerCase();
  if (lower === 'nan') return NaN;
  if (/^[+]?inf(inity)?$/.test(lower)) return Infinity;
  if (/^-inf(inity)?$/.test(lower)) return -Infinity;
  return /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw) ? Number(raw) : undefined;
}
