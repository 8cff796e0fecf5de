package models

import "kimibv/models/bids"

// CommitRefusedForTest exposes the mapping of the COMMIT-time deadline refusal.
func CommitRefusedForTest(err error) error { return bids.CommitRefused(err, "Die Einreichung") }
