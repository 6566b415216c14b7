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
      (f) =>
        name === f ||
        (['histogram', 'summary'].includes(families.get(f)!) && /^(_bucket|_sum|_count)$/.test(name.slice(f.length)) && name.startsWith(f)),
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

/**
 * Checks every histogram series the way Prometheus reads them: buckets cumulative (never
 * decreasing with `le`), a `+Inf` bucket equal to `_count`, and a `_sum` beside it. Returns the
 * problems found, naming the series.
 */
export function histogramProblems(samples: PrometheusSample[], text: string): string[] {
  const histograms = [...text.matchAll(/^# TYPE (\S+) histogram$/gm)].map((m) => m[1]);
  const problems: string[] = [];
  const seriesKey = (labels: Record<string, string>) =>
    JSON.stringify(
      Object.entries(labels)
        .filter(([k]) => k !== 'le')
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  for (const family of histograms) {
    const series = new Map<string, { buckets: { le: number; value: number }[]; count?: number; sum?: number }>();
    const entry = (labels: Record<string, string>) => {
      const key = seriesKey(labels);
      if (!series.has(key)) series.set(key, { buckets: [] });
      return series.get(key)!;
    };
    for (const s of samples) {
      if (s.name === `${family}_bucket`)
        entry(s.labels).buckets.push({ le: s.labels.le === '+Inf' ? Infinity : Number(s.labels.le), value: s.value });
      else if (s.name === `${family}_count`) entry(s.labels).count = s.value;
      else if (s.name === `${family}_sum`) entry(s.labels).sum = s.value;
    }
    for (const [key, h] of series) {
      const name = `${family}${key}`;
      const ordered = [...h.buckets].sort((a, b) => a.le - b.le);
      if (ordered.some((b, i) => i > 0 && b.value < ordered[i - 1].value)) problems.push(`${name}: buckets not cumulative`);
      const inf = ordered.at(-1);
      if (!inf || inf.le !== Infinity) problems.push(`${name}: no +Inf bucket`);
      else if (inf.value !== h.count) problems.push(`${name}: +Inf bucket ${inf.value} != _count ${h.count}`);
      if (h.sum === undefined) problems.push(`${name}: no _sum`);
    }
  }
  return problems;
}
