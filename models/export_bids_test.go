package models

// CommitRefusedForTest exposes the mapping of the COMMIT-time deadline refusal.
func CommitRefusedForTest(err error) error { return commitRefused(err, "Die Einreichung") }
