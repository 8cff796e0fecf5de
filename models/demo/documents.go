package demo

import "kimibv/models"

// WithIssuer gives Load the hook that issues each published version's Bekanntmachung
// (models.BekanntmachungIssuer with the PDF renderer of app/pdfdoc); without it the
// demonstration's calls carry no PDF.
func WithIssuer(issue models.CallIssuer) Option { return func(o *options) { o.issue = issue } }

// issuerOf returns the Bekanntmachung hook among opts (nil: none).
func issuerOf(opts []Option) models.CallIssuer {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o.issue
}
