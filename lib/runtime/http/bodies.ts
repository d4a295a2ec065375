/** Reading request bodies and the headers that say how to read them (every protocol's routes). */
import type { FastifyRequest } from 'fastify';
import { rtError } from '../errors';

/** Content-Types that carry the OIP binary tensor extension's JSON header size. */
export const BINARY_TYPES = ['application/vnd.sagemaker-triton.binary+json', 'application/vnd.vertex-ai-triton.binary+json'];

/** The body as bytes (bodies are never parsed by fastify: every protocol decodes its own). */
export function bodyOf(req: FastifyRequest): Buffer {
  return Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
}

/** The media type of the request, lower case, without parameters. */
export function mediaType(req: FastifyRequest): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
}

/** The binary extension's JSON header length, from Inference-Header-Content-Length or the Content-Type. */
export function headerLength(req: FastifyRequest): number | undefined {
  const h = req.headers['inference-header-content-length'];
  const fromCt = /json-header-size=(\d+)/.exec(req.headers['content-type'] ?? '');
  const raw = typeof h === 'string' ? h : fromCt?.[1];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!/^\d+$/.test(raw.trim()) || !Number.isSafeInteger(n)) {
    throw rtError('RT_ERR_BINARY', 'the JSON header length is not a whole number', { field: 'Inference-Header-Content-Length', received: raw, allowed: 'a non-negative integer' });
  }
  return n;
}
