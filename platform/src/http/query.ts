import { validationFailed } from '../errors.js';
import type { FieldProblem } from '../validation.js';

function decodes(component: string): boolean {
  try {
    decodeURIComponent(component.replace(/\+/g, ' '));
    return true;
  } catch {
    return false;
  }
}

/**
 * Node decodes a percent-encoding that is not UTF-8 (`?q=%FF`) to U+FFFD without a word; a
 * query that says something else than it seems is refused instead, naming the parameter.
 */
export function assertQueryIsUtf8(querystring: string): void {
  const problems: FieldProblem[] = [];
  for (const pair of querystring.split('&')) {
    const separator = pair.indexOf('=');
    const key = separator === -1 ? pair : pair.slice(0, separator);
    const value = separator === -1 ? '' : pair.slice(separator + 1);
    if (decodes(key) && decodes(value)) continue;
    const name = decodes(key) ? decodeURIComponent(key.replace(/\+/g, ' ')) : '(name)';
    problems.push({ field: `query.${name}`, message: 'is not valid UTF-8 percent-encoding' });
  }
  if (problems.length > 0) throw validationFailed(problems);
}
