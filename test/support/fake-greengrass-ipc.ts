/**
 * A fake Greengrass nucleus IPC endpoint for tests: eventstream RPC (the AWS event stream binary
 * framing: prelude with lengths and CRC32, typed headers, payload, message CRC32) on a Unix domain
 * socket, as the nucleus serves it to components. It accepts the connect handshake with one
 * `SVCUID` token, answers `aws.greengrass#PublishToIoTCore` (authorized against the topics a
 * recipe's `accessControl` grants), and can be switched offline (answers `ServiceError`, as the
 * nucleus does when IoT Core cannot be reached and its spooler is full) or drop every connection
 * (a nucleus restart). The real `aws-iot-device-sdk-v2` client (aws-crt's C eventstream
 * implementation, which checks both CRCs) talks to it.
 */
import * as fs from 'node:fs';
import * as net from 'node:net';
import { crc32 } from 'node:zlib';

export const MessageType = { ApplicationMessage: 0, ApplicationError: 1, Ping: 2, PingResponse: 3, Connect: 4, ConnectAck: 5, ProtocolError: 6, InternalError: 7 } as const;
const FLAG_CONNECTION_ACCEPTED = 1;
const FLAG_TERMINATE_STREAM = 2;

type HeaderValue = string | number | boolean | Buffer;
interface Frame {
  headers: Record<string, HeaderValue>;
  payload: Buffer;
}

export function encodeFrame(headers: Record<string, { type: 'string' | 'int32'; value: string | number }>, payload: Buffer): Buffer {
  const parts: Buffer[] = [];
  for (const [name, h] of Object.entries(headers)) {
    const n = Buffer.from(name, 'utf8');
    if (h.type === 'int32') {
      const b = Buffer.alloc(1 + n.length + 1 + 4);
      b.writeUInt8(n.length, 0);
      n.copy(b, 1);
      b.writeUInt8(4, 1 + n.length);
      b.writeInt32BE(h.value as number, 2 + n.length);
      parts.push(b);
    } else {
      const v = Buffer.from(String(h.value), 'utf8');
      const b = Buffer.alloc(1 + n.length + 1 + 2 + v.length);
      b.writeUInt8(n.length, 0);
      n.copy(b, 1);
      b.writeUInt8(7, 1 + n.length);
      b.writeUInt16BE(v.length, 2 + n.length);
      v.copy(b, 4 + n.length);
      parts.push(b);
    }
  }
  const headerBytes = Buffer.concat(parts);
  const total = 12 + headerBytes.length + payload.length + 4;
  const prelude = Buffer.alloc(8);
  prelude.writeUInt32BE(total, 0);
  prelude.writeUInt32BE(headerBytes.length, 4);
  const preludeCrc = Buffer.alloc(4);
  preludeCrc.writeUInt32BE(crc32(prelude), 0);
  const body = Buffer.concat([prelude, preludeCrc, headerBytes, payload]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body), 0);
  return Buffer.concat([body, crc]);
}

function decodeHeaders(b: Buffer): Record<string, HeaderValue> {
  const out: Record<string, HeaderValue> = {};
  let i = 0;
  while (i < b.length) {
    const nameLen = b.readUInt8(i);
    const name = b.subarray(i + 1, i + 1 + nameLen).toString('utf8');
    i += 1 + nameLen;
    const type = b.readUInt8(i++);
    switch (type) {
      case 0: out[name] = true; break;
      case 1: out[name] = false; break;
      case 2: out[name] = b.readInt8(i); i += 1; break;
      case 3: out[name] = b.readInt16BE(i); i += 2; break;
      case 4: out[name] = b.readInt32BE(i); i += 4; break;
      case 5: out[name] = Number(b.readBigInt64BE(i)); i += 8; break;
      case 6: case 7: {
        const len = b.readUInt16BE(i);
        const v = b.subarray(i + 2, i + 2 + len);
        out[name] = type === 7 ? v.toString('utf8') : Buffer.from(v);
        i += 2 + len;
        break;
      }
      case 8: out[name] = Number(b.readBigInt64BE(i)); i += 8; break;
      case 9: out[name] = Buffer.from(b.subarray(i, i + 16)); i += 16; break;
      default: throw new Error(`unknown eventstream header type ${type}`);
    }
  }
  return out;
}

/** Split complete frames off `buf`; checks both CRCs. */
export function decodeFrames(buf: Buffer): { frames: Frame[]; rest: Buffer } {
  const frames: Frame[] = [];
  let off = 0;
  while (buf.length - off >= 12) {
    const total = buf.readUInt32BE(off);
    if (buf.length - off < total) break;
    const msg = buf.subarray(off, off + total);
    if (crc32(msg.subarray(0, 8)) !== msg.readUInt32BE(8)) throw new Error('bad prelude CRC');
    if (crc32(msg.subarray(0, total - 4)) !== msg.readUInt32BE(total - 4)) throw new Error('bad message CRC');
    const headersLen = msg.readUInt32BE(4);
    frames.push({ headers: decodeHeaders(msg.subarray(12, 12 + headersLen)), payload: Buffer.from(msg.subarray(12 + headersLen, total - 4)) });
    off += total;
  }
  return { frames, rest: buf.subarray(off) };
}

export interface PublishedMessage {
  readonly topic: string;
  readonly qos: string;
  readonly payload: string;
}

/** MQTT topic filter match (`+` one level, `#` the rest). */
export function topicMatches(filter: string, topic: string): boolean {
  const f = filter.split('/');
  const t = topic.split('/');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '#') return true;
    if (i >= t.length) return false;
    if (f[i] !== '+' && f[i] !== '*' && f[i] !== t[i]) return false;
  }
  return f.length === t.length;
}

export class FakeGreengrassIpc {
  public readonly published: PublishedMessage[] = [];
  public readonly rejected: { topic: string; reason: string }[] = [];
  public connects = 0;
  /** When false, PublishToIoTCore answers ServiceError (IoT Core unreachable). */
  public online = true;
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();

  private constructor(
    public readonly socketPath: string,
    public readonly authToken: string,
    /** Topics the component may publish to (its accessControl resources for PublishToIoTCore). */
    private readonly allowedTopics: readonly string[],
  ) {
    this.server = net.createServer((s) => this.handle(s));
  }

  public static async start(socketPath: string, authToken: string, allowedTopics: readonly string[]): Promise<FakeGreengrassIpc> {
    fs.rmSync(socketPath, { force: true });
    const fake = new FakeGreengrassIpc(socketPath, authToken, allowedTopics);
    await new Promise<void>((resolve) => fake.server.listen(socketPath, resolve));
    return fake;
  }

  /** Drop every IPC connection (the nucleus restarted). */
  public dropConnections(): void {
    for (const s of this.sockets) s.destroy();
  }

  public async close(): Promise<void> {
    this.dropConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    fs.rmSync(this.socketPath, { force: true });
  }

  private handle(socket: net.Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
    let pending: Buffer = Buffer.alloc(0);
    let authenticated = false;
    socket.on('data', (chunk) => {
      pending = Buffer.concat([pending, chunk]);
      let decoded;
      try {
        decoded = decodeFrames(pending);
      } catch {
        socket.destroy();
        return;
      }
      pending = decoded.rest;
      for (const f of decoded.frames) {
        const type = f.headers[':message-type'];
        const stream = (f.headers[':stream-id'] as number | undefined) ?? 0;
        const reply = (messageType: number, flags: number, extra: Record<string, string>, payload: object | string): void => {
          const headers: Record<string, { type: 'string' | 'int32'; value: string | number }> = {
            ':message-type': { type: 'int32', value: messageType },
            ':message-flags': { type: 'int32', value: flags },
            ':stream-id': { type: 'int32', value: stream },
          };
          for (const [k, v] of Object.entries(extra)) headers[k] = { type: 'string', value: v };
          socket.write(encodeFrame(headers, Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload), 'utf8')));
        };
        if (type === MessageType.Connect) {
          const token = (JSON.parse(f.payload.toString('utf8') || '{}') as { authToken?: string }).authToken;
          authenticated = token === this.authToken && f.headers[':version'] === '0.1.0';
          this.connects++;
          reply(MessageType.ConnectAck, authenticated ? FLAG_CONNECTION_ACCEPTED : 0, {}, '');
          if (!authenticated) socket.end();
        } else if (type === MessageType.Ping) {
          reply(MessageType.PingResponse, 0, {}, '');
        } else if (type === MessageType.ApplicationMessage && authenticated && stream > 0) {
          if (f.headers.operation === undefined && (((f.headers[':message-flags'] as number) ?? 0) & FLAG_TERMINATE_STREAM) !== 0) continue; // client closing its end
          if (f.headers.operation !== 'aws.greengrass#PublishToIoTCore') {
            reply(MessageType.ApplicationError, FLAG_TERMINATE_STREAM, { 'service-model-type': 'aws.greengrass#ServiceError', ':content-type': 'application/json' }, { message: `unsupported operation ${String(f.headers.operation)}` });
            continue;
          }
          const req = JSON.parse(f.payload.toString('utf8')) as { topicName: string; qos: string; payload?: string };
          if (!this.allowedTopics.some((a) => topicMatches(a, req.topicName))) {
            this.rejected.push({ topic: req.topicName, reason: 'unauthorized' });
            reply(MessageType.ApplicationError, FLAG_TERMINATE_STREAM, { 'service-model-type': 'aws.greengrass#UnauthorizedError', ':content-type': 'application/json' }, { message: `Principal is not authorized to perform aws.greengrass#PublishToIoTCore on resource ${req.topicName}` });
          } else if (!this.online) {
            this.rejected.push({ topic: req.topicName, reason: 'offline' });
            reply(MessageType.ApplicationError, FLAG_TERMINATE_STREAM, { 'service-model-type': 'aws.greengrass#ServiceError', ':content-type': 'application/json' }, { message: `Publish to topic ${req.topicName} failed with error: spooler queue is full` });
          } else {
            this.published.push({ topic: req.topicName, qos: req.qos, payload: Buffer.from(req.payload ?? '', 'base64').toString('utf8') });
            reply(MessageType.ApplicationMessage, FLAG_TERMINATE_STREAM, { 'service-model-type': 'aws.greengrass#PublishToIoTCoreResponse', ':content-type': 'application/json' }, {});
          }
        }
      }
    });
  }
}
