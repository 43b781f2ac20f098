/** Renders the authorization matrix as docs/authorization.md (see scripts/authorization-doc.ts). */
import {
  isKnownGap,
  PRINCIPAL_LABELS,
  PRINCIPALS,
  routeKey,
  type Outcome,
  type RouteCase,
  type ServiceName,
} from './types.js';

export const DOC_PATH = 'docs/authorization.md';
export const DOC_COMMAND = 'node --import tsx scripts/authorization-doc.ts';

const SERVICE_ORDER: readonly ServiceName[] = ['ms-auth', 'ms-users', 'ms-products', 'ms-orders'];

const HEADER = `# Authorization matrix

<!-- Generated from the table in e2e/authorization/ by \`${DOC_COMMAND}\`.
Do not edit by hand: change the table and run the command. scripts/test/authorization-doc.test.ts
fails when this file and the table differ; e2e/authorization.test.ts runs every cell against the stack. -->

Every route of every service, tried by nine principals; each cell is the status the route gives.
\`e2e/authorization.test.ts\` sends every one of these requests (public routes through the
gateway, \`/internal/...\` routes straight to the service, which the gateway never routes) and
checks the status. The table lists exactly the routes the services define: the test fails on a
route in an OpenAPI document (or a \`defineRoute\` in the source, for internal routes) that is
not in the table, and on a row for a route that does not exist. ms-email serves no routes of its
own (health, metrics and an empty OpenAPI document only).

## Principals

| principal | who |
|---|---|
| anonymous | no \`Authorization\` header |
| consumer A, seller A | own the fixtures: seller A's products and image, consumer A's orders, cart, delivered purchase and review |
| consumer B, seller B | the same roles, trying A's resources |
| admin | made with ms-users' \`create-admin\` CLI, logged in with the password grant |
| deactivated | a consumer who logged in, then deactivated the account (\`DELETE /api/users/me\`), still holding the unexpired access token; the deactivation revoked it (\`auth.subject_revoked\`), and the test waits until every service has applied that |
| service, no scope | a client-credentials token of the \`ms-users\` client, which holds no scope |
| service, scope | a client-credentials token of the \`ms-orders\` client with every scope it may obtain (\`stock:reserve users:read\`) |

Requests are real but harmless: valid bodies where a 2xx is expected, fresh fixtures for an
owner's destructive request (so the shared ones stay as the other rows expect), and
self-deactivation last. A cell such as **401** ⚠ (today 200) is a known gap: the secure answer
first, what the services give today after it (listed under [Known gaps](#known-gaps)); the
test checks today's status, so it fails, and the table must be updated, once the gap is closed.
`;

function cell(outcome: Outcome): string {
  return isKnownGap(outcome) ? `**${outcome.expected}** ⚠ (today ${outcome.actual})` : String(outcome);
}

function serviceSection(service: ServiceName, routes: readonly RouteCase[]): string {
  const header = `| route | via | ${PRINCIPALS.map((who) => PRINCIPAL_LABELS[who]).join(' | ')} |`;
  const divider = `|---|---|${PRINCIPALS.map(() => '---').join('|')}|`;
  const rows = routes.map(
    (route) =>
      `| \`${routeKey(route)}\` | ${route.via} | ${PRINCIPALS.map((who) => cell(route.expect[who])).join(' | ')} |`,
  );
  // Routes that share a note (the internal reservation routes, the cart) share one line.
  const routesByNote = new Map<string, string[]>();
  for (const route of routes) {
    if (route.note === undefined) continue;
    routesByNote.set(route.note, [...(routesByNote.get(route.note) ?? []), `\`${routeKey(route)}\``]);
  }
  const notes = [...routesByNote].map(([note, keys]) => `- ${keys.join(', ')}: ${note}`);
  return [`## ${service}`, '', header, divider, ...rows, ...(notes.length > 0 ? ['', ...notes] : [])].join(
    '\n',
  );
}

function gapsSection(routes: readonly RouteCase[]): string {
  const rows = routes.flatMap((route) =>
    PRINCIPALS.flatMap((who) => {
      const outcome = route.expect[who];
      if (!isKnownGap(outcome)) return [];
      return [
        `| \`${routeKey(route)}\` | ${PRINCIPAL_LABELS[who]} | ${outcome.expected} | ${outcome.actual} | ${outcome.why} |`,
      ];
    }),
  );
  const body =
    rows.length === 0
      ? 'None.'
      : [
          'Access tokens are verified locally by each service and stay valid until they expire (5 minutes',
          'by default; README, Known limits). Only ms-users looks at the account itself, and only where',
          'it changes it. Until revocation reaches the services (issue 12, hardening), these requests',
          'get through:',
          '',
          '| route | principal | secure | today | what happens |',
          '|---|---|---|---|---|',
          ...rows,
        ].join('\n');
  return `## Known gaps\n\n${body}`;
}

export function renderAuthorizationDoc(matrix: readonly RouteCase[]): string {
  const sections = SERVICE_ORDER.map((service) =>
    serviceSection(
      service,
      matrix.filter((route) => route.service === service),
    ),
  );
  return `${[HEADER.trimEnd(), ...sections, gapsSection(matrix)].join('\n\n')}\n`;
}
