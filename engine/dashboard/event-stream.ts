/**
 * Server-sent events to the pages open on the dashboard (`text/event-stream`, plain node:http).
 * An event is serialized once and the same text written to every page: its cost is per event
 * (once per interval), never per request and barely per page. Bounded: at most `maxClients`
 * pages, and a page that does not read (a stalled tab, a slow link) is dropped once
 * `maxUnflushed` of its events wait in its socket, rather than buffered without limit in the
 * primary. The latest `update` is replayed to a page that connects, so it draws at once.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';

/** Pages at once: a dashboard is watched by a few people, not served to a crowd. */
export const MAX_CLIENTS = 16;
/** Events waiting in one page's socket before it is dropped: a few intervals' worth. */
export const MAX_UNFLUSHED = 4;

/** One event as the wire carries it. JSON has no raw line breaks, so `data` is one line. */
export function eventText(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

interface Client {
  response: ServerResponse;
  /** events written while its socket still held earlier ones */
  unflushed: number;
}

export class EventStream {
  private readonly clients = new Set<Client>();
  private latest: string | null = null;
  private ended: string | null = null;
  /** pages dropped for not reading, for the run's last line about the dashboard */
  dropped = 0;

  constructor(
    private readonly maxClients = MAX_CLIENTS,
    private readonly maxUnflushed = MAX_UNFLUSHED,
  ) {}

  get size(): number {
    return this.clients.size;
  }

  /** A page asks for the stream: it gets the latest update (and the end, if past), or a 503 when full. */
  open(request: IncomingMessage, response: ServerResponse): void {
    if (this.clients.size >= this.maxClients) {
      response.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' });
      response.end(`at most ${this.maxClients} pages may watch this run at once\n`);
      return;
    }
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    const client: Client = { response, unflushed: 0 };
    this.clients.add(client);
    response.on('drain', () => (client.unflushed = 0));
    const forget = () => this.clients.delete(client);
    request.on('close', forget);
    response.on('error', forget);
    if (this.latest !== null) this.write(client, this.latest);
    if (this.ended !== null) this.write(client, this.ended);
  }

  /** Sends an event to every page; `update` is also kept for pages yet to connect. */
  send(name: string, data: unknown): void {
    const text = eventText(name, data);
    if (name === 'update') this.latest = text;
    if (name === 'final') this.ended = text;
    for (const client of this.clients) this.write(client, text);
  }

  /** Ends every stream (the pages have been told where the final report is). */
  close(): void {
    for (const client of this.clients) client.response.end();
    this.clients.clear();
  }

  private write(client: Client, text: string): void {
    if (client.response.writableNeedDrain && ++client.unflushed > this.maxUnflushed) {
      this.clients.delete(client);
      this.dropped++;
      client.response.destroy();
      return;
    }
    client.response.write(text);
  }
}
