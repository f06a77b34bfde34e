// A real OpenID Connect provider (node oidc-provider) on loopback, for the single sign-on tests.
//
//   node provider.mjs --client-id ID --client-secret SECRET --redirect-uri URI [--redirect-uri URI ...]
//                     --account 'sub=alex,email=alex@north.example,email_verified=true,name=Alex' [--account ...]
//                     [--port 0]
//
// Accounts can also come from OIDC_TEST_ACCOUNTS (a JSON list of {sub, email, email_verified, name}).
// The provider listens on 127.0.0.1 (a free port unless --port is given) and prints one line
// `issuer=http://127.0.0.1:PORT` when it is ready. Its own development login screens sign a
// person in: type an account's sub as the login (any password), then confirm the consent.
// Stops on SIGTERM or SIGINT, or when its standard input closes (so it never outlives the tests).

import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';

import Provider from 'oidc-provider';

const { values } = parseArgs({
  options: {
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    'redirect-uri': { type: 'string', multiple: true },
    account: { type: 'string', multiple: true, default: [] },
    port: { type: 'string', default: '0' },
  },
});

function fail(message) {
  process.stderr.write(`provider.mjs: ${message}\n`);
  process.exit(2);
}

if (!values['client-id'] || !values['client-secret'] || !values['redirect-uri']?.length) {
  fail('--client-id, --client-secret and at least one --redirect-uri are required');
}

function parseAccount(text) {
  const fields = Object.fromEntries(text.split(',').map((pair) => {
    const at = pair.indexOf('=');
    return at < 0 ? [pair.trim(), ''] : [pair.slice(0, at).trim(), pair.slice(at + 1).trim()];
  }));
  return { ...fields, email_verified: fields.email_verified === 'true' };
}

const accounts = new Map();
for (const account of [
  ...JSON.parse(process.env.OIDC_TEST_ACCOUNTS || '[]'),
  ...values.account.map(parseAccount),
]) {
  if (!account.sub) fail(`an account needs a sub: ${JSON.stringify(account)}`);
  accounts.set(account.sub, account);
}
if (accounts.size === 0) fail('give at least one --account (or OIDC_TEST_ACCOUNTS)');

const server = http.createServer();
server.listen(Number(values.port), '127.0.0.1', () => {
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;
  const provider = new Provider(issuer, {
    clients: [{
      client_id: values['client-id'],
      client_secret: values['client-secret'],
      redirect_uris: values['redirect-uri'],
      response_types: ['code'],
      grant_types: ['authorization_code'],
      token_endpoint_auth_method: 'client_secret_post',
    }],
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    // Put the scopes' claims in the ID token, as Entra ID and Google do (this provider would
    // otherwise keep them for the userinfo endpoint).
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    cookies: { keys: [randomBytes(32).toString('hex')] },
    async findAccount(ctx, sub) {
      const account = accounts.get(sub);
      if (!account) return undefined;
      return {
        accountId: sub,
        async claims() {
          const claims = { sub, email: account.email, email_verified: account.email_verified };
          if (account.name) claims.name = account.name;
          return claims;
        },
      };
    },
  });
  server.on('request', provider.callback());
  process.stdout.write(`issuer=${issuer}\n`);
});

function stop() {
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
