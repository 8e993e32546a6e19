/**
 * `--dashboard`: the live page served by the primary while the run lasts, over plain node:http.
 * `/` is the page, `/events` the run's events (event-stream.ts), `/report` the final HTML report
 * once the summary is printed. Its work is done once per merged interval (a RunListener): the
 * live view's update is built and serialized once, whatever the number of pages. It binds before
 * any load is sent, so an address that cannot be used ends the command with exit 2 first.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { authority, ListenError, listenProblem, type ListenAddress } from '../../common/listen-address.js';
import type { IntervalStats } from '../measure/snapshot.js';
import type { RunListener } from '../run/contract.js';
import type { StepReport } from '../verdict/step-report.js';
import { EventStream } from './event-stream.js';
import { livePage, type LivePage } from './live-page.js';
import { LiveView, type LiveRun } from './live-view.js';

/** How long the server waits, once the report is ready, for the open pages to load it. */
export const REPORT_GRACE_MS = 2000;

const SECURITY_HEADERS = { 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer', 'cache-control': 'no-store' };

export class Dashboard implements RunListener {
  private readonly view: LiveView;
  private readonly events = new EventStream();
  private finalReport: { html: string } | null = null;
  /** resolves when every page told of the report has loaded it */
  private reportsOwed = 0;
  private reportsLoaded: (() => void) | null = null;

  private constructor(
    private readonly server: Server,
    private readonly page: LivePage,
    run: LiveRun,
    /** where the page is: http://host:port/ */
    readonly url: string,
  ) {
    this.view = new LiveView(run);
  }

  /** Listens on `address` (port 0: a free one); throws ListenError when it cannot. */
  static async open(address: ListenAddress, run: LiveRun, target: string, title: string): Promise<Dashboard> {
    const server = createServer();
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(address.port, address.host, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } catch (error) {
      throw new ListenError(listenProblem('--dashboard', address, error as NodeJS.ErrnoException));
    }
    const bound = server.address();
    const port = typeof bound === 'object' && bound !== null ? bound.port : address.port;
    const dashboard = new Dashboard(server, livePage(target, title), run, `http://${authority({ host: address.host, port })}/`);
    server.on('request', (request, response) => dashboard.serve(request, response));
    return dashboard;
  }

  interval(merged: IntervalStats): void {
    this.view.addInterval(merged);
    this.sendUpdate();
  }

  /** A judged step is shown at once: the last one is judged after the last interval. */
  step(report: StepReport): void {
    this.view.addStep(report);
    this.sendUpdate();
  }

  private sendUpdate(): void {
    const update = this.view.update();
    if (update !== null) this.events.send('update', update);
  }

  /** The run's final HTML report: served at /report, and every open page told to load it. */
  finish(reportHtml: string): void {
    this.finalReport = { html: reportHtml };
    this.reportsOwed = this.events.size;
    this.events.send('final', { report: 'report' });
  }

  /**
   * Closes the server once the open pages have loaded the final report (or after REPORT_GRACE_MS):
   * called after the summary is printed, so a page open to the end shows the report.
   */
  async close(): Promise<void> {
    if (this.finalReport !== null && this.reportsOwed > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, REPORT_GRACE_MS);
        this.reportsLoaded = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
    this.events.close();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }

  private serve(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { ...SECURITY_HEADERS, allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/events') {
      this.events.open(request, response);
      return;
    }
    if (path === '/') {
      this.html(response, this.page.html, this.page.contentSecurityPolicy);
      return;
    }
    if (path === '/report' && this.finalReport !== null) {
      // the report carries its own policy, in a meta element
      this.html(response, this.finalReport.html, null);
      if (--this.reportsOwed <= 0) this.reportsLoaded?.();
      return;
    }
    response.writeHead(404, { ...SECURITY_HEADERS, 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
  }

  private html(response: ServerResponse, body: string, policy: string | null): void {
    response.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': 'text/html; charset=utf-8',
      ...(policy ? { 'content-security-policy': policy } : {}),
    });
    response.end(body);
  }
}
