// Builds the adapters that the configuration selects and closes them on shutdown.
import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tokenVerifier } from './auth/token-verifier';
import { ConfigError, type Config } from './config/config';
import type { EventStore } from './event-store/event-store';
import { openSqliteEventStore } from './event-store/sqlite-event-store';
import { openEventStoreDbEventStore } from './event-store/eventstoredb-event-store';
import { openSqliteIdempotencyStore, type IdempotencyStore } from './idempotency/idempotency-store';
import { CONFIG, EVENT_STORE, IDEMPOTENCY_STORE, MAILER, READ_DB, TOKEN_VERIFIER } from './injection-tokens';
import { openReadDatabase } from './projections/read-database';
import type Database from 'better-sqlite3';
import { outboxMailer, smtpMailer, type Mailer } from './mail/mailer';

@Global()
@Module({})
export class PlatformModule implements OnApplicationShutdown {
  constructor(
    @Inject(EVENT_STORE) private readonly eventStore: EventStore,
    @Inject(IDEMPOTENCY_STORE) private readonly idempotency: IdempotencyStore,
    @Inject(MAILER) private readonly mailer: Mailer,
    @Inject(READ_DB) private readonly readDb: Database.Database,
  ) {}

  static forRoot(config: Config): DynamicModule {
    // Better to refuse than to run silently on the embedded engines when a production one was asked for.
    for (const [variable, value] of [['MONGODB_URL', config.mongodbUrl]]) {
      if (value) throw new ConfigError(variable!, 'is set, but this version has no adapter for it yet; unset it to use the embedded default');
    }
    mkdirSync(config.dataDir, { recursive: true });
    return {
      module: PlatformModule,
      providers: [
        { provide: CONFIG, useValue: config },
        {
          provide: EVENT_STORE,
          useFactory: () =>
            config.eventstoreUrl
              ? openEventStoreDbEventStore(config.eventstoreUrl)
              : openSqliteEventStore(join(config.dataDir, 'events.sqlite')),
        },
        {
          provide: IDEMPOTENCY_STORE,
          useFactory: () => openSqliteIdempotencyStore(join(config.dataDir, 'idempotency.sqlite')),
        },
        {
          provide: MAILER,
          useFactory: () =>
            config.smtpUrl
              ? smtpMailer(config.smtpUrl, config.mailFrom)
              : outboxMailer(join(config.dataDir, 'outbox'), config.mailFrom),
        },
        { provide: TOKEN_VERIFIER, useFactory: () => tokenVerifier(config.auth) },
        { provide: READ_DB, useFactory: () => openReadDatabase(join(config.dataDir, 'read.sqlite')) },
      ],
      exports: [CONFIG, EVENT_STORE, IDEMPOTENCY_STORE, MAILER, TOKEN_VERIFIER, READ_DB],
    };
  }

  async onApplicationShutdown() {
    this.mailer.close();
    this.idempotency.close();
    this.readDb.close();
    await this.eventStore.close();
  }
}
