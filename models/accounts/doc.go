// Package accounts holds people and organisations: users and passwords, log-in with
// lock-out, password reset, the Kreise (tenants) and their texts, provider organisations
// and their members, invitations, Kreis roles, the second factor, and the separation of duties between the
// evaluation committee and the roles that handle a procedure.
//
// Layer: the first stage. It imports core, store, audit, vault (the sealed TOTP secrets) and postbox.
//
// Rules of docs/rules.md:
//   - R18: CommitteeRoleConflict, CheckCommitteeDuties, checkRoleGrant,
//     RefuseCommitteeMember, LockPeople (duties.go), applied by SetTenantRoles
//     (memberships.go), InviteToTenant (tenant_admin.go) and grantInvitation
//     (invitations.go);
//   - R26: SetTenantRoles keeps the administrator's own role, KeepsAnAdmin keeps an
//     organisation's last administrator (org_members.go), TenantOverview is the
//     operator's alone (tenant_admin.go);
//   - R27: CheckPassword, HashPassword, LockoutUntil (password.go), Authenticate and
//     setPassword with the session epoch (users.go), password_reset.go,
//     InvitationValidity (invitations.go);
//   - R28: ssoOnly in loginBlocked refuses the password of staff of a "nur SSO" Kreis
//     (sso_only.go); the single sign-on itself is package sso's.
//   - R29: the second factor — StartSecondFactor, ConfirmSecondFactor, VerifySecondFactor
//     (second_factor.go, the TOTP window in second_factor_codes.go), ResetSecondFactor and
//     the Kreis's and organisation's settings (second_factor_admin.go); LoadActor marks
//     the roles that need it (core.Guarded). The secret is sealed with the vault.
//   - R30: the sessions a user sees and ends (sessions.go), the operator's account lock
//     (user_lock.go), withdrawn invitations (invitation_withdraw.go), and the end of a
//     person's sessions when a role is taken away (memberships.go, org_members.go).
package accounts
