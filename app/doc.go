// Package app is kimibv's HTTP layer: the route table, middleware, handlers that
// parse forms and call one models use case each, and the views (HTML, PDF, feeds).
// It also runs the scheduled jobs (closing calls, final awards, the outbox) and delivers
// mail over SMTP.
//
// Layer: above the domain. It imports every models package it serves, app/pdfdoc,
// templates and static; nothing in models imports it.
//
// Rules of docs/rules.md:
//   - R26 and R9: routes.go gives every route its role middleware (requireTenantRole,
//     requireOrgMember, requirePlatformAdmin in middleware.go), which resolves the Kreis or
//     organisation from the address and answers 404 to everybody without a role there;
//     errors.go maps core.ErrNotFound to 404 in one place;
//   - R14 and R10: the close-calls and finalize-awards jobs (mailer.go), each under a
//     PostgreSQL advisory lock (jobs.go), and the lazy close on access (calls_admin.go);
//   - R2: the public pages' validators come from decision.CallStamp and
//     decision.PublicCallsStamp only (calls_public.go, http_cache.go), kept in memory and
//     invalidated by notifications that no sealed trail sends (validators.go);
//   - R27: the per-address login throttle (login_throttle.go) and the session epoch check
//     (middleware.go);
//   - R30: the listed sessions and their end (sessions.go, checked in loadActor), the
//     operator's account lock and withdrawn invitations (operator_users.go).
package app
