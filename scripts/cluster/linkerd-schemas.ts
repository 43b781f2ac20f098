/**
 * Schemas of the Linkerd policy resources the chart makes, transcribed from Linkerd's own CRDs
 * (github.com/linkerd/linkerd2, charts/linkerd-crds/templates/policy/*.yaml at edge-26.8.3,
 * commit b24cd405): Server v1beta3, AuthorizationPolicy, MeshTLSAuthentication and
 * NetworkAuthentication v1alpha1 in full; HTTPRoute v1beta3 for the fields we use (parentRefs,
 * hostnames, rules[].matches) — its filters, backendRefs and timeouts are left out on purpose,
 * so that using them fails here until this module learns them. Unlike the API server, which
 * silently prunes unknown fields of a structural CRD, every object here has
 * additionalProperties: false: a misspelt field is an error, not a policy that does nothing.
 */

export interface Schema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'boolean';
  properties?: Record<string, Schema>;
  required?: string[];
  /** false: unknown keys are errors; a Schema: every value of a map. */
  additionalProperties?: false | Schema;
  items?: Schema;
  enum?: readonly (string | number)[];
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  /** Exactly one of these lists of required keys holds (the CRDs' oneOf: [required]). */
  oneOfRequired?: string[][];
  /** x-kubernetes-int-or-string */
  intOrString?: true;
}

const DNS_GROUP = '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const KIND = '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$';
const strictObject = (properties: Record<string, Schema>, required: string[] = []): Schema => ({
  type: 'object',
  properties,
  required,
  additionalProperties: false,
});
const labels: Schema = { type: 'object', additionalProperties: { type: 'string' } };
const metadata = strictObject(
  { name: { type: 'string', minLength: 1 }, namespace: { type: 'string' }, labels, annotations: labels },
  ['name'],
);
const group: Schema = { type: 'string', maxLength: 253, pattern: DNS_GROUP };
const kind: Schema = { type: 'string', minLength: 1, maxLength: 63, pattern: KIND };
const name: Schema = { type: 'string', minLength: 1, maxLength: 253 };
const selector = strictObject({
  matchLabels: labels,
  matchExpressions: {
    type: 'array',
    items: strictObject(
      {
        key: { type: 'string' },
        operator: { type: 'string', enum: ['In', 'NotIn', 'Exists', 'DoesNotExist'] },
        values: { type: 'array', items: { type: 'string' } },
      },
      ['key', 'operator'],
    ),
  },
});

const resource = (apiVersion: string, kindName: string, spec: Schema): Schema =>
  strictObject(
    {
      apiVersion: { type: 'string', enum: [apiVersion] },
      kind: { type: 'string', enum: [kindName] },
      metadata,
      spec,
    },
    ['apiVersion', 'kind', 'metadata', 'spec'],
  );

// The CRD types accessPolicy and proxyProtocol as plain strings; the enums are the values
// Linkerd's policy controller accepts (linkerd.io reference, "Authorization Policy"), to catch typos.
const server = resource('policy.linkerd.io/v1beta3', 'Server', {
  ...strictObject(
    {
      accessPolicy: {
        type: 'string',
        enum: [
          'deny',
          'all-authenticated',
          'all-unauthenticated',
          'cluster-authenticated',
          'cluster-unauthenticated',
          'audit',
        ],
      },
      podSelector: selector,
      externalWorkloadSelector: selector,
      port: { intOrString: true },
      proxyProtocol: { type: 'string', enum: ['unknown', 'HTTP/1', 'HTTP/2', 'gRPC', 'opaque', 'TLS'] },
    },
    ['port'],
  ),
  oneOfRequired: [['podSelector'], ['externalWorkloadSelector']],
});

const authorizationPolicy = resource(
  'policy.linkerd.io/v1alpha1',
  'AuthorizationPolicy',
  strictObject(
    {
      targetRef: strictObject({ group, kind, name }, ['kind', 'name']),
      requiredAuthenticationRefs: {
        type: 'array',
        items: strictObject({ group, kind, name, namespace: { type: 'string', maxLength: 253 } }, [
          'kind',
          'name',
        ]),
      },
    },
    ['targetRef', 'requiredAuthenticationRefs'],
  ),
);

const meshTlsAuthentication = resource('policy.linkerd.io/v1alpha1', 'MeshTLSAuthentication', {
  ...strictObject({
    identities: { type: 'array', minItems: 1, items: { type: 'string' } },
    identityRefs: {
      type: 'array',
      minItems: 1,
      items: strictObject({ group, kind, name, namespace: { type: 'string', maxLength: 253 } }, ['kind']),
    },
  }),
  oneOfRequired: [['identities'], ['identityRefs']],
});

const networkAuthentication = resource(
  'policy.linkerd.io/v1alpha1',
  'NetworkAuthentication',
  strictObject(
    {
      networks: {
        type: 'array',
        items: strictObject(
          { cidr: { type: 'string' }, except: { type: 'array', items: { type: 'string' } } },
          ['cidr'],
        ),
      },
    },
    ['networks'],
  ),
);

const httpMatch = strictObject({
  path: strictObject({
    type: { type: 'string', enum: ['Exact', 'PathPrefix', 'RegularExpression'] },
    value: { type: 'string', maxLength: 1024 },
  }),
  method: {
    type: 'string',
    enum: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'CONNECT', 'OPTIONS', 'TRACE', 'PATCH'],
  },
  headers: {
    type: 'array',
    maxItems: 16,
    items: strictObject(
      {
        name: { type: 'string', minLength: 1, maxLength: 256 },
        type: { type: 'string', enum: ['Exact', 'RegularExpression'] },
        value: { type: 'string', minLength: 1, maxLength: 4096 },
      },
      ['name', 'value'],
    ),
  },
  queryParams: {
    type: 'array',
    maxItems: 16,
    items: strictObject(
      {
        name: { type: 'string', minLength: 1, maxLength: 256 },
        type: { type: 'string', enum: ['Exact', 'RegularExpression'] },
        value: { type: 'string', minLength: 1, maxLength: 1024 },
      },
      ['name', 'value'],
    ),
  },
});

const httpRoute = resource(
  'policy.linkerd.io/v1beta3',
  'HTTPRoute',
  strictObject({
    parentRefs: {
      type: 'array',
      maxItems: 32,
      items: strictObject(
        {
          group,
          kind,
          name,
          namespace: { type: 'string', minLength: 1, maxLength: 63 },
          port: { type: 'integer', minimum: 1, maximum: 65535 },
          sectionName: { type: 'string', minLength: 1, maxLength: 253 },
        },
        ['name'],
      ),
    },
    hostnames: { type: 'array', maxItems: 16, items: { type: 'string', minLength: 1, maxLength: 253 } },
    rules: {
      type: 'array',
      maxItems: 16,
      items: strictObject({ matches: { type: 'array', maxItems: 8, items: httpMatch } }),
    },
  }),
);

/** Schema by `apiVersion/kind`. */
export const LINKERD_SCHEMAS: ReadonlyMap<string, Schema> = new Map([
  ['policy.linkerd.io/v1beta3/Server', server],
  ['policy.linkerd.io/v1alpha1/AuthorizationPolicy', authorizationPolicy],
  ['policy.linkerd.io/v1alpha1/MeshTLSAuthentication', meshTlsAuthentication],
  ['policy.linkerd.io/v1alpha1/NetworkAuthentication', networkAuthentication],
  ['policy.linkerd.io/v1beta3/HTTPRoute', httpRoute],
]);
