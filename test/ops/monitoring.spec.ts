import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppMetrics } from '@vinsight/observability';
import { K8sObject, kustomizationDirectory, kustomize } from './support/kustomize';

const ROOT = join(__dirname, '..', '..');
const K8S = kustomizationDirectory();

/** Every series name /metrics can show: the registry's metrics, histograms with their _bucket, _sum and _count. */
async function exportedSeriesNames(): Promise<Set<string>> {
  const metrics = new AppMetrics({ service: 'any' });
  const names = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram') for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
    if (String(metric.type) === 'summary') for (const suffix of ['_sum', '_count']) names.add(metric.name + suffix);
  }
  return names;
}

/** PromQL words that are not metric names. */
const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'sum',
  'min',
  'max',
  'avg',
  'count',
  'stddev',
  'stdvar',
  'topk',
  'bottomk',
  'quantile',
  'count_values',
  'group',
  'inf',
  'nan',
  'le',
]);

/**
 * The metric names a PromQL expression selects: identifiers outside strings and label matchers
 * that are neither functions (followed by a parenthesis), keywords, nor the labels of a
 * by/without/on/ignoring clause, nor durations.
 */
export function metricNamesIn(expression: string): string[] {
  const stripped = expression
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names: string[] = [];
  for (const match of stripped.matchAll(/[A-Za-z_:][A-Za-z0-9_:]*/g)) {
    const word = match[0];
    const after = stripped.slice(match.index! + word.length).trimStart();
    if (after.startsWith('(') || PROMQL_WORDS.has(word.toLowerCase())) continue;
    names.push(word);
  }
  return names;
}

function expressionsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(expressionsOf);
  if (value && typeof value === 'object') {
    return Object.entries(value).flatMap(([key, inner]) => (key === 'expr' && typeof inner === 'string' ? [inner] : expressionsOf(inner)));
  }
  return [];
}

const dashboard = JSON.parse(readFileSync(join(ROOT, 'deploy', 'grafana', 'vinsight-core.dashboard.json'), 'utf8'));
const rendered = kustomize(join(K8S, 'base'));
const rule = rendered.find((o: K8sObject) => o.kind === 'PrometheusRule')!;

describe('dashboard and alerts name only metrics the service exports', () => {
  it.each([
    ['the Grafana dashboard', expressionsOf(dashboard)],
    ['the PrometheusRule', expressionsOf(rule.spec)],
  ])('%s', async (_what, expressions) => {
    expect(expressions.length).toBeGreaterThan(5);
    const exported = await exportedSeriesNames();
    const unknown = expressions.flatMap((expression) =>
      metricNamesIn(expression)
        .filter((name) => !exported.has(name))
        .map((name) => `${name} in ${expression}`),
    );
    expect(unknown).toEqual([]);
    // Each expression names at least one metric: an expression made only of words we skip would prove nothing.
    expect(expressions.filter((expression) => metricNamesIn(expression).length === 0)).toEqual([]);
  });

  it('alerts on lag, errors, readiness, replication lag, dead letters and p99 latency', () => {
    const alerts = rule.spec.groups.flatMap((g: { rules: { alert: string; expr: string }[] }) => g.rules);
    const named = (metric: string) => alerts.filter((a: { expr: string }) => metricNamesIn(a.expr).includes(metric)).length;
    expect(named('vinsight_consumer_lag')).toBeGreaterThan(0);
    expect(named('http_request_duration_seconds_count')).toBeGreaterThan(0);
    expect(named('vinsight_readiness_check')).toBeGreaterThan(0);
    expect(named('vinsight_replication_lag_seconds')).toBeGreaterThan(0);
    expect(alerts.some((a: { expr: string }) => a.expr.includes('dead_lettered'))).toBe(true);
    expect(alerts.filter((a: { expr: string }) => a.expr.includes('histogram_quantile(0.99')).length).toBeGreaterThanOrEqual(2);
  });
});

describe('metricNamesIn', () => {
  it('finds metric names and skips functions, keywords, labels, strings and durations', () => {
    expect(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (le, route) (rate(http_request_duration_seconds_bucket{service="read-api",route=~"/v1/.*"}[5m]))) > 0.5',
      ),
    ).toEqual(['http_request_duration_seconds_bucket']);
    expect(metricNamesIn('sum(a_total) / on (pod) group_left b_gauge or vector(0)')).toEqual(['a_total', 'b_gauge']);
  });

  it('lets a dashboard naming a metric the service does not export fail', async () => {
    const exported = await exportedSeriesNames();
    expect(metricNamesIn('sum(rate(vinsight_commands_totl[5m]))').filter((name) => !exported.has(name))).toEqual([
      'vinsight_commands_totl',
    ]);
  });
});
