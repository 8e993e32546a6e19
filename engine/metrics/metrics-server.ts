/**
 * The HTTP side of --metrics: `GET /metrics` answers the registry's exposition text, anything else
 * 404 (405 for a method other than GET or HEAD). It is bound before any load is sent, so an
 * address that cannot be used ends the command at once (exit 2); it closes after the summary, or,
 * with a linger, once a scrape has read the final figures. The text is made per scrape from what
 * the last interval left: a scrape costs the primary nothing between intervals.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { authority, ListenError, listenProblem, type ListenAddress } from '../../common/listen-address.js';

/** What the server serves: the exposition text, made when asked. */
export type Exposition = () => Promise<{ text: string; contentType: string }>;

export class MetricsServer {
  /** set once the figures are final: a scrape made from then on is the last one a linger waits for */
  private final = false;
  private finalScrapeServed: (() => void) | null = null;
  /** scrapes of the final figures served so far */
  private finalScrapes = 0;

  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  /** Listens on `address`; throws ListenError when it cannot. */
  static async listen(flag: string, address: ListenAddress, exposition: Exposition): Promise<MetricsServer> {
    let metricsServer: MetricsServer | null = null;
    const server = createServer((request, response) => {
      void metricsServer?.answer(request, response, exposition);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', (error: NodeJS.ErrnoException) => reject(new ListenError(listenProblem(flag, address, error))));
      server.listen({ host: address.host, port: address.port }, resolve);
    });
    // a scrape's connection must not keep the process alive after the run
    server.unref();
    const bound = server.address();
    const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
    metricsServer = new MetricsServer(server, `http://${authority({ host: address.host, port })}/metrics`);
    return metricsServer;
  }

  private async answer(request: IncomingMessage, response: ServerResponse, exposition: Exposition): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (path !== '/metrics') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('stress serves /metrics only\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end();
      return;
    }
    // taken before the text is made: a scrape made before the final figures does not end a linger
    const final = this.final;
    const { text, contentType } = await exposition();
    if (final)
      response.once('finish', () => {
        this.finalScrapes++;
        this.finalScrapeServed?.();
      });
    response.writeHead(200, { 'content-type': contentType, 'content-length': Buffer.byteLength(text) });
    response.end(request.method === 'HEAD' ? undefined : text);
  }

  /** The run has ended: what is served from now on is final, and what a linger waits for. */
  figuresFinal(): void {
    this.final = true;
  }

  /**
   * Closes once a scrape has read the final figures (since `figuresFinal`, or from now on), or
   * after `lingerMs` (0: at once), and drops every open connection (a scraper's keep-alive would
   * hold the port).
   */
  async close(lingerMs = 0): Promise<void> {
    const scrapedAlready = this.finalScrapes > 0;
    this.final = true;
    if (lingerMs > 0 && !scrapedAlready) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, lingerMs);
        this.finalScrapeServed = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}
