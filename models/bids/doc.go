// Package bids is the stage of the providers' bids (Interessenbekundungen): the encrypted
// working copy with its files and wallet copies, submission as immutable versions,
// withdrawal, the receipt (Eingangsbestätigung), the organisation's document wallet
// (Dokumentenmappe), and ReadBids, the one gate through which the Kreis reads bids.
//
// Layer: the stage after calls. It imports core, rules, store, audit, vault, postbox,
// accounts and calls.
//
// Rules of docs/rules.md:
//   - R2: ReadBids and CallBidStatus (bid_sealed.go); every bid event goes to the sealed
//     trail (bidAudit in bids.go);
//   - R3: SubmitBid (bid_submit.go), CommitRefused and bidCall.open (bids.go) with the
//     COMMIT-time triggers; IssueBidReceipt (bid_receipt.go);
//   - R4: SubmitBid, WithdrawBid, lockEditableBid;
//   - R5: EvaluatorBids and evaluatorGated, the evaluator branch of ReadBids;
//   - R9: OwnBid, OpenOwnBidFile, OwnReceipt (bid_reads.go), ReceiptPDF, InboxDocument
//     (receipt_document.go), LockMembership and the wallet reads (wallet.go) answer
//     ErrNotFound to everybody but the organisation's members;
//   - R17: the wallet (wallet.go) and AttachWalletDocument (bid_files.go).
package bids
