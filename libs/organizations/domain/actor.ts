/** Who runs a command, as the verified token says (the domain normalizes `email` where it uses it). */
export type Actor = { userId: string; email: string; name: string | null };

/** The caller answering an invitation; `emailVerified: false` in the token blocks it. */
export type Invitee = Actor & { emailVerified: boolean | null };
