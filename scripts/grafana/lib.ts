/**
 * A small typed builder for Grafana dashboards in the classic JSON model, so that every
 * dashboard in grafana/dashboards/ shares one layout, one set of template variables and one
 * datasource reference. scripts/grafana/build.ts writes the JSON; the tests check it.
 */

/** The classic dashboard schema version Grafana 12 writes (13 migrates it to v2 on load). */
export const SCHEMA_VERSION = 41;

/** Fixed uids, so that dashboards and the exemplar links survive re-provisioning. */
export const DATASOURCE_UIDS = { prometheus: 'marketshare-prometheus', traces: 'marketshare-traces' } as const;

/** Every Prometheus query goes through the `datasource` template variable. */
export const PROMETHEUS_REF = { type: 'prometheus', uid: '${datasource}' } as const;

export type PanelType = 'timeseries' | 'stat' | 'gauge' | 'bargauge' | 'table';

/** Grafana unit ids used here (Grafana's value formats: reqps, percentunit, s, ...). */
export type Unit = 'reqps' | 'ops' | 'percentunit' | 's' | 'ms' | 'short' | 'none' | 'bytes' | 'Bps';

export interface Target {
  refId: string;
  datasource: typeof PROMETHEUS_REF;
  expr: string;
  legendFormat: string;
  range: boolean;
  instant: boolean;
  exemplar: boolean;
}

export interface GridPos {
  x: number;
  y: number;
  w: number;
  h: number;
}

export interface Panel {
  id: number;
  type: PanelType;
  title: string;
  description: string;
  datasource: typeof PROMETHEUS_REF;
  gridPos: GridPos;
  fieldConfig: { defaults: { unit: Unit; min?: number; max?: number; decimals?: number }; overrides: [] };
  options: Record<string, unknown>;
  targets: Target[];
}

export interface Variable {
  type: 'datasource' | 'query';
  name: string;
  label: string;
  hide: 0;
  [key: string]: unknown;
}

export interface Dashboard {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  schemaVersion: number;
  version: number;
  id: null;
  editable: boolean;
  fiscalYearStartMonth: 0;
  graphTooltip: 1;
  liveNow: false;
  refresh: string;
  time: { from: string; to: string };
  timepicker: Record<string, never>;
  timezone: 'browser';
  weekStart: '';
  links: { title: string; type: 'dashboards'; tags: string[]; asDropdown: boolean; includeVars: boolean; keepTime: boolean }[];
  annotations: { list: Record<string, unknown>[] };
  templating: { list: Variable[] };
  panels: Panel[];
}

export interface Query {
  expr: string;
  legend: string;
}

export interface PanelSpec {
  title: string;
  description: string;
  unit: Unit;
  queries: Query[];
  type?: PanelType;
  /** Width in grid columns (24 in a row); default 12 for graphs, 6 for stats. */
  width?: number;
  min?: number;
  max?: number;
}

export function q(expr: string, legend = ''): Query {
  return { expr, legend };
}

function target(query: Query, index: number, type: PanelType): Target {
  const instant = type !== 'timeseries';
  return {
    refId: String.fromCharCode(65 + index),
    datasource: PROMETHEUS_REF,
    expr: query.expr,
    legendFormat: query.legend === '' ? '__auto' : query.legend,
    range: !instant,
    instant,
    // Exemplars only exist on histogram series; Grafana ignores the flag elsewhere.
    exemplar: type === 'timeseries' && query.expr.includes('_bucket'),
  };
}

function options(type: PanelType): Record<string, unknown> {
  if (type === 'timeseries') {
    return {
      legend: { displayMode: 'table', placement: 'bottom', showLegend: true, calcs: ['mean', 'max', 'lastNotNull'] },
      tooltip: { mode: 'multi', sort: 'desc' },
    };
  }
  if (type === 'table') return { showHeader: true };
  return {
    reduceOptions: { calcs: ['lastNotNull'], fields: '', values: false },
    orientation: 'auto',
    textMode: 'auto',
    colorMode: 'value',
  };
}

/** Lays panels out left to right, wrapping at 24 columns. */
class Layout {
  private x = 0;
  private y = 0;
  private rowHeight = 0;

  place(w: number, h: number): GridPos {
    if (this.x + w > 24) {
      this.x = 0;
      this.y += this.rowHeight;
      this.rowHeight = 0;
    }
    const pos = { x: this.x, y: this.y, w, h };
    this.x += w;
    this.rowHeight = Math.max(this.rowHeight, h);
    return pos;
  }
}

export interface VariableSpec {
  /** The query that lists the namespaces, e.g. label_values(up, namespace). */
  namespaces: string;
  /** The query that lists the services (or backends, deployments) of a namespace. */
  services: string;
  serviceLabel?: string;
}

function variables(spec: VariableSpec): Variable[] {
  const prometheusQuery = (name: string, label: string, query: string, multi: boolean): Variable => ({
    type: 'query',
    name,
    label,
    hide: 0,
    datasource: PROMETHEUS_REF,
    definition: query,
    query: { qryType: 1, query, refId: `PrometheusVariableQueryEditor-${name}` },
    refresh: 2,
    regex: '',
    sort: 1,
    includeAll: true,
    // An absent label matches ".*": locally nothing carries a namespace label.
    allValue: '.*',
    multi,
    current: { text: 'All', value: '$__all' },
    options: [],
  });
  return [
    {
      type: 'datasource',
      name: 'datasource',
      label: 'Data source',
      hide: 0,
      query: 'prometheus',
      regex: '',
      refresh: 1,
      includeAll: false,
      multi: false,
      current: { text: 'Prometheus', value: DATASOURCE_UIDS.prometheus },
      options: [],
    },
    prometheusQuery('namespace', 'Namespace', spec.namespaces, false),
    prometheusQuery('service', spec.serviceLabel ?? 'Service', spec.services, true),
  ];
}

export interface DashboardSpec {
  uid: string;
  title: string;
  description: string;
  tags: string[];
  variables: VariableSpec;
  panels: PanelSpec[];
}

export function dashboard(spec: DashboardSpec): Dashboard {
  const layout = new Layout();
  const panels = spec.panels.map((panel, index): Panel => {
    const type = panel.type ?? 'timeseries';
    const graph = type === 'timeseries' || type === 'table';
    const defaults: Panel['fieldConfig']['defaults'] = { unit: panel.unit };
    if (panel.min !== undefined) defaults.min = panel.min;
    if (panel.max !== undefined) defaults.max = panel.max;
    return {
      id: index + 1,
      type,
      title: panel.title,
      description: panel.description,
      datasource: PROMETHEUS_REF,
      gridPos: layout.place(panel.width ?? (graph ? 12 : 6), graph ? 8 : 4),
      fieldConfig: { defaults, overrides: [] },
      options: options(type),
      targets: panel.queries.map((query, i) => target(query, i, type)),
    };
  });
  return {
    uid: spec.uid,
    title: spec.title,
    description: spec.description,
    tags: ['marketshare', ...spec.tags],
    schemaVersion: SCHEMA_VERSION,
    version: 1,
    id: null,
    editable: false,
    fiscalYearStartMonth: 0,
    graphTooltip: 1,
    liveNow: false,
    refresh: '30s',
    time: { from: 'now-1h', to: 'now' },
    timepicker: {},
    timezone: 'browser',
    weekStart: '',
    links: [
      { title: 'Marketshare', type: 'dashboards', tags: ['marketshare'], asDropdown: true, includeVars: true, keepTime: true },
    ],
    annotations: {
      list: [
        {
          builtIn: 1,
          datasource: { type: 'grafana', uid: '-- Grafana --' },
          enable: true,
          hide: true,
          iconColor: 'rgba(0, 211, 255, 1)',
          name: 'Annotations & Alerts',
          type: 'dashboard',
        },
      ],
    },
    templating: { list: variables(spec.variables) },
    panels,
  };
}

/** The label matchers every query of our own services carries. */
export const SVC = 'namespace=~"$namespace", service=~"$service"';

/** `num / den`, and 0 rather than no data when `num` has no series (no error happened yet). */
export function ratio(num: string, den: string, by: string): string {
  return `(sum by (${by}) (${num}) or (sum by (${by}) (${den}) * 0)) / sum by (${by}) (${den})`;
}

export function quantiles(bucket: string, by: string, legendPrefix: string): Query[] {
  return [0.5, 0.95, 0.99].map((quantile) =>
    q(
      `histogram_quantile(${quantile}, sum by (${by}, le) (rate(${bucket}[$__rate_interval])))`,
      `${legendPrefix} p${Math.round(quantile * 100)}`,
    ),
  );
}
