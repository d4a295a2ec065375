/**
 * Reads the runtime's `/metrics` answer (Prometheus text exposition format 0.0.4, as prom-client
 * writes it) into samples. Only what the edge agent needs: sample lines `name{labels} value`;
 * comments, `# HELP` and `# TYPE` lines are skipped, timestamps ignored. Written here rather than
 * taken from a package: the npm parsers of this format are unmaintained, and the subset prom-client
 * emits (escaped label values, `NaN`, `+Inf`) is small.
 */

export interface PromSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

function parseValue(s: string): number {
  if (s === '+Inf' || s === 'Inf') return Infinity;
  if (s === '-Inf') return -Infinity;
  if (s === 'NaN') return NaN;
  return Number(s);
}

function parseLabels(text: string, line: string): Record<string, string> {
  const labels: Record<string, string> = Object.create(null) as Record<string, string>;
  let i = 0;
  while (i < text.length) {
    while (text[i] === ',' || text[i] === ' ') i++;
    if (i >= text.length) break;
    const eq = text.indexOf('=', i);
    if (eq < 0 || text[eq + 1] !== '"') throw new Error(`malformed labels in metrics line: ${line}`);
    const name = text.slice(i, eq).trim();
    let j = eq + 2;
    let value = '';
    for (; j < text.length && text[j] !== '"'; j++) {
      if (text[j] === '\\') {
        j++;
        value += text[j] === 'n' ? '\n' : text[j];
      } else value += text[j];
    }
    if (j >= text.length) throw new Error(`unterminated label value in metrics line: ${line}`);
    labels[name] = value;
    i = j + 1;
  }
  return labels;
}

/** Every sample of a metrics page. Malformed lines throw (the page is not the runtime's). */
export function parsePrometheusText(page: string): PromSample[] {
  const out: PromSample[] = [];
  for (const raw of page.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const brace = line.indexOf('{');
    const space = line.indexOf(' ');
    let name: string;
    let labels: Record<string, string> = {};
    let rest: string;
    if (brace >= 0 && (space < 0 || brace < space)) {
      const close = line.lastIndexOf('}');
      if (close < brace) throw new Error(`malformed metrics line: ${line}`);
      name = line.slice(0, brace);
      labels = parseLabels(line.slice(brace + 1, close), line);
      rest = line.slice(close + 1).trim();
    } else {
      if (space < 0) throw new Error(`malformed metrics line: ${line}`);
      name = line.slice(0, space);
      rest = line.slice(space + 1).trim();
    }
    const value = parseValue(rest.split(/\s+/)[0] ?? '');
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new Error(`malformed metric name in line: ${line}`);
    out.push({ name, labels, value });
  }
  return out;
}
