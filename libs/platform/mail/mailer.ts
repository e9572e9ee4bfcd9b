// The mail port and its two adapters, both on nodemailer: SMTP when SMTP_URL is set, otherwise one
// RFC 5322 `.eml` file per message in $DATA_DIR/outbox (written atomically: temp file, then rename).
import { mkdirSync } from 'node:fs';
import { rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';

export type MailMessage = { to: string; subject: string; text: string; html: string; id: string };
export type Mailer = { send(message: MailMessage): Promise<void>; close(): void };

export function smtpMailer(smtpUrl: string, from: string): Mailer {
  const transport = createTransport(smtpUrl);
  return {
    async send({ to, subject, text, html, id }) {
      await transport.sendMail({ from, to, subject, text, html, messageId: `<${id}@team-management>` });
    },
    close: () => transport.close(),
  };
}

export function outboxMailer(outboxDir: string, from: string): Mailer {
  const transport = createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  mkdirSync(outboxDir, { recursive: true });
  return {
    async send({ to, subject, text, html, id }) {
      const info = await transport.sendMail({ from, to, subject, text, html, messageId: `<${id}@team-management>` });
      const file = join(outboxDir, `${id}.eml`);
      // Asynchronous: opening a file in a big directory on a busy disk took 13% of the event loop under
      // load (CPU profile of the invite benchmark) when it was writeFileSync.
      await writeFile(`${file}.tmp`, info.message as Buffer);
      await rename(`${file}.tmp`, file);
    },
    close: () => transport.close(),
  };
}
