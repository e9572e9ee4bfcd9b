// docker/docker-compose.yml is valid Compose (npm run docker:config): the Docker engine is not on the
// development machines, but a compose tool is (Debian's docker-compose); without one the test says so.
import { execFileSync, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const hasTool =
  spawnSync('docker', ['compose', 'version'], { stdio: 'ignore' }).status === 0 ||
  spawnSync('docker-compose', ['version', '--short'], { stdio: 'ignore' }).status === 0;

if (!hasTool) {
  process.stderr.write('\ncompose check SKIPPED (neither docker compose nor docker-compose is installed)\n');
  it.skip('compose check SKIPPED (neither docker compose nor docker-compose is installed)', () => undefined);
} else {
  it('docker/docker-compose.yml validates', () => {
    const out = execFileSync('bash', ['scripts/compose-config.sh'], { cwd: ROOT, encoding: 'utf8' });
    expect(out).toContain('docker/docker-compose.yml: valid');
  });
}
