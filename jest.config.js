// @swc/jest compiles TypeScript (legacy decorators + metadata, which Nest needs) to CommonJS.
// NestJS 12, uuid and jose ship ESM only, so they (and their ESM-only dependencies) are transformed too.
const swc = {
  jsc: {
    parser: { syntax: 'typescript', decorators: true },
    transform: { legacyDecorator: true, decoratorMetadata: true },
    target: 'es2022',
  },
  module: { type: 'commonjs' },
  sourceMaps: 'inline',
};

module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/test'],
  testMatch: ['**/*.spec.ts', '**/*.e2e.ts'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', swc] },
  transformIgnorePatterns: ['/node_modules/(?!(@nestjs|cookie|file-type|uid|@lukeed|uuid|jose)/)'],
  moduleFileExtensions: ['ts', 'js', 'mjs', 'json'],
};
