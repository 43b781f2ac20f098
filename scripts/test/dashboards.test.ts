import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Value } from '@sinclair/typebox/value';
import { DashboardSchema, inspectPromql, schemaErrors, variableSelector } from '../grafana/check.js';
import { DASHBOARDS, renderDashboard } from '../grafana/dashboards.js';
import { LINKERD_LABELS, LINKERD_METRICS } from '../grafana/dashboards-infra.js';
import { DATASOURCE_UIDS, PROMETHEUS_REF } from '../grafana/lib.js';

const root = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = path.join(root, 'grafana', 'dashboards');
const files = readdirSync(dir)
  .filter((file) => file.endsWith('.json'))
  .sort();
const read = (file: string): unknown => JSON.parse(readFileSync(path.join(dir, file), 'utf8'));

describe('Grafana dashboards (grafana/dashboards)', () => {
  it('are exactly what scripts/grafana generates (run scripts/grafana/build.ts after a change)', () => {
    assert.deepEqual(files, Object.keys(DASHBOARDS).sort());
    for (const [file, make] of Object.entries(DASHBOARDS)) {
      assert.equal(readFileSync(path.join(dir, file), 'utf8'), renderDashboard(make), file);
    }
  });

  for (const file of files) {
    describe(file, () => {
      const raw = read(file);
      it('is valid for the dashboard schema', () => {
        assert.deepEqual(schemaErrors(raw), []);
      });
      if (!Value.Check(DashboardSchema, raw)) return;
      const board = raw;

      it('has unique panel ids, panels inside the 24-column grid and not overlapping', () => {
        const ids = board.panels.map((panel) => panel.id);
        assert.equal(new Set(ids).size, ids.length);
        const cells = new Set<string>();
        for (const { gridPos, title } of board.panels) {
          assert.ok(gridPos.x + gridPos.w <= 24, title);
          for (let x = gridPos.x; x < gridPos.x + gridPos.w; x++)
            for (let y = gridPos.y; y < gridPos.y + gridPos.h; y++) {
              assert.ok(!cells.has(`${x},${y}`), `${title} overlaps another panel`);
              cells.add(`${x},${y}`);
            }
        }
      });

      it('has the datasource, namespace and service variables, and refers only to them', () => {
        assert.deepEqual(
          board.templating.list.map((v) => v.name),
          ['datasource', 'namespace', 'service'],
        );
        for (const panel of board.panels) {
          for (const ref of [panel.datasource, ...panel.targets.map((t) => t.datasource)]) {
            assert.ok(
              [PROMETHEUS_REF.uid, DATASOURCE_UIDS.prometheus].some((uid) => uid === ref.uid),
              panel.title,
            );
          }
        }
      });

      it('has a unit and a description on every panel', () => {
        for (const panel of board.panels) {
          assert.ok(panel.fieldConfig.defaults.unit !== '', panel.title);
          assert.ok(panel.description.length >= 10, panel.title);
        }
      });

      it('parses every PromQL expression and takes every rate over $__rate_interval', () => {
        for (const panel of board.panels) {
          for (const { expr } of panel.targets) {
            const facts = inspectPromql(expr);
            assert.deepEqual(facts.errors, [], `${panel.title}: ${expr}`);
            assert.deepEqual(facts.fixedRates, [], `${panel.title}: ${expr}`);
          }
        }
        for (const variable of board.templating.list) {
          const definition = Reflect.get(variable, 'definition');
          if (typeof definition !== 'string') continue;
          const selector = variableSelector(definition);
          assert.ok(selector !== undefined, definition);
          assert.deepEqual(inspectPromql(selector).errors, [], definition);
        }
      });

      if (file === 'linkerd.json') {
        it('uses only metric and label names the Linkerd proxy exports', () => {
          for (const panel of board.panels) {
            for (const { expr } of panel.targets) {
              const facts = inspectPromql(expr);
              for (const metric of facts.metrics)
                assert.ok(LINKERD_METRICS.includes(metric), `${metric} in ${panel.title}`);
              for (const label of facts.labels)
                assert.ok(LINKERD_LABELS.includes(label), `${label} in ${panel.title}`);
            }
          }
        });
      }
    });
  }
});

describe('Grafana provisioning (grafana/provisioning)', () => {
  const datasources = readFileSync(
    path.join(root, 'grafana/provisioning/datasources/datasources.yml'),
    'utf8',
  );
  it('provisions Prometheus and the trace datasource under the uids the dashboards use', () => {
    assert.match(datasources, new RegExp(`uid: ${DATASOURCE_UIDS.prometheus}\\n\\s+type: prometheus`));
    assert.match(datasources, new RegExp(`uid: ${DATASOURCE_UIDS.traces}\\n`));
    assert.match(
      datasources,
      new RegExp(
        `exemplarTraceIdDestinations:\\n\\s+- name: trace_id\\n\\s+datasourceUid: ${DATASOURCE_UIDS.traces}`,
      ),
    );
  });
  it('has a file provider for the dashboards folder', () => {
    const provider = readFileSync(path.join(root, 'grafana/provisioning/dashboards/dashboards.yml'), 'utf8');
    assert.match(provider, /type: file\n[\s\S]*path: \/var\/lib\/grafana\/dashboards/);
  });
});
