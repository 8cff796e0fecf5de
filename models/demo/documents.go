package demo

import (
	"strings"

	"kimibv/models/calls"
	"kimibv/models/decision"
)

// defaultBaseURL is the address of the links without WithBaseURL: the default of KIMIBV_BASE_URL.
const defaultBaseURL = "http://localhost:8080"

// WithBaseURL gives Load the public address of the installation (KIMIBV_BASE_URL), which
// the links in the demonstration's e-mails and Postfach messages point to.
func WithBaseURL(u string) Option { return func(o *options) { o.baseURL = u } }

// base returns the address for links: WithBaseURL's without a trailing slash, or the default.
func (o options) base() string {
	if u := strings.TrimRight(o.baseURL, "/"); u != "" {
		return u
	}
	return defaultBaseURL
}

// baseURLOf returns the address for links among opts.
func baseURLOf(opts []Option) string {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o.base()
}

// WithDocuments gives Load the hooks that issue the PDFs (app/pdfdoc.Issuers): the
// Bekanntmachung of each published version, the Öffnungsprotokoll, the Bewertungsmatrix,
// the Vergabevermerk and the Mitteilungen. Without it the demonstration carries no PDFs.
func WithDocuments(docs decision.DocumentIssuers) Option { return func(o *options) { o.docs = docs } }

// docsOf returns the document hooks among opts (zero value: none).
func docsOf(opts []Option) decision.DocumentIssuers {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o.docs
}

// issuerOf returns the Bekanntmachung hook among opts (nil: none).
func issuerOf(opts []Option) calls.CallIssuer { return docsOf(opts).Call }
