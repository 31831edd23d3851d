/**
 * Forward auth behind a real nginx (Debian's package, like PostgreSQL for the
 * store tests): nginx on a free port in front of a small app, asking twostep's
 * /forward-auth with the README's snippet. Without a session the browser lands
 * on twostep's login; after the password and the TOTP code it goes back to the
 * page, and the app sees Remote-User (nginx overwrites a forged one).
 */
import assert from "node:assert/strict";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { enrolTotp, type EnrolledUser } from "../helpers/enrol.js";
import { Browser, registerApp, startOidcServer, type OidcServer } from "../helpers/oidc.js";
import { codeFor } from "../helpers/totp.js";

const nginxBinary = process.env.TWOSTEP_NGINX ?? "/usr/sbin/nginx";

async function freePort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function nginxConfig(dir: string, port: number, twostep: string, app: string): string {
  return `worker_processes 1;
error_log ${dir}/error.log warn;
pid ${dir}/nginx.pid;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path ${dir}/body; proxy_temp_path ${dir}/proxy; fastcgi_temp_path ${dir}/fastcgi; uwsgi_temp_path ${dir}/uwsgi; scgi_temp_path ${dir}/scgi;
  server {
    listen 127.0.0.1:${port};
    location = /twostep-forward-auth {
      internal;
      proxy_pass ${twostep}/forward-auth;
      proxy_pass_request_body off;
      proxy_set_header Content-Length "";
      proxy_set_header X-Original-URL $scheme://$http_host$request_uri;
      proxy_set_header Cookie $http_cookie;
    }
    location / {
      auth_request /twostep-forward-auth;
      auth_request_set $login $upstream_http_location;
      error_page 401 =302 $login;
      auth_request_set $user $upstream_http_remote_user;
      auth_request_set $email $upstream_http_remote_email;
      auth_request_set $name $upstream_http_remote_name;
      auth_request_set $groups $upstream_http_remote_groups;
      auth_request_set $account $upstream_http_remote_account;
      proxy_set_header Remote-User $user;
      proxy_set_header Remote-Email $email;
      proxy_set_header Remote-Name $name;
      proxy_set_header Remote-Groups $groups;
      proxy_set_header Remote-Account $account;
      proxy_pass ${app};
    }
  }
}
`;
}

describe("forward auth behind a real nginx", { skip: existsSync(nginxBinary) ? false : `no nginx at ${nginxBinary} (Debian package nginx)` }, () => {
  const dir = mkdtempSync(join(tmpdir(), "twostep-nginx-"));
  let server: OidcServer;
  let user: EnrolledUser;
  let app: Server;
  let nginx: ChildProcess | undefined;
  let panel = "";
  before(async () => {
    server = await startOidcServer();
    user = await enrolTotp(server.runtime.deps);
    app = createServer((request, response) => {
      response.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ path: request.url, remoteUser: request.headers["remote-user"] ?? null, remoteGroups: request.headers["remote-groups"] ?? null }));
    });
    await new Promise<void>((resolve) => app.listen(0, "127.0.0.1", resolve));
    const port = await freePort();
    panel = `http://127.0.0.1:${port}`;
    await registerApp(server, { name: "Classic Reseller Interface", redirectUris: [`${panel}/cb`], forwardAuthOrigins: [panel] });
    writeFileSync(join(dir, "nginx.conf"), nginxConfig(dir, port, server.issuer, `http://127.0.0.1:${(app.address() as AddressInfo).port}`));
    nginx = spawn(nginxBinary, ["-p", dir, "-c", join(dir, "nginx.conf"), "-g", "daemon off;"], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    nginx.stderr?.on("data", (chunk) => (stderr += chunk));
    for (let tries = 0; ; tries++) {
      try {
        await fetch(`${panel}/`, { redirect: "manual" });
        break;
      } catch {
        if (tries > 50 || nginx.exitCode !== null) throw new Error(`nginx did not start: ${stderr}`);
        await sleep(100);
      }
    }
  });
  after(async () => {
    if (nginx && nginx.exitCode === null) {
      nginx.kill("SIGTERM");
      await new Promise((resolve) => nginx!.once("exit", resolve));
    }
    await new Promise<void>((resolve) => app?.close(() => resolve()));
    await server?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("sends a browser without a session to twostep's login, and after the login the app sees Remote-User", async () => {
    const first = await fetch(`${panel}/orders?id=7`, { redirect: "manual" });
    assert.equal(first.status, 302);
    const login = first.headers.get("location")!;
    assert.equal(login, `${server.issuer}/login?return_to=${encodeURIComponent(`${panel}/orders?id=7`)}`);

    const browser = new Browser(server.issuer);
    await browser.follow(login);
    await browser.submit("/login", { email: user.user.email, password: user.password });
    server.clock.advance(30);
    const back = await browser.submit("/login/two-factor", { code: codeFor(user.keyBase32, server.clock.now()) });
    assert.equal(back, `${panel}/orders?id=7`);

    // A browser sends the host's cookies to every port of it: the session cookie reaches the panel.
    const cookie = `twostep_session=${browser.jar.get("twostep_session")!.value}`;
    const page = await fetch(back, { headers: { cookie, "remote-user": "admin@evil.test" }, redirect: "manual" });
    assert.equal(page.status, 200);
    const seen = (await page.json()) as { path: string; remoteUser: string; remoteGroups: string };
    assert.equal(seen.path, "/orders?id=7");
    assert.equal(seen.remoteUser, user.user.email, "nginx replaced the forged header");
    assert.equal(seen.remoteGroups, `reseller,${user.user.role}`);
  });
});
