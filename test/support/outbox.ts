// Reads the invitation emails the app wrote to $DATA_DIR/outbox, as a user's mailbox would.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser, type ParsedMail } from 'mailparser';

export type ReceivedMail = { file: string; to: string; subject: string; text: string; html: string; mail: ParsedMail };

// Emails are sent by background jobs. An in-process test app registers how to wait until its
// background work is done, so that reading the outbox sees every email the commands so far caused.
const settlers = new Map<string, () => Promise<void>>();
export const registerSettle = (dataDir: string, settle: () => Promise<void>) => settlers.set(dataDir, settle);
export const unregisterSettle = (dataDir: string) => settlers.delete(dataDir);

export async function outbox(dataDir: string): Promise<ReceivedMail[]> {
  await settlers.get(dataDir)?.();
  const dir = join(dataDir, 'outbox');
  if (!existsSync(dir)) return [];
  const files = readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
  return Promise.all(
    files.map(async (file) => {
      const mail = await simpleParser(readFileSync(join(dir, file)));
      const to = Array.isArray(mail.to) ? mail.to.map((a) => a.text).join(', ') : (mail.to?.text ?? '');
      return { file, to, subject: mail.subject ?? '', text: mail.text ?? '', html: typeof mail.html === 'string' ? mail.html : '', mail };
    }),
  );
}

/** The token of the invitation link in the newest email sent to `email` (by file order: one file per send). */
export async function invitationToken(dataDir: string, email: string, linkBase = 'http://localhost:3000/invitations/'): Promise<string> {
  // A spawned app has no settle hook: wait (up to 10 s) for the first email to arrive.
  const deadline = Date.now() + 10_000;
  let mails = (await outbox(dataDir)).filter((m) => m.to.toLowerCase().includes(email.toLowerCase()));
  while (mails.length === 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20));
    mails = (await outbox(dataDir)).filter((m) => m.to.toLowerCase().includes(email.toLowerCase()));
  }
  if (mails.length === 0) throw new Error(`no email to ${email} in the outbox`);
  const tokens = mails.map((m) => tokenIn(m.text, linkBase));
  // Files are named <invitationId>-<sendNumber>.eml; the highest send of the newest invitation is last.
  return tokens[tokens.length - 1];
}

export function tokenIn(text: string, linkBase = 'http://localhost:3000/invitations/'): string {
  const start = text.indexOf(linkBase);
  if (start < 0) throw new Error('no invitation link in the email');
  return text.slice(start + linkBase.length).split(/\s/)[0];
}
