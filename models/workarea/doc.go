// Package workarea answers "what is due for me?": the landing page after login with one
// section per role the user holds — the lead's procedures with their stage, the openings,
// declarations and score sheets due, the providers' drafts, document requests, unread
// Postfach messages and notices, the council's new records, the Kreis administration's
// users and failed mails, the operator's Kreise and organisations.
//
// Layer: above all stages (it reads their tables, writes nothing). It imports core,
// rules and forwarding (the leads' flag of posts vacant too long, rules.md R36).
//
// Rules of docs/rules.md:
//   - R2: before the opening nothing here depends on bids: the lead's and the openers'
//     rows read the call, its deadline and the opening confirmations only; every count
//     of bids comes from the opening's snapshot (opening_bids), which exists only after
//     the opening; a provider sees only the own organisation's bids;
//   - R26: every query is limited to the Kreise and organisations in which the actor
//     holds the role of the section;
//   - the number of statements does not grow with the number of Kreise, organisations
//     or procedures (one per section kind, Load).
package workarea
