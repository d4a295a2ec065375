/**
 * A package's example request (`exampleRequest` in the manifest): an Open Inference Protocol v2
 * JSON request body the model answers. The runtime warms a model up with it when zero-filled
 * inputs cannot run (a string input the model parses as a number, for instance); `servingstack
 * package` and the AWS constructs check it against the signature at synth time.
 */
import { datatypeInfo, Datatype } from './dtypes';
import { IssueCollector, ServingStackError } from './errors';
import type { Signature } from './manifest';

/** One input of an example request, checked against the signature. */
export interface ExampleInput {
  readonly name: string;
  readonly datatype: Datatype;
  readonly shape: readonly number[];
  readonly data: unknown;
}

const MAX_LEAVES = 1 << 20;
const MAX_DEPTH = 32;

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Leaves of a nested JSON array, and whether each one has the JSON type the datatype takes. */
function leaves(data: unknown, datatype: Datatype): { count: number; badType?: unknown; tooDeep?: boolean } {
  const info = datatypeInfo(datatype);
  const fits = (v: unknown): boolean => {
    if (datatype === 'BYTES') return typeof v === 'string';
    if (datatype === 'BOOL') return typeof v === 'boolean' || v === 0 || v === 1;
    if (info.float) return typeof v === 'number' || v === 'NaN' || v === 'Infinity' || v === '-Infinity';
    return (typeof v === 'number' && Number.isInteger(v)) || (typeof v === 'string' && /^-?\d{1,20}$/.test(v));
  };
  let count = 0;
  let badType: unknown;
  let tooDeep = false;
  const walk = (v: unknown, depth: number): void => {
    if (count > MAX_LEAVES || tooDeep) return;
    if (Array.isArray(v)) {
      if (depth >= MAX_DEPTH) {
        tooDeep = true;
        return;
      }
      for (const x of v) walk(x, depth + 1);
      return;
    }
    count++;
    if (badType === undefined && !fits(v)) badType = v === undefined ? null : v;
  };
  if (Array.isArray(data)) walk(data, 0);
  else walk([data], 0);
  return { count, ...(badType !== undefined ? { badType } : {}), ...(tooDeep ? { tooDeep } : {}) };
}

/**
 * Check an example request document against a signature. Every problem is collected, with
 * fields like `exampleRequest.inputs[0].shape`. Returns the inputs when the document is valid.
 */
export function checkExampleRequest(doc: unknown, signature: Signature, issues: IssueCollector, field = 'exampleRequest'): ExampleInput[] | undefined {
  if (!isObject(doc) || !Array.isArray(doc.inputs)) {
    issues.add({ field, message: 'is not an Open Inference Protocol request', received: isObject(doc) ? Object.keys(doc) : doc, allowed: '{"inputs": [{"name", "datatype", "shape", "data"}]}' });
    return undefined;
  }
  const start = issues.issues.length;
  const specs = new Map(signature.inputs.map((t) => [t.name, t]));
  const seen = new Set<string>();
  const out: ExampleInput[] = [];
  doc.inputs.forEach((raw: unknown, i: number) => {
    const f = `${field}.inputs[${i}]`;
    if (!isObject(raw)) {
      issues.add({ field: f, message: 'is not an object', received: raw, allowed: '{"name", "datatype", "shape", "data"}' });
      return;
    }
    const name = raw.name;
    const spec = typeof name === 'string' ? specs.get(name) : undefined;
    if (!spec) {
      issues.add({ field: `${f}.name`, message: 'is not an input of the model', received: name, allowed: [...specs.keys()].join(', ') || '(the model has no inputs)' });
      return;
    }
    if (!issues.check(!seen.has(spec.name), { field: `${f}.name`, message: 'duplicates another input', received: name, allowed: 'each input once' })) return;
    seen.add(spec.name);
    issues.check(raw.datatype === spec.datatype, { field: `${f}.datatype`, message: `differs from the signature's input ${JSON.stringify(spec.name)}`, received: raw.datatype, allowed: spec.datatype });
    const shape = raw.shape;
    const shapeOk =
      Array.isArray(shape) &&
      shape.length === spec.shape.length &&
      shape.every((d: unknown, k: number) => typeof d === 'number' && Number.isInteger(d) && d >= 0 && (spec.shape[k] === -1 || spec.shape[k] === d));
    if (!issues.check(shapeOk, { field: `${f}.shape`, message: `does not fit the signature's input ${JSON.stringify(spec.name)}`, received: shape, allowed: `[${spec.shape.join(', ')}] (-1 = any size ≥ 0)` })) return;
    const declared = (shape as number[]).reduce((a, b) => a * b, 1);
    if (!issues.check('data' in raw, { field: `${f}.data`, message: 'is missing', allowed: 'a flat or nested JSON array (binary data cannot be stored in an example request)' })) return;
    const l = leaves(raw.data, spec.datatype);
    if (l.tooDeep) {
      issues.add({ field: `${f}.data`, message: 'is nested too deeply', allowed: `at most ${MAX_DEPTH} levels` });
      return;
    }
    issues.check(l.count === declared, { field: `${f}.data`, message: `has ${l.count} elements but its shape declares ${declared}`, received: l.count, allowed: String(declared) });
    if (l.badType !== undefined) issues.add({ field: `${f}.data`, message: `holds a value that is not ${spec.datatype}`, received: l.badType, allowed: `${spec.datatype} values` });
    out.push({ name: spec.name, datatype: spec.datatype, shape: shape as number[], data: raw.data });
  });
  for (const spec of signature.inputs) {
    if (!seen.has(spec.name)) issues.add({ field: `${field}.inputs`, message: `lacks the model's input ${JSON.stringify(spec.name)}`, received: [...seen], allowed: `every input: ${signature.inputs.map((t) => t.name).join(', ')}` });
  }
  return issues.issues.length === start ? out : undefined;
}

/** Parse example request JSON text and check it; throws `SS_ERR_PACKAGE_INVALID` listing every problem. */
export function parseExampleRequest(text: string, signature: Signature, source: string): ExampleInput[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ServingStackError('SS_ERR_PACKAGE_INVALID', `${source} is not a valid example request`, [{ field: 'exampleRequest', message: `is not JSON (${(e as Error).message})`, allowed: 'an Open Inference Protocol v2 JSON request' }]);
  }
  const issues = new IssueCollector();
  const inputs = checkExampleRequest(doc, signature, issues);
  issues.throwIfAny('SS_ERR_PACKAGE_INVALID', `${source} is not a valid example request`);
  return inputs!;
}
