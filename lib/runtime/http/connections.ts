/**
 * The server's open connections: counted for the connection cap, and walked at shutdown so that
 * no request is lost. HTTP/1.1 has no way for a server to tell a keep-alive client "send nothing
 * more on this connection" except `Connection: close` on a response, so a connection is closed
 * after a response (never under a request), by its client, or at the drain deadline.
 */
import * as fs from 'node:fs';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * Node's http server keeps the response in progress on its socket (`_httpMessage`, set from the
 * moment the request headers are parsed until the response is finished). Reading it here keeps
 * the request path free of any per-request bookkeeping.
 */
function responseOf(socket: Socket): ServerResponse | null | undefined {
  return (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage;
}

/**
 * What the kernel holds for `port` that is not settled yet, from /proc/net/tcp{,6} (Linux;
 * undefined elsewhere): connections waiting in the listener's accept queue, half-open ones
 * (SYN_RECV), and ones this side has closed whose client has not closed its side yet (FIN_WAIT1/2:
 * the client has not read its last answer, and may connect again as soon as it does).
 */
export function unsettledConnections(port: number): number | undefined {
  let found: number | undefined;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text: string;
    try {
      text = fs.readFileSync(file, 'latin1');
    } catch {
      continue;
    }
    found ??= 0;
    for (const line of text.split('\n')) {
      const f = line.trim().split(/\s+/);
      if (f.length < 5 || !f[1].includes(':')) continue;
      if (parseInt(f[1].slice(f[1].lastIndexOf(':') + 1), 16) !== port) continue;
      if (f[3] === '0A') found += parseInt(f[4].split(':')[1], 16) || 0; // LISTEN: rx_queue is the accept queue length
      else if (f[3] === '03' || f[3] === '04' || f[3] === '05') found += 1; // SYN_RECV, FIN_WAIT1, FIN_WAIT2
    }
  }
  return found;
}

export class Connections {
  /** Open connections and when each was accepted (ms since the epoch). */
  private readonly sockets = new Map<Socket, number>();
  private readonly overCap = new WeakSet<Socket>();
  /** Open connections accepted above the cap (each gets one 503 and is closed). */
  public overCapOpen = 0;
  /** Last connection accepted or closed (ms since the epoch). */
  private lastActivity = 0;

  constructor(
    private readonly server: Server,
    private readonly max: number,
  ) {
    // Before the http server's own listener, so the count includes this connection.
    server.prependListener('connection', (socket: Socket) => this.add(socket));
  }

  public get size(): number {
    return this.sockets.size;
  }

  private add(socket: Socket): void {
    this.lastActivity = Date.now();
    this.sockets.set(socket, this.lastActivity);
    const over = this.sockets.size > this.max;
    if (over) {
      this.overCap.add(socket);
      this.overCapOpen++;
    }
    socket.once('close', () => {
      this.lastActivity = Date.now();
      this.sockets.delete(socket);
      if (over) this.overCapOpen--;
    });
  }

  public isOverCap(socket: Socket): boolean {
    return this.overCap.has(socket);
  }

  /** Make the response in progress on every connection close its connection when sent. */
  public closeAfterCurrentResponses(): void {
    for (const s of this.sockets.keys()) {
      const res = responseOf(s);
      if (res && !res.headersSent) res.setHeader('connection', 'close');
    }
  }

  /**
   * Close the connections with no request in progress that have been idle for `idleMs` since
   * `since` (the shutdown signal) or since they were accepted, whichever is later. Once a shutdown
   * has begun every answer closes its connection, so a connection still open and idle has carried
   * no request since then.
   */
  public closeIdle(since: number, idleMs: number): number {
    const now = Date.now();
    let n = 0;
    for (const [s, acceptedAt] of this.sockets) {
      if (!responseOf(s) && now - Math.max(since, acceptedAt) >= idleMs) {
        s.destroy();
        n++;
      }
    }
    return n;
  }

  /**
   * Close the listener (`close`) at the first lull: no connection accepted or closed for `quietMs`
   * from now on, or at `timeoutMs`. Resolves whether there was a lull. Every answer now closes its
   * connection, so a close is an answer a client may follow at once with a new connection; clients
   * answered 503 wait out Retry-After instead.
   *
   * A listener closed while connections wait in the kernel's accept queue (or are half open)
   * resets them, and their clients have already written their requests. So the check runs in the
   * event loop's check phase, right after a poll phase that accepted everything queued (a process
   * starved of CPU may not have accepted for a while: those count as activity), asks the kernel
   * (/proc/net/tcp) that nothing is queued or half open and that every client has read its last
   * answer, and `close` runs synchronously with it.
   * Clients connecting afterwards are refused before they send anything.
   */
  public closeListenerAtLull(quietMs: number, timeoutMs: number, close: () => void): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    // The quiet period starts now, not at the last connection: clients starved of CPU through the
    // grace period get their turn to connect and be told to retry.
    this.lastActivity = Math.max(this.lastActivity, Date.now());
    const address = this.server.address();
    const port = address !== null && typeof address === 'object' ? (address as AddressInfo).port : undefined;
    return new Promise((resolve) => {
      const check = (): void => {
        const now = Date.now();
        // The kernel's own view, just before closing: nothing queued, nothing half open.
        const lull = now - this.lastActivity >= quietMs && (port === undefined || !unsettledConnections(port));
        if (lull || now >= deadline) {
          close();
          resolve(lull);
        } else setTimeout(() => setImmediate(check), Math.min(10, quietMs));
      };
      setImmediate(check);
    });
  }

  /**
   * Wait until every connection has closed, closing those idle for `idleMs` (see closeIdle) as it
   * goes; resolve false at `timeoutMs`.
   */
  public async drain(since: number, idleMs: number, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      this.closeIdle(since, idleMs);
      if (this.sockets.size === 0) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  public destroyAll(): number {
    const n = this.sockets.size;
    for (const s of this.sockets.keys()) s.destroy();
    return n;
  }
}
