// A real, independent OpenID Connect provider for the end-to-end sign-in test: node's certified
// `oidc-provider` package with one client, PKCE required and its built-in (development) login and
// consent pages. It listens on a free 127.0.0.1 port and prints {"issuer": ...} once it is ready.
//
// Environment: OIDC_NODE_MODULES (where npm installed oidc-provider), OIDC_CLIENT_ID,
// OIDC_CLIENT_SECRET, OIDC_REDIRECT_URI, OIDC_POST_LOGOUT_URI.
import http from 'node:http';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const require = createRequire(`${process.env.OIDC_NODE_MODULES}/`);
const { default: Provider } = await import(pathToFileURL(require.resolve('oidc-provider')).href);

// Whoever signs in on the login page with one of these logins becomes that account.
const ACCOUNTS = {
  'e2e-user': { email: 'Eva@E2E.example', email_verified: true, name: 'Eva Eindhoven' },
  'unverified-user': { email: 'ugo@e2e.example', email_verified: false, name: 'Ugo Unverified' },
};

const configuration = {
  clients: [{
    client_id: process.env.OIDC_CLIENT_ID,
    client_secret: process.env.OIDC_CLIENT_SECRET,
    redirect_uris: [process.env.OIDC_REDIRECT_URI],
    post_logout_redirect_uris: [process.env.OIDC_POST_LOGOUT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  pkce: { required: () => true },
  claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
  cookies: { keys: ['only-for-the-uitkomst-test-run'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  async findAccount(_ctx, id) {
    const account = ACCOUNTS[id];
    if (!account) return undefined;
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
};

const server = http.createServer();
server.listen(0, '127.0.0.1', () => {
  // Plain http on 127.0.0.1 is fine for oidc-provider outside production (NODE_ENV unset).
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const provider = new Provider(issuer, configuration);
  server.on('request', provider.callback());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});

for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
