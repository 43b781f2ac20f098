/** What ending a subject's sign-ins needs from storage. */
export interface SubjectFamiliesStore {
  /** Revokes the subject's live families that began at or before `createdBefore`; how many. */
  revokeSubjectFamilies(subject: string, createdBefore: Date, at: Date): Promise<number>;
}

/**
 * A subject's tokens were revoked (password reset, deactivation): its sign-ins from before end
 * too, so no refresh token of theirs mints a new access token. Later sign-ins stay.
 */
export class SubjectSessions {
  constructor(
    private readonly store: SubjectFamiliesStore,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  endBefore(subject: string, revokedBefore: Date): Promise<number> {
    return this.store.revokeSubjectFamilies(subject, revokedBefore, this.clock());
  }
}
