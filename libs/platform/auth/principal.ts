/** The verified caller. `email` is as the token says; commands normalize it. */
export type Principal = {
  sub: string;
  email: string;
  name: string | null;
  /** false blocks accepting invitations; absent (null) does not. */
  emailVerified: boolean | null;
  scopes: string[];
};

/** A service token records activity for members; it is not itself a member of anything. */
export const ACTIVITY_INGEST_SCOPE = 'activity:ingest';
