package app

import "kimibv/models/store"

// isUnavailable reports whether err means the database cannot serve the request right
// now (unreachable, connection lost, failover in progress, no read-write server): 503.
func isUnavailable(err error) bool { return store.IsUnavailable(err) }
