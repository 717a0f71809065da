// A real OpenID Connect provider for SingleSignOnTests: oidc-provider 8.8.1 on 127.0.0.1 with one confidential client
// (authorization code + PKCE) and its built-in development login and consent pages (any password is accepted, the login
// names the account). Accounts and their claims are read from ACCOUNTS_FILE on every lookup, so a test can rename a
// user at the provider between two sign-ins. Prints "listening" once it answers.
import fs from 'node:fs';
import Provider from 'oidc-provider';

const port = Number(process.env.PORT);
const redirectUri = process.env.REDIRECT_URI;
const postLogoutRedirectUri = process.env.POST_LOGOUT_REDIRECT_URI;
const accountsFile = process.env.ACCOUNTS_FILE;
if (!port || !redirectUri || !postLogoutRedirectUri || !accountsFile || !process.env.CLIENT_SECRET) {
  console.error('PORT, REDIRECT_URI, POST_LOGOUT_REDIRECT_URI, ACCOUNTS_FILE and CLIENT_SECRET are required');
  process.exit(2);
}

const readAccounts = () => JSON.parse(fs.readFileSync(accountsFile, 'utf8'));

const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: [{
    client_id: process.env.CLIENT_ID ?? 'dependency-proxy',
    client_secret: process.env.CLIENT_SECRET,
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutRedirectUri],
    response_types: ['code'],
    grant_types: ['authorization_code'],
    // ASP.NET Core's handler sends the secret in the form.
    token_endpoint_auth_method: 'client_secret_post',
  }],
  pkce: { required: () => true, methods: ['S256'] },
  scopes: ['openid', 'profile', 'email', 'groups'],
  claims: {
    openid: ['sub'],
    profile: ['preferred_username', 'name'],
    email: ['email', 'email_verified'],
    groups: ['groups'],
  },
  features: {
    devInteractions: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      // The default page imports a web font; this one has nothing to fetch.
      logoutSource: async (ctx, form) => {
        ctx.body = `<!DOCTYPE html><title>Sign out</title>${form}<p>Sign out of the provider?</p>`
          + '<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Yes, sign me out</button>';
      },
    },
  },
  cookies: { keys: ['dependency-proxy-test-cookie-key'] },
  findAccount: async (ctx, id) => {
    const account = readAccounts()[id];
    if (!account) {
      return undefined;
    }
    return { accountId: id, claims: async () => ({ sub: id, ...account }) };
  },
});

provider.on('server_error', (ctx, error) => console.error('server_error', error));
provider.listen(port, '127.0.0.1', () => console.log('listening'));
