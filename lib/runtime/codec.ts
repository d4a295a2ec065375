/**
 * Request and response bodies of every protocol the runtime speaks, translated to and from
 * tensors checked against the model's signature:
 * - Open Inference Protocol v2 JSON, and its binary tensor data extension;
 * - `{ instances, parameters }` → `{ predictions }` (Vertex AI, KServe v1, SageMaker JSON);
 * - CSV rows (SageMaker).
 */
import { Datatype, isDatatype } from '../core/dtypes';
import { rtError } from './errors';
import type { ModelResult, ServedModel } from './model';
import { checkShape, decodeBinaryData, DecodeLimits, Tensor, TensorData, toBinary, toJsonArray } from './tensor';
import { decodeJsonData } from './tensor-json';

/** What the scheduler needs, validated. */
export interface PreparedInputs {
  readonly inputs: readonly Tensor[];
  readonly rows: number;
  readonly outputs: readonly string[];
  readonly batchKey: string;
}

export interface OipRequest extends PreparedInputs {
  readonly id?: string;
  readonly parameters?: Record<string, unknown>;
  /** Output names to return as binary data. */
  readonly binaryOutputs: ReadonlySet<string>;
}

type Json = Record<string, unknown>;

function isObject(x: unknown): x is Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

export function parseJson(body: Buffer | string): unknown {
  try {
    return JSON.parse(typeof body === 'string' ? body : body.toString('utf8'));
  } catch (e) {
    throw rtError('RT_ERR_BAD_JSON', `the body is not valid JSON: ${(e as Error).message}`, { field: 'body', allowed: 'a JSON document' });
  }
}

/** Check tensors against the model signature and compute rows and the batch key. */
export function prepare(model: ServedModel, tensors: readonly Tensor[], requested: readonly string[] | undefined): PreparedInputs {
  const seen = new Set<string>();
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i];
    const spec = model.input(t.name);
    if (!spec) {
      throw rtError('RT_ERR_UNKNOWN_INPUT', `model '${model.name}' has no input '${t.name}'`, { field: `inputs[${i}].name`, received: t.name, allowed: model.inputs.map((x) => x.name).join(', ') });
    }
    if (seen.has(t.name)) {
      throw rtError('RT_ERR_DUPLICATE_INPUT', `input '${t.name}' is given twice`, { field: `inputs[${i}].name`, received: t.name, allowed: 'each input once' });
    }
    seen.add(t.name);
    if (t.datatype !== spec.datatype) {
      throw rtError('RT_ERR_DATATYPE', `input '${t.name}' has the wrong datatype`, { field: `inputs[${i}].datatype`, received: t.datatype, allowed: spec.datatype });
    }
    const shapeOk = t.shape.length === spec.shape.length && spec.shape.every((d, k) => d === -1 || d === t.shape[k]);
    if (!shapeOk) {
      throw rtError('RT_ERR_SHAPE', `input '${t.name}' has a shape the model does not take`, { field: `inputs[${i}].shape`, received: t.shape, allowed: `[${spec.shape.join(', ')}] (-1 = any size)` });
    }
  }
  for (const spec of model.inputs) {
    if (!seen.has(spec.name)) {
      throw rtError('RT_ERR_MISSING_INPUT', `input '${spec.name}' is missing`, { field: 'inputs', received: [...seen], allowed: model.inputs.map((x) => x.name).join(', ') });
    }
  }
  const ordered = model.inputs.map((spec) => tensors.find((t) => t.name === spec.name)!);
  let rows = 1;
  let batchKey = '';
  if (model.batchable) {
    rows = ordered[0].shape[0];
    for (let i = 0; i < ordered.length; i++) {
      if (ordered[i].shape[0] !== rows) {
        throw rtError('RT_ERR_SHAPE', `inputs disagree on the batch size (dimension 0)`, { field: `inputs.${ordered[i].name}.shape[0]`, received: ordered[i].shape[0], allowed: String(rows) });
      }
      batchKey += `${ordered[i].shape.slice(1).join('x')};`;
    }
  } else {
    batchKey = 'single';
  }
  let outputs: string[];
  if (!requested || requested.length === 0) outputs = model.outputs.map((o) => o.name);
  else {
    const uniq = new Set<string>();
    requested.forEach((name, i) => {
      if (!model.output(name)) throw rtError('RT_ERR_UNKNOWN_OUTPUT', `model '${model.name}' has no output '${name}'`, { field: `outputs[${i}].name`, received: name, allowed: model.outputs.map((o) => o.name).join(', ') });
      if (uniq.has(name)) throw rtError('RT_ERR_DUPLICATE_INPUT', `output '${name}' is requested twice`, { field: `outputs[${i}].name`, received: name, allowed: 'each output once' });
      uniq.add(name);
    });
    outputs = [...requested];
  }
  return { inputs: ordered, rows, outputs, batchKey };
}

// ---------------------------------------------------------------------------------------------
// Open Inference Protocol

/**
 * Parse an OIP inference request. `jsonLength` is the JSON header size for the binary tensor
 * extension (undefined: the whole body is JSON).
 */
export function parseOipRequest(model: ServedModel, body: Buffer, jsonLength: number | undefined, limits: DecodeLimits): OipRequest {
  if (jsonLength !== undefined && (jsonLength < 0 || jsonLength > body.length)) {
    throw rtError('RT_ERR_BINARY', 'the JSON header length is outside the body', { field: 'Inference-Header-Content-Length', received: jsonLength, allowed: `0 … ${body.length}` });
  }
  if (jsonLength === 0) return rawSingleInput(model, body, limits);
  const header = parseJson(jsonLength === undefined ? body : body.subarray(0, jsonLength));
  if (!isObject(header)) throw rtError('RT_ERR_BAD_REQUEST', 'the request must be a JSON object', { field: 'body', received: header, allowed: '{"inputs": [...]}' });
  // A model without inputs takes `"inputs": []` or no `inputs` at all.
  const rawInputs = header.inputs === undefined && model.inputs.length === 0 ? [] : header.inputs;
  if (!Array.isArray(rawInputs) || (rawInputs.length === 0 && model.inputs.length > 0)) {
    throw rtError('RT_ERR_BAD_REQUEST', 'inputs must be a non-empty array', { field: 'inputs', received: rawInputs, allowed: 'an array of {name, shape, datatype, data}' });
  }
  let offset = jsonLength ?? body.length;
  const tensors: Tensor[] = [];
  for (let i = 0; i < rawInputs.length; i++) {
    const inp: unknown = rawInputs[i];
    const field = `inputs[${i}]`;
    if (!isObject(inp)) throw rtError('RT_ERR_BAD_REQUEST', `${field} must be an object`, { field, received: inp, allowed: '{name, shape, datatype, data}' });
    const name = inp.name;
    if (typeof name !== 'string' || name.length === 0) throw rtError('RT_ERR_BAD_REQUEST', `${field}.name must be a string`, { field: `${field}.name`, received: name, allowed: 'an input name' });
    const datatype = inp.datatype;
    if (!isDatatype(datatype)) throw rtError('RT_ERR_DATATYPE', `${field}.datatype is not a known datatype`, { field: `${field}.datatype`, received: datatype, allowed: 'BOOL, UINT8…UINT64, INT8…INT64, FP16, FP32, FP64, BYTES' });
    const spec = model.input(name);
    if (!spec) throw rtError('RT_ERR_UNKNOWN_INPUT', `model '${model.name}' has no input '${name}'`, { field: `${field}.name`, received: name, allowed: model.inputs.map((x) => x.name).join(', ') });
    const count = checkShape(inp.shape, `${field}.shape`, limits);
    const params = inp.parameters;
    const binarySize = isObject(params) ? params.binary_data_size : undefined;
    let data: TensorData;
    if (binarySize !== undefined) {
      if (jsonLength === undefined) throw rtError('RT_ERR_BINARY', `${field} declares binary data but the request has no binary part`, { field: `${field}.parameters.binary_data_size`, received: binarySize, allowed: 'binary data only with Inference-Header-Content-Length' });
      if (typeof binarySize !== 'number' || !Number.isInteger(binarySize) || binarySize < 0 || offset + binarySize > body.length) {
        throw rtError('RT_ERR_BINARY', `${field}.parameters.binary_data_size runs past the body`, { field: `${field}.parameters.binary_data_size`, received: binarySize, allowed: `at most ${body.length - offset} remaining bytes` });
      }
      data = decodeBinaryData(name, field, datatype, count, body.subarray(offset, offset + binarySize), spec.allowNonFinite, limits);
      offset += binarySize;
    } else {
      if (!('data' in inp)) throw rtError('RT_ERR_BAD_REQUEST', `${field}.data is missing`, { field: `${field}.data`, allowed: 'a JSON array, or parameters.binary_data_size' });
      data = decodeJsonData(name, field, datatype, count, inp.data, spec.allowNonFinite, limits);
    }
    tensors.push({ name, datatype, shape: inp.shape as number[], data });
  }
  if (jsonLength !== undefined && offset !== body.length) {
    throw rtError('RT_ERR_BINARY', 'the body has bytes no input claims', { field: 'body', received: body.length, allowed: `${offset} bytes (JSON header + binary_data_size of each input)` });
  }
  const binaryAll = isObject(header.parameters) && header.parameters.binary_data_output === true;
  const binaryOutputs = new Set<string>();
  let requested: string[] | undefined;
  if (header.outputs !== undefined) {
    if (!Array.isArray(header.outputs)) throw rtError('RT_ERR_BAD_REQUEST', 'outputs must be an array', { field: 'outputs', received: header.outputs, allowed: 'an array of {name, parameters?}' });
    requested = header.outputs.map((o: unknown, i: number) => {
      if (!isObject(o) || typeof o.name !== 'string') throw rtError('RT_ERR_BAD_REQUEST', `outputs[${i}] must be {name}`, { field: `outputs[${i}]`, received: o, allowed: '{name, parameters?}' });
      const p = o.parameters;
      if ((isObject(p) && p.binary_data === true) || (binaryAll && !(isObject(p) && p.binary_data === false))) binaryOutputs.add(o.name);
      return o.name;
    });
  }
  const prepared = prepare(model, tensors, requested);
  if (binaryAll && !requested) for (const o of prepared.outputs) binaryOutputs.add(o);
  const id = header.id;
  if (id !== undefined && typeof id !== 'string') throw rtError('RT_ERR_BAD_REQUEST', 'id must be a string', { field: 'id', received: id, allowed: 'a string' });
  const parameters = isObject(header.parameters) ? header.parameters : undefined;
  return { ...prepared, id, binaryOutputs, parameters };
}

/** Triton's `Inference-Header-Content-Length: 0`: the whole body is the raw data of a single-input model. */
function rawSingleInput(model: ServedModel, body: Buffer, limits: DecodeLimits): OipRequest {
  if (model.inputs.length !== 1) {
    throw rtError('RT_ERR_BINARY', 'a raw binary body needs a single-input model', { field: 'Inference-Header-Content-Length', received: 0, allowed: `a JSON header (model '${model.name}' has ${model.inputs.length} inputs)` });
  }
  const spec = model.inputs[0];
  let shape: number[];
  if (spec.datatype === 'BYTES') shape = [1];
  else {
    const size = bytesOf(spec.datatype);
    const fixed = spec.shape.slice(1).reduce((a, d) => a * (d < 0 ? 1 : d), 1);
    // Rows of zero bytes (a zero-size dimension) cannot be counted from the body length.
    if (spec.shape.length === 0 || spec.shape.slice(1).some((d) => d < 0) || fixed === 0 || body.length % (size * fixed) !== 0) {
      throw rtError('RT_ERR_BINARY', 'the raw body does not divide into rows of the input shape', { field: 'body', received: body.length, allowed: `a multiple of ${size * fixed} bytes` });
    }
    shape = [body.length / (size * fixed), ...spec.shape.slice(1)];
  }
  const count = checkShape(shape, 'inputs[0].shape', limits);
  const data = decodeBinaryData(spec.name, 'body', spec.datatype, count, spec.datatype === 'BYTES' ? lengthPrefixed(body) : body, spec.allowNonFinite, limits);
  const prepared = prepare(model, [{ name: spec.name, datatype: spec.datatype, shape, data }], undefined);
  return { ...prepared, binaryOutputs: new Set(prepared.outputs) };
}

function lengthPrefixed(b: Buffer): Buffer {
  const len = Buffer.allocUnsafe(4);
  len.writeUInt32LE(b.length, 0);
  return Buffer.concat([len, b]);
}

function bytesOf(dt: Datatype): number {
  return { BOOL: 1, UINT8: 1, INT8: 1, UINT16: 2, INT16: 2, FP16: 2, UINT32: 4, INT32: 4, FP32: 4, UINT64: 8, INT64: 8, FP64: 8, BYTES: 0 }[dt];
}

export interface EncodedResponse {
  readonly body: string | Buffer;
  readonly contentType: string;
  readonly headers: Record<string, string>;
}

export function encodeOipResponse(model: ServedModel, id: string | undefined, result: ModelResult, binaryOutputs: ReadonlySet<string>, binaryContentType?: string, predictionToken?: string): EncodedResponse {
  const blobs: Buffer[] = [];
  const outputs = result.outputs.map((t) => {
    if (binaryOutputs.has(t.name)) {
      const b = toBinary(t.datatype, t.data);
      blobs.push(b);
      return { name: t.name, datatype: t.datatype, shape: t.shape, parameters: { binary_data_size: b.length } };
    }
    return { name: t.name, datatype: t.datatype, shape: t.shape, data: toJsonArray(t.datatype, t.data) };
  });
  const doc: Record<string, unknown> = { model_name: model.name, model_version: model.version };
  if (id !== undefined) doc.id = id;
  if (predictionToken !== undefined) doc.parameters = { prediction_token: predictionToken };
  doc.outputs = outputs;
  const json = JSON.stringify(doc);
  if (blobs.length === 0) return { body: json, contentType: 'application/json', headers: {} };
  const head = Buffer.from(json, 'utf8');
  const ct = binaryContentType ? `${binaryContentType};json-header-size=${head.length}` : 'application/octet-stream';
  return { body: Buffer.concat([head, ...blobs]), contentType: ct, headers: { 'inference-header-content-length': String(head.length) } };
}

// ---------------------------------------------------------------------------------------------
// { instances } → { predictions }

function innerShape(v: unknown, maxDepth: number): number[] {
  const shape: number[] = [];
  let cur = v;
  while (Array.isArray(cur)) {
    if (shape.length >= maxDepth) break;
    shape.push(cur.length);
    cur = cur[0];
  }
  return shape;
}

/** Tensors from `instances`: one row per instance; objects keyed by input name for multi-input models. */
export function parseInstances(model: ServedModel, instances: unknown, limits: DecodeLimits): PreparedInputs {
  if (!Array.isArray(instances) || instances.length === 0) {
    throw rtError('RT_ERR_BAD_REQUEST', 'instances must be a non-empty array', { field: 'instances', received: instances, allowed: 'an array with one entry per row' });
  }
  const n = instances.length;
  const single = model.inputs.length === 1;
  const tensors: Tensor[] = model.inputs.map((spec) => {
    const values = instances.map((inst: unknown, i: number) => {
      if (isObject(inst)) {
        if (!Object.hasOwn(inst, spec.name)) throw rtError('RT_ERR_MISSING_INPUT', `instances[${i}] has no '${spec.name}'`, { field: `instances[${i}].${spec.name}`, received: Object.keys(inst), allowed: model.inputs.map((x) => x.name).join(', ') });
        return inst[spec.name];
      }
      if (!single) throw rtError('RT_ERR_BAD_REQUEST', `instances[${i}] must be an object keyed by input name`, { field: `instances[${i}]`, received: inst, allowed: `{${model.inputs.map((x) => `"${x.name}": …`).join(', ')}}` });
      return inst;
    });
    if (!single || isObject(instances[0])) {
      instances.forEach((inst: unknown, i: number) => {
        if (!isObject(inst)) return;
        for (const k of Object.keys(inst)) if (!model.input(k)) throw rtError('RT_ERR_UNKNOWN_INPUT', `instances[${i}] names an unknown input '${k}'`, { field: `instances[${i}].${k}`, received: k, allowed: model.inputs.map((x) => x.name).join(', ') });
      });
    }
    const inner = spec.shape.length <= 1 ? [] : innerShape(values[0], limits.maxDepth);
    // One row per instance; for a fixed first dimension, a single instance may also be the whole tensor.
    let shape: number[];
    if (model.batchable || spec.shape[0] === -1) shape = [n, ...inner];
    else if (n === 1 && inner.length === spec.shape.length) shape = inner;
    else shape = [n, ...inner];
    const count = checkShape(shape, `instances.${spec.name}.shape`, limits);
    const data = decodeJsonData(spec.name, 'instances', spec.datatype, count, values, spec.allowNonFinite, limits);
    return { name: spec.name, datatype: spec.datatype, shape, data };
  });
  return prepare(model, tensors, undefined);
}

function nest(flat: readonly unknown[], shape: readonly number[], offset: number): unknown {
  if (shape.length === 0) return flat[offset];
  if (shape.length === 1) return flat.slice(offset, offset + shape[0]);
  const step = shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new Array<unknown>(shape[0]);
  for (let i = 0; i < shape[0]; i++) out[i] = nest(flat, shape.slice(1), offset + i * step);
  return out;
}

/** One prediction per row: the row's value, or an object keyed by output name for several outputs. */
export function toPredictions(result: ModelResult, rows: number): unknown[] {
  const perOutput = result.outputs.map((t) => {
    const flat = toJsonArray(t.datatype, t.data);
    const inner = t.shape.slice(1);
    const step = inner.reduce((a, b) => a * b, 1);
    return { name: t.name, flat, inner, step, rowsOut: t.shape[0] ?? 1 };
  });
  const out = new Array<unknown>(rows);
  for (let r = 0; r < rows; r++) {
    if (perOutput.length === 1) {
      const o = perOutput[0];
      out[r] = nest(o.flat, o.inner, r * o.step);
    } else {
      // No prototype: an output may be named `__proto__` or `constructor` (ONNX allows any name).
      const obj: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
      for (const o of perOutput) obj[o.name] = nest(o.flat, o.inner, r * o.step);
      out[r] = obj;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// CSV (SageMaker text/csv): rows of numbers for a single input shaped [-1, features].
// The request path keeps its own reader rather than csv-parse (used for data files): bodies are
// numbers only, and `npm run bench:csv` measured csv-parse/sync at 4–16× this reader's time
// (hundreds of µs per single-row body, more than the rest of the request path).

export function parseCsv(model: ServedModel, text: string, limits: DecodeLimits): PreparedInputs {
  const spec = model.inputs[0];
  if (model.inputs.length !== 1 || spec.shape.length !== 2 || spec.datatype === 'BYTES' || spec.datatype === 'BOOL') {
    throw rtError('RT_ERR_UNSUPPORTED_MEDIA_TYPE', `text/csv needs a model with one numeric input shaped [-1, features]`, { field: 'Content-Type', received: 'text/csv', allowed: 'application/json for this model' });
  }
  const lines = text.split(/\r?\n/).filter((l) => l.trim().length > 0);
  if (lines.length === 0) throw rtError('RT_ERR_BAD_CSV', 'the CSV body has no rows', { field: 'body', allowed: 'one row of comma-separated numbers per line' });
  const width = lines[0].split(',').length;
  if (spec.shape[1] !== -1 && width !== spec.shape[1]) {
    throw rtError('RT_ERR_SHAPE', `CSV rows have ${width} columns`, { field: 'body[0]', received: width, allowed: `${spec.shape[1]} columns (input '${spec.name}')` });
  }
  const count = checkShape([lines.length, width], 'body.shape', limits);
  const values: number[] = new Array<number>(count);
  for (let r = 0; r < lines.length; r++) {
    const cells = lines[r].split(',');
    if (cells.length !== width) throw rtError('RT_ERR_BAD_CSV', `CSV row ${r + 1} has ${cells.length} columns`, { field: `body[${r}]`, received: cells.length, allowed: `${width} columns like the first row` });
    for (let c = 0; c < width; c++) {
      const cell = cells[c].trim();
      const v = cell === '' ? NaN : Number(cell);
      if (Number.isNaN(v) && cell !== 'NaN') throw rtError('RT_ERR_BAD_CSV', `CSV row ${r + 1}, column ${c + 1} is not a number`, { field: `body[${r}][${c}]`, received: cell, allowed: 'numbers' });
      values[r * width + c] = v;
    }
  }
  const shape = [lines.length, width];
  const data = decodeJsonData(spec.name, 'body', spec.datatype, count, values.map((v) => (Number.isFinite(v) ? v : String(v))), spec.allowNonFinite, limits);
  return prepare(model, [{ name: spec.name, datatype: spec.datatype, shape, data }], undefined);
}

export function toCsv(result: ModelResult, rows: number): string {
  const perOutput = result.outputs.map((t) => {
    const flat = toJsonArray(t.datatype, t.data);
    return { flat, step: flat.length / Math.max(1, rows) };
  });
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const cells: unknown[] = [];
    for (const o of perOutput) for (let k = 0; k < o.step; k++) cells.push(o.flat[r * o.step + k]);
    lines.push(cells.map(csvCell).join(','));
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
}

function csvCell(v: unknown): string {
  if (typeof v === 'string') return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
  return String(v);
}
