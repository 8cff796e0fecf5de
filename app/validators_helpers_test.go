package app_test

import "time"

// notifyWithin is how long the tests wait for a change made directly in the database
// (not through this instance) to reach an instance by notification: far less than the
// default bound app.DefaultValidatorMaxAge, which a notification normally beats by
// orders of magnitude.
const notifyWithin = 2 * time.Second

// eventually retries ok every 10 ms until it reports true or within has passed, and
// reports whether it did.
func eventually(within time.Duration, ok func() bool) bool {
	deadline := time.Now().Add(within)
	for {
		if ok() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(10 * time.Millisecond)
	}
}
