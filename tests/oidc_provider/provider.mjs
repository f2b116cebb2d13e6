// A real OpenID Provider (oidc-provider, OpenID certified) for the single sign-on tests.
//
// Started by tests/oidc_server.py on 127.0.0.1 and a free port; it prints one JSON line with its
// issuer and then serves. The provider itself is unchanged; the tests steer it through /test/*:
// who signs in next (and with which `amr`), the accounts it knows (claims, disabled or not), key
// rotation, and a few faults placed around the provider as an attacker or a broken network would:
// a tampered ID token, a token issued two hours ago (expired), a nonce dropped from the request,
// a signing key left out of the published key set.
import crypto from 'node:crypto';
import http from 'node:http';

import Provider from 'oidc-provider';

const [clientId, clientSecret, redirectUri, postLogoutRedirectUri] = process.argv.slice(2);

const state = {
  accounts: {},
  nextLogin: { account: null, amr: ['pwd'] },
  faults: {},
};

function newSigningKey() {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: crypto.randomUUID(), use: 'sig', alg: 'RS256' };
}

function makeProvider(issuer, key) {
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [redirectUri],
        post_logout_redirect_uris: [postLogoutRedirectUri],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
    ],
    jwks: { keys: [key] },
    cookies: { keys: ['test-cookie-key'] },
    claims: { openid: ['sub', 'tid', 'groups', 'amr'], email: ['email', 'email_verified'], profile: ['name'] },
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    issueRefreshToken: async (ctx, client) => client.grantTypeAllowed('refresh_token'),
    ttl: { IdToken: () => state.faults.id_token_seconds ?? 3600 },
    features: { devInteractions: { enabled: false }, rpInitiatedLogout: { enabled: true } },
    interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
    async findAccount(ctx, id) {
      const account = state.accounts[id];
      if (!account || account.disabled) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: id, email_verified: true, ...account };
        },
      };
    },
  });
  provider.proxy = false;
  provider.use(async (ctx, next) => {
    if (ctx.path === '/auth' && state.faults.drop_nonce) {
      const url = new URL(ctx.url, issuer);
      url.searchParams.delete('nonce');
      ctx.url = url.pathname + url.search;
    }
    const realNow = Date.now;
    if (ctx.path === '/token' && state.faults.issued_hours_ago) {
      Date.now = () => realNow() - state.faults.issued_hours_ago * 3600 * 1000;
    }
    try {
      await next();
    } finally {
      Date.now = realNow;
    }
    if (ctx.path === '/token' && state.faults.tamper && ctx.body && ctx.body.id_token) {
      const [header, payload, signature] = ctx.body.id_token.split('.');
      const claims = JSON.parse(Buffer.from(payload, 'base64url'));
      claims.email = state.faults.tamper;
      ctx.body.id_token = [header, Buffer.from(JSON.stringify(claims)).toString('base64url'), signature].join('.');
    }
    if (ctx.path === '/jwks' && state.faults.hide_keys) {
      ctx.body = { keys: [] };
    }
  });
  return provider;
}

async function interaction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const { account, amr } = state.nextLogin;
  if (!state.accounts[account] || state.accounts[account].disabled) {
    await provider.interactionFinished(req, res, {
      error: 'access_denied',
      error_description: 'This account is disabled.',
    });
    return;
  }
  const grant = new provider.Grant({ accountId: account, clientId: details.params.client_id });
  grant.addOIDCScope(details.params.scope);
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { login: { accountId: account, amr }, consent: { grantId } },
    { mergeWithLastSubmission: false },
  );
}

async function readJson(req) {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body ? JSON.parse(body) : {};
}

let provider;
let issuer;
const server = http.createServer(async (req, res) => {
  try {
    if (req.url.startsWith('/test/')) {
      const body = await readJson(req);
      if (req.url === '/test/reset') Object.assign(state, { accounts: {}, nextLogin: { account: null, amr: ['pwd'] }, faults: {} });
      else if (req.url === '/test/accounts') Object.assign(state.accounts, body);
      else if (req.url === '/test/next-login') state.nextLogin = { amr: ['pwd'], ...body };
      else if (req.url === '/test/faults') state.faults = body;
      else if (req.url === '/test/rotate-keys') provider = makeProvider(issuer, newSigningKey());
      res.writeHead(204).end();
    } else if (req.url.startsWith('/interaction/')) {
      await interaction(provider, req, res);
    } else {
      provider.callback()(req, res);
    }
  } catch (error) {
    res.writeHead(500, { 'content-type': 'text/plain' }).end(String(error));
  }
});
server.listen(0, '127.0.0.1', () => {
  issuer = `http://127.0.0.1:${server.address().port}`;
  provider = makeProvider(issuer, newSigningKey());
  process.stdout.write(`${JSON.stringify({ issuer })}\n`);
});
