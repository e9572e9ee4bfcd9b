// A real SMTP listener (the `smtp-server` package) on a free port, collecting what the app sends.
// It can refuse (a temporary 451 at RCPT TO or after DATA) for the first attempts, be stopped and started
// again on the same port, and run a hook once a message is in, before or after it answers 250 (e.g. to kill
// the sender).
import { SMTPServer, type SMTPServerAddress, type SMTPServerSession } from 'smtp-server';
import { simpleParser, type ParsedMail } from 'mailparser';
import { freePort, waitFor } from './jobs';

export type SmtpMessage = {
  /** Envelope: MAIL FROM and RCPT TO as the client gave them. */
  from: string;
  to: string[];
  raw: Buffer;
  mail: ParsedMail;
  subject: string;
  text: string;
  html: string;
  receivedAt: number;
};

export type SmtpOptions = {
  /** Port to listen on (default: a free one). */
  port?: number;
  /** Called for every attempt to deliver (counted from 1); answer an Error to refuse that attempt at RCPT TO. */
  refuseRcpt?: (attempt: number) => Error | null;
  /** Called for every message body (counted from 1); answer an Error to refuse it after DATA. */
  refuseData?: (attempt: number) => Error | null;
  /** Runs once the whole message is here (and counted), before the server answers 250 to the client. */
  beforeAnswer?: (message: SmtpMessage) => Promise<void> | void;
  /** Runs right after a message was accepted (the 250 answer is on its way to the client). */
  onAccepted?: (message: SmtpMessage) => void;
  /** Start listening at once (default true). */
  listen?: boolean;
};

export type SmtpListener = {
  port: number;
  url: string;
  messages: SmtpMessage[];
  /** Delivery attempts seen (RCPT TO commands), refused ones included, with their times. */
  rcptAttempts: number[];
  dataAttempts: number[];
  listening(): boolean;
  listen(): Promise<void>;
  close(): Promise<void>;
  /** Waits until at least `count` messages arrived (answers them). */
  waitForMessages(count: number, timeoutMs?: number): Promise<SmtpMessage[]>;
  /** Messages whose envelope recipients include `email`. */
  to(email: string): SmtpMessage[];
};

/** An SMTP error with a response code, as smtp-server expects (4xx: temporary). */
export function smtpError(message: string, responseCode = 451): Error {
  return Object.assign(new Error(message), { responseCode });
}

export async function startSmtp(options: SmtpOptions = {}): Promise<SmtpListener> {
  const port = options.port ?? (await freePort());
  const messages: SmtpMessage[] = [];
  const rcptAttempts: number[] = [];
  const dataAttempts: number[] = [];
  let server: SMTPServer | undefined;

  const create = () =>
    new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // The app may keep a connection open; closing the server must not wait for it.
      closeTimeout: 100,
      onRcptTo(address: SMTPServerAddress, _session: SMTPServerSession, callback: (err?: Error | null) => void) {
        rcptAttempts.push(Date.now());
        const refusal = options.refuseRcpt?.(rcptAttempts.length) ?? null;
        callback(refusal ?? undefined);
      },
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('end', () => {
          dataAttempts.push(Date.now());
          const refusal = options.refuseData?.(dataAttempts.length) ?? null;
          if (refusal) return callback(refusal);
          const raw = Buffer.concat(chunks);
          void simpleParser(raw).then(
            async (mail) => {
              const message: SmtpMessage = {
                from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
                to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()),
                raw,
                mail,
                subject: mail.subject ?? '',
                text: mail.text ?? '',
                html: typeof mail.html === 'string' ? mail.html : '',
                receivedAt: Date.now(),
              };
              messages.push(message);
              await options.beforeAnswer?.(message);
              callback();
              options.onAccepted?.(message);
            },
            (error: Error) => callback(error),
          );
        });
      },
    });

  const listener: SmtpListener = {
    port,
    url: `smtp://127.0.0.1:${port}`,
    messages,
    rcptAttempts,
    dataAttempts,
    listening: () => server !== undefined,
    async listen() {
      if (server) return;
      const s = create();
      s.on('error', () => undefined);
      await new Promise<void>((resolve, reject) => {
        s.server.once('error', reject);
        s.listen(port, '127.0.0.1', () => resolve());
      });
      server = s;
    },
    async close() {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
    async waitForMessages(count, timeoutMs = 15_000) {
      await waitFor(`${count} message(s) at the SMTP listener`, () => messages.length >= count, {
        timeoutMs,
        describe: () => `${messages.length} arrived, ${rcptAttempts.length} RCPT attempts`,
      });
      return messages;
    },
    to: (email) => messages.filter((m) => m.to.includes(email.toLowerCase())),
  };
  if (options.listen !== false) await listener.listen();
  return listener;
}
