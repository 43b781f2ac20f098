/**
 * Static checks of the repository's Dockerfiles (no engine here to build them): pinned base
 * images, `npm ci`, and a final stage that runs as a non-root user, has a HEALTHCHECK, preloads
 * the telemetry SDK, and carries no dev tools and no secrets.
 */

export interface Instruction {
  keyword: string;
  args: string;
}

export interface Stage {
  name: string | undefined;
  from: string;
  instructions: Instruction[];
}

/** Instructions with continuation lines joined and comments dropped, grouped by FROM. */
export function parseDockerfile(text: string): Stage[] {
  const logical: string[] = [];
  let pending = '';
  for (const line of text.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#') || trimmed === '') continue;
    pending += pending ? ` ${trimmed}` : trimmed;
    if (pending.endsWith('\\')) pending = pending.slice(0, -1).trimEnd();
    else {
      logical.push(pending);
      pending = '';
    }
  }
  if (pending) logical.push(pending);
  const stages: Stage[] = [];
  for (const line of logical) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const instruction = { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    if (instruction.keyword === 'FROM') {
      const [from = '', as, name] = rest.filter((word) => !word.startsWith('--'));
      stages.push({ from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

const PINNED_BASE = /^[\w./-]+:\d+\.\d+\.\d+[-\w.]*$|@sha256:[0-9a-f]{64}$/;
const DEV_TOOL_IN_RUN = /\b(npm|npx|yarn|pnpm|corepack)\s+(ci|install|add|exec|run)\b|\bapt-get\s+install\b/;
const SECRET_NAME = /(SECRET|PASSWORD|TOKEN|PRIVATE_KEY|API_KEY)/i;

function installsDevDependencies(stage: Stage): boolean {
  return stage.instructions.some(
    (instruction) =>
      instruction.keyword === 'RUN' &&
      /\bnpm\s+(ci|install)\b/.test(instruction.args) &&
      !/--omit=dev|--production\b/.test(instruction.args),
  );
}

/** Problems of one Dockerfile, each prefixed with `label`. */
export function dockerfileProblems(label: string, text: string): string[] {
  const stages = parseDockerfile(text);
  const final = stages.at(-1);
  if (!final) return [`${label}: no FROM`];
  const problems: string[] = [];
  const stageNames = new Set(stages.map((stage) => stage.name).filter((name) => name !== undefined));
  for (const stage of stages) {
    if (!stageNames.has(stage.from) && !PINNED_BASE.test(stage.from)) {
      problems.push(
        `${label}: base image ${stage.from} is not pinned to an exact version (e.g. node:20.20.2-bookworm-slim)`,
      );
    }
  }
  const all = stages.flatMap((stage) => stage.instructions);
  if (!all.some((instruction) => instruction.keyword === 'RUN' && /\bnpm\s+ci\b/.test(instruction.args))) {
    problems.push(`${label}: dependencies are not installed with npm ci (from the lockfile)`);
  }
  const user = final.instructions.filter((instruction) => instruction.keyword === 'USER').at(-1);
  if (!user) problems.push(`${label}: the final stage has no USER (it would run as root)`);
  else if (/^(root|0)(:|$)/.test(user.args)) problems.push(`${label}: the final stage runs as ${user.args}`);
  const healthcheck = final.instructions.find((instruction) => instruction.keyword === 'HEALTHCHECK');
  if (!healthcheck || /^NONE\b/i.test(healthcheck.args))
    problems.push(`${label}: the final stage has no HEALTHCHECK`);
  else if (!healthcheck.args.includes('/healthz'))
    problems.push(`${label}: the HEALTHCHECK does not ask /healthz`);
  const cmd = final.instructions.find(
    (instruction) => instruction.keyword === 'CMD' || instruction.keyword === 'ENTRYPOINT',
  );
  if (!cmd?.args.includes('@marketshare/platform/telemetry-register')) {
    problems.push(`${label}: the command does not preload @marketshare/platform/telemetry-register`);
  }
  for (const instruction of final.instructions) {
    if (instruction.keyword === 'RUN' && DEV_TOOL_IN_RUN.test(instruction.args)) {
      problems.push(`${label}: the final stage installs or runs build tooling: RUN ${instruction.args}`);
    }
    if (instruction.keyword === 'COPY') {
      const source = /--from=(\S+)/.exec(instruction.args)?.[1];
      const stage = stages.find((candidate) => candidate.name === source);
      const paths = instruction.args
        .split(/\s+/)
        .filter((word) => !word.startsWith('--'))
        .slice(0, -1);
      const carriesModules = paths.some(
        (copied) => copied.includes('node_modules') || /^\/app\/?$/.test(copied),
      );
      if (stage && installsDevDependencies(stage) && carriesModules) {
        problems.push(
          `${label}: the final stage copies dev dependencies from stage ${source ?? ''}: COPY ${instruction.args}`,
        );
      }
    }
  }
  for (const instruction of all) {
    if (instruction.keyword !== 'ENV' && instruction.keyword !== 'ARG') continue;
    const names = [...instruction.args.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=/g)].map((match) => match[1] ?? '');
    const secret = names.find((name) => SECRET_NAME.test(name));
    if (secret) problems.push(`${label}: ${instruction.keyword} ${secret} puts a secret in the image`);
  }
  return problems;
}
