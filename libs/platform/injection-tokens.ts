// Nest injection tokens of the platform's ports (plain objects built from the configuration).
export const CONFIG = Symbol('Config');
export const EVENT_STORE = Symbol('EventStore');
export const MAILER = Symbol('Mailer');
export const TOKEN_VERIFIER = Symbol('TokenVerifier');
export const IDEMPOTENCY_STORE = Symbol('IdempotencyStore');
export const READ_STORE = Symbol('ReadStore');
export const PROJECTION_RUNNER = Symbol('ProjectionRunner');
export const JOB_QUEUE = Symbol('JobQueue');
export const REACTOR_RUNNER = Symbol('ReactorRunner');
