/**
 * Validates rendered objects against the Kubernetes OpenAPI schemas of `kubernetes-models`
 * (types, required fields, formats) and, since that library lets unknown fields through, walks
 * each object against the same package's generated type declarations (one interface per
 * OpenAPI definition) and reports every field the API does not define. The API server would
 * reject those under `kubectl apply --validate=strict` (the default), so we do too.
 */
import path from 'node:path';
import ts from 'typescript';
import type { KubeObject } from './helm.js';
import { REPO_ROOT } from './helm.js';

const MODELS_DIR = path.join(REPO_ROOT, 'node_modules/kubernetes-models');

/** "apps/v1" + "Deployment" -> "apps/v1/Deployment"; the core group lives under "v1/". */
function modelPath(object: KubeObject): string {
  return `${object.apiVersion}/${object.kind}`;
}

interface Model {
  validate(): void;
}
type ModelClass = new (data: KubeObject) => Model;

function isModelClass(value: unknown): value is ModelClass {
  return typeof value === 'function';
}

async function loadModel(object: KubeObject): Promise<ModelClass | undefined> {
  try {
    const loaded: Record<string, unknown> = await import(`kubernetes-models/${modelPath(object)}`);
    const model = loaded[object.kind];
    return isModelClass(model) ? model : undefined;
  } catch {
    return undefined;
  }
}

interface Declarations {
  checker: ts.TypeChecker;
  types: Map<string, ts.Type>;
}
// Building the program takes seconds; a broken copy of the same objects reuses it.
const declarationsCache = new Map<string, Declarations>();

/** The types of the kinds given, from one TypeScript program over their declarations. */
function declarationTypes(objects: KubeObject[]): Declarations {
  const cacheKey = [...new Set(objects.map(modelPath))].sort().join(',');
  const cached = [...declarationsCache.entries()].find(([key]) =>
    cacheKey.split(',').every((part) => key.split(',').includes(part)),
  );
  if (cached !== undefined) return cached[1];
  const files = new Map<string, string>();
  for (const object of objects)
    files.set(modelPath(object), path.join(MODELS_DIR, `${modelPath(object)}.d.ts`));
  const program = ts.createProgram([...files.values()], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const types = new Map<string, ts.Type>();
  for (const [key, file] of files) {
    const source = program.getSourceFile(file);
    if (source === undefined) continue;
    const kind = key.split('/').at(-1) ?? '';
    const moduleSymbol = checker.getSymbolAtLocation(source);
    const exported = moduleSymbol === undefined ? [] : checker.getExportsOfModule(moduleSymbol);
    const iface = exported.find((symbol) => symbol.getName() === `I${kind}`);
    if (iface !== undefined) types.set(key, checker.getDeclaredTypeOfSymbol(iface));
  }
  declarationsCache.set(cacheKey, { checker, types });
  return { checker, types };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A type that admits anything (RawExtension, JSON, `{}`): nothing to walk. */
function isOpen(checker: ts.TypeChecker, type: ts.Type): boolean {
  if (type.flags & (ts.TypeFlags.Any | ts.TypeFlags.Unknown)) return true;
  return (
    (type.flags & ts.TypeFlags.Object) !== 0 &&
    checker.getPropertiesOfType(type).length === 0 &&
    type.getStringIndexType() === undefined
  );
}

function unknownFields(
  checker: ts.TypeChecker,
  value: unknown,
  declared: ts.Type,
  at: string,
  found: string[],
): void {
  if (value === null || value === undefined) return;
  const type = checker.getNonNullableType(declared);
  if (isOpen(checker, type)) return;
  const candidates = type.isUnion() ? type.types : [type];
  if (Array.isArray(value)) {
    const arrayType = candidates.find((candidate) => checker.isArrayType(candidate));
    // isArrayType is true only for a TypeReference to Array, which getTypeArguments needs.
    const element =
      arrayType === undefined ? undefined : checker.getTypeArguments(arrayType as ts.TypeReference)[0];
    if (element !== undefined)
      value.forEach((item, index) => unknownFields(checker, item, element, `${at}[${index}]`, found));
    return;
  }
  if (!isPlainObject(value)) return;
  const objectTypes = candidates.filter(
    (candidate) => (candidate.flags & ts.TypeFlags.Object) !== 0 && !checker.isArrayType(candidate),
  );
  if (objectTypes.length === 0 || objectTypes.some((candidate) => isOpen(checker, candidate))) return;
  for (const [key, child] of Object.entries(value)) {
    const owner = objectTypes.find((candidate) => candidate.getProperty(key) !== undefined);
    const property = owner?.getProperty(key);
    if (property !== undefined) {
      unknownFields(checker, child, checker.getTypeOfSymbol(property), `${at}.${key}`, found);
      continue;
    }
    const indexType = objectTypes
      .map((candidate) => candidate.getStringIndexType())
      .find((entry) => entry !== undefined);
    if (indexType !== undefined) unknownFields(checker, child, indexType, `${at}.${key}`, found);
    else found.push(`${at}.${key}`);
  }
}

export interface SchemaProblem {
  object: string;
  problem: string;
}

/** Problems of every object whose kind kubernetes-models knows; `isKnown` decides the rest. */
export async function validateKubernetesObjects(
  objects: KubeObject[],
): Promise<{ problems: SchemaProblem[]; unknownKinds: KubeObject[] }> {
  const problems: SchemaProblem[] = [];
  const known: KubeObject[] = [];
  const unknownKinds: KubeObject[] = [];
  for (const object of objects) {
    const model = await loadModel(object);
    if (model === undefined) {
      unknownKinds.push(object);
      continue;
    }
    known.push(object);
    try {
      new model(object).validate();
    } catch (error) {
      problems.push({
        object: `${object.kind}/${object.metadata.name}`,
        problem: error instanceof Error ? error.message : String(error),
      });
    }
  }
  const { checker, types } = declarationTypes(known);
  for (const object of known) {
    const type = types.get(modelPath(object));
    if (type === undefined) {
      problems.push({
        object: `${object.kind}/${object.metadata.name}`,
        problem: 'no type declaration found',
      });
      continue;
    }
    const found: string[] = [];
    unknownFields(checker, object, type, '', found);
    for (const field of found)
      problems.push({
        object: `${object.kind}/${object.metadata.name}`,
        problem: `unknown field ${field.slice(1)}`,
      });
  }
  return { problems, unknownKinds };
}
