// Package postbox delivers messages: the outbox of e-mails (queued sealed in the
// transaction of the action that causes them, sent by a job, never sent twice), its review
// by the Kreis administrator and the operator, the organisations' Postfach with following
// and notifications, and the sealing at start of rows that older versions stored in plain
// text.
//
// Layer: above vault. It imports core, rules, store, audit and vault.
//
// Rules of docs/rules.md:
//   - R23: every mail and Postfach message is sealed (EnqueueMail, queueMails in
//     outbox.go; InsertInbox in inbox_seal.go); SealLegacyAtRest (seal_legacy.go);
//   - R2: mails about a bid carry no Kreis and stay sealed in every review (BidMailKind,
//     OutboxProblems in outbox_review.go);
//   - R9: a Postfach is read only by its organisation's members (Inbox,
//     InboxMessageOf, MarkInboxRead in inbox.go);
//   - R13: followers learn of answers and amendments (NotifyFollowers).
package postbox
