import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request the sink received. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
  json: unknown;
}

/** A local HTTP server on 127.0.0.1 that records every request (for notification tests). */
export interface HttpSink {
  readonly url: string;
  readonly received: Received[];
  close(): Promise<void>;
}

/**
 * Start a sink; `reply` decides the answer (default 200 `{"ok":true}`); a reply
 * of 'hang' never answers (for time-outs).
 */
export async function startHttpSink(
  reply: (req: Received) => { status: number; body?: string } | 'hang' = () => ({ status: 200, body: '{"ok":true}' }),
): Promise<HttpSink> {
  const received: Received[] = [];
  const hanging: ServerResponse[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      let json: unknown;
      try {
        json = JSON.parse(body);
      } catch {
        json = undefined;
      }
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body, json };
      received.push(r);
      const answer = reply(r);
      if (answer === 'hang') {
        hanging.push(res);
        return;
      }
      res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body ?? '');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        for (const res of hanging) res.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
