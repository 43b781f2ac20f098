/**
 * Checks of a dashboard JSON file, for scripts/test/dashboards.test.ts and the e2e test.
 * The schema is our own TypeBox schema of the classic dashboard model (the fields Grafana
 * requires and the ones our dashboards use): @grafana/schema ships TypeScript types, not a
 * JSON schema a test can validate a file against.
 */
import { Type } from '@sinclair/typebox';
import type { Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';
import { parser } from '@prometheus-io/lezer-promql';
import { DATASOURCE_UIDS, SCHEMA_VERSION } from './lib.js';

const DatasourceRef = Type.Object({ type: Type.Literal('prometheus'), uid: Type.String() });
const PanelSchema = Type.Object({
  id: Type.Integer({ minimum: 1 }),
  type: Type.Union(['timeseries', 'stat', 'gauge', 'bargauge', 'table'].map((t) => Type.Literal(t))),
  title: Type.String({ minLength: 1 }),
  description: Type.String({ minLength: 10 }),
  datasource: DatasourceRef,
  gridPos: Type.Object({
    x: Type.Integer({ minimum: 0, maximum: 23 }),
    y: Type.Integer({ minimum: 0 }),
    w: Type.Integer({ minimum: 1, maximum: 24 }),
    h: Type.Integer({ minimum: 1 }),
  }),
  fieldConfig: Type.Object({
    defaults: Type.Object({ unit: Type.String({ minLength: 1 }) }),
    overrides: Type.Array(Type.Unknown()),
  }),
  options: Type.Record(Type.String(), Type.Unknown()),
  targets: Type.Array(
    Type.Object({ refId: Type.String({ minLength: 1 }), datasource: DatasourceRef, expr: Type.String({ minLength: 1 }) }),
    { minItems: 1 },
  ),
});
export const DashboardSchema = Type.Object({
  uid: Type.String({ pattern: '^[a-zA-Z0-9_-]{1,40}$' }),
  title: Type.String({ minLength: 1 }),
  tags: Type.Array(Type.String()),
  schemaVersion: Type.Literal(SCHEMA_VERSION),
  version: Type.Integer(),
  editable: Type.Boolean(),
  time: Type.Object({ from: Type.String(), to: Type.String() }),
  timezone: Type.String(),
  refresh: Type.String(),
  annotations: Type.Object({ list: Type.Array(Type.Record(Type.String(), Type.Unknown())) }),
  templating: Type.Object({
    list: Type.Array(
      Type.Object({ type: Type.Union([Type.Literal('datasource'), Type.Literal('query')]), name: Type.String({ minLength: 1 }) }),
    ),
  }),
  panels: Type.Array(PanelSchema, { minItems: 1 }),
});
export type CheckedDashboard = Static<typeof DashboardSchema>;

export function schemaErrors(value: unknown): string[] {
  return [...Value.Errors(DashboardSchema, value)].map((error) => `${error.path}: ${error.message}`);
}

/** A duration no dashboard writes, standing in for $__rate_interval so the parser can see it. */
const RATE_INTERVAL = '7777s';

/** Grafana's variables replaced by values Prometheus accepts; `rateInterval` as a duration. */
export function substitute(expr: string, rateInterval = RATE_INTERVAL): string {
  return expr
    .replaceAll('$__rate_interval', rateInterval)
    .replaceAll('${datasource}', DATASOURCE_UIDS.prometheus)
    .replaceAll('$namespace', '.*')
    .replaceAll('$service', '.*');
}

export interface PromqlFacts {
  errors: string[];
  metrics: Set<string>;
  labels: Set<string>;
  /** Range functions (rate, irate, increase) whose window is not $__rate_interval. */
  fixedRates: string[];
}

const RATE_FUNCTIONS = new Set(['Rate', 'Irate', 'Increase']);

/** Parses one panel expression with Prometheus' own lezer grammar, and collects its names. */
export function inspectPromql(expr: string): PromqlFacts {
  const text = substitute(expr);
  const facts: PromqlFacts = { errors: [], metrics: new Set(), labels: new Set(), fixedRates: [] };
  const tree = parser.parse(text);
  const cursor = tree.cursor();
  do {
    const node = cursor.node;
    const source = text.slice(node.from, node.to);
    if (node.type.isError) facts.errors.push(`syntax error at ${node.from}: …${text.slice(node.from, node.from + 30)}`);
    if (node.name === 'Identifier' && node.parent?.name === 'VectorSelector') facts.metrics.add(source);
    if (node.name === 'LabelName') facts.labels.add(source);
    if (node.name === 'FunctionIdentifier' && RATE_FUNCTIONS.has(node.firstChild?.name ?? '')) {
      const body = node.nextSibling;
      const matrix = body?.getChild('MatrixSelector');
      const window = matrix?.getChild('DurationExpr') ?? matrix?.lastChild;
      const windowText = window ? text.slice(window.from, window.to) : '';
      if (windowText !== RATE_INTERVAL) facts.fixedRates.push(`${source}(…[${windowText}])`);
    }
  } while (cursor.next());
  return facts;
}

/** label_values(<selector>, <label>) of a query variable: the selector must be PromQL. */
export function variableSelector(query: string): string | undefined {
  return /^label_values\((.*),\s*[a-zA-Z_]\w*\)$/.exec(query)?.[1];
}
