import type { FastifyInstance, LightMyRequestResponse } from "fastify";

/**
 * Drives the HTML pages through `inject` like a browser without JavaScript:
 * keeps cookies, reads the CSRF token from each form, posts url-encoded forms.
 */
export class FormClient {
  cookies = new Map<string, string>();
  lastPage = "";

  constructor(
    private readonly app: FastifyInstance,
    readonly clientAddress = "203.0.113.10",
  ) {}

  private cookieHeader() {
    return [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ");
  }

  private keepCookies(response: LightMyRequestResponse) {
    for (const cookie of response.cookies as { name: string; value: string; maxAge?: number; expires?: Date }[]) {
      const expired = cookie.maxAge === 0 || (cookie.expires && cookie.expires.getTime() <= Date.now()) || cookie.value === "";
      if (expired) this.cookies.delete(cookie.name);
      else this.cookies.set(cookie.name, cookie.value);
    }
  }

  async get(url: string): Promise<LightMyRequestResponse> {
    const response = await this.app.inject({ method: "GET", url, headers: { cookie: this.cookieHeader() }, remoteAddress: this.clientAddress });
    this.keepCookies(response);
    if (response.headers["content-type"]?.toString().startsWith("text/html")) this.lastPage = response.body;
    return response;
  }

  /** The CSRF token of the last page's first form (or of the page at `url`). */
  async csrfFor(url?: string): Promise<string> {
    if (url) await this.get(url);
    const match = /name="_csrf" value="([^"]+)"/.exec(this.lastPage);
    if (!match) throw new Error("no CSRF token on the page");
    return match[1]!;
  }

  async post(url: string, fields: Record<string, string>, options: { csrfFrom?: string; csrf?: string | null } = {}): Promise<LightMyRequestResponse> {
    const token = options.csrf === null ? undefined : (options.csrf ?? (await this.csrfFor(options.csrfFrom ?? url)));
    const body = new URLSearchParams({ ...(token ? { _csrf: token } : {}), ...fields }).toString();
    const response = await this.app.inject({
      method: "POST",
      url,
      payload: body,
      headers: { cookie: this.cookieHeader(), "content-type": "application/x-www-form-urlencoded" },
      remoteAddress: this.clientAddress,
    });
    this.keepCookies(response);
    if (response.headers["content-type"]?.toString().startsWith("text/html")) this.lastPage = response.body;
    return response;
  }
}
