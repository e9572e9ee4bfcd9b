// Prints a bearer token for trying the API on the embedded default:
//   npm run token -- --sub alice --email alice@example.com [--name "Alice"] [--scope activity:ingest] [--ttl 1h]
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../libs/platform/config/config';
import { signToken } from '../libs/platform/auth/sign-token';

async function main() {
  const { values } = parseArgs({
    options: {
      sub: { type: 'string' },
      email: { type: 'string' },
      name: { type: 'string' },
      scope: { type: 'string' },
      ttl: { type: 'string', default: '24h' },
      unverified: { type: 'boolean', default: false },
    },
  });
  if (!values.sub || !values.email) {
    console.error('usage: npm run token -- --sub <user id> --email <address> [--name <display name>] [--scope <scopes>] [--ttl 24h] [--unverified]');
    process.exit(2);
  }
  const config = loadConfig();
  if (!config.auth.jwtSecret) throw new ConfigError('AUTH_JWT_SECRET', 'is not set: tokens come from the identity provider (AUTH_JWKS_URL)');
  const token = await signToken(
    config.auth.jwtSecret,
    {
      sub: values.sub,
      email: values.email,
      ...(values.name ? { name: values.name } : {}),
      ...(values.scope ? { scope: values.scope } : {}),
      ...(values.unverified ? { email_verified: false } : {}),
    },
    values.ttl,
  );
  console.log(token);
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
