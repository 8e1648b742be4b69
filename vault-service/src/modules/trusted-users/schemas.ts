import { Type, type Static } from '@sinclair/typebox';
import type { TrustedUser } from './repository.js';

export const TrustedUserView = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  status: Type.Union([Type.Literal('invited'), Type.Literal('active'), Type.Literal('removed')]),
  invitedBy: Type.Object({ accountId: Type.String(), displayName: Type.String() }),
  invitedAt: Type.String({ format: 'date-time' }),
  activatedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  lastLoginAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  removedAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  removedByName: Type.Union([Type.String(), Type.Null()]),
});
export type TrustedUserView = Static<typeof TrustedUserView>;

export const TrustedUserList = Type.Object({ items: Type.Array(TrustedUserView) });
export const TrustedUserParams = Type.Object({ id: Type.String({ maxLength: 64 }) });

/** The wire shape: named fields only, so a new column never leaks by accident. */
export function toTrustedUserView(user: TrustedUser): TrustedUserView {
  return {
    id: user.id,
    email: user.email,
    status: user.status,
    invitedBy: { accountId: user.invitedByAccountId, displayName: user.invitedByName },
    invitedAt: user.invitedAt.toISOString(),
    activatedAt: user.activatedAt?.toISOString() ?? null,
    lastLoginAt: user.lastLoginAt?.toISOString() ?? null,
    removedAt: user.removedAt?.toISOString() ?? null,
    removedByName: user.removedByName,
  };
}
