// The throughput baseline: a bare Fastify hello-world (no Nest, no auth, no validation, no store), in its
// own process, loaded by the same autocannon settings as the app. Prints its port as one JSON line.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.get('/', async () => ({ hello: 'world' }));
await app.listen({ port: 0, host: '127.0.0.1' });
console.log(JSON.stringify({ port: app.server.address().port }));
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
