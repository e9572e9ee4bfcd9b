// Builds the adapters that the configuration selects and closes them on shutdown.
import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tokenVerifier } from './auth/token-verifier';
import type { Config } from './config/config';
import type { EventStore } from './event-store/event-store';
import { openEventStore } from './event-store/open-event-store';
import { openSqliteIdempotencyStore, type IdempotencyStore } from './idempotency/idempotency-store';
import { CONFIG, EVENT_STORE, IDEMPOTENCY_STORE, MAILER, TOKEN_VERIFIER } from './injection-tokens';
import { outboxMailer, smtpMailer, type Mailer } from './mail/mailer';

@Global()
@Module({})
export class PlatformModule implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(IDEMPOTENCY_STORE) private readonly idempotency: IdempotencyStore,
    @Inject(MAILER) private readonly mailer: Mailer,
  ) {}

  static forRoot(config: Config): DynamicModule {
    mkdirSync(config.dataDir, { recursive: true });
    return {
      module: PlatformModule,
      providers: [
        { provide: CONFIG, useValue: config },
        {
          provide: EVENT_STORE,
          useFactory: () => openEventStore(config),
        },
        {
          provide: IDEMPOTENCY_STORE,
          useFactory: () =>
            config.redisUrl
              ? // loaded only when configured (require, not import: the Redis client costs ~20 MB of memory)
                (require('./idempotency/redis-idempotency-store') as typeof import('./idempotency/redis-idempotency-store')).redisIdempotencyStore(config.redisUrl, { keyPrefix: `${config.redisKeyPrefix}:idempotency:` })
              : openSqliteIdempotencyStore(join(config.dataDir, 'idempotency.sqlite')),
        },
        {
          provide: MAILER,
          useFactory: () =>
            config.smtpUrl
              ? smtpMailer(config.smtpUrl, config.mailFrom)
              : outboxMailer(join(config.dataDir, 'outbox'), config.mailFrom),
        },
        { provide: TOKEN_VERIFIER, useFactory: () => tokenVerifier(config.auth) },
      ],
      exports: [CONFIG, EVENT_STORE, IDEMPOTENCY_STORE, MAILER, TOKEN_VERIFIER],
    };
  }

  async onApplicationShutdown() {
    this.mailer.close();
    await this.idempotency.close();
    await this.eventStore.close();
  }
}
