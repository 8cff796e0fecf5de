package demo

import (
	"errors"
	"strings"

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

// WithDocuments gives Load the renderer of the PDFs (app/pdfdoc.New): the Bekanntmachung
// of each published version, the Eingangsbestätigungen, the Öffnungsprotokoll, the
// Bewertungsmatrix, the Vergabevermerk and the Mitteilungen. Load refuses to run without it.
func WithDocuments(docs decision.ProcedureDocuments) Option {
	return func(o *options) { o.docs = docs }
}

// requireDocs refuses options without a document renderer; Load and LoadProcedures check
// it first, so the loaders below may use docsOf.
func requireDocs(opts []Option) error {
	if docsOf(opts) == nil {
		return errors.New("demo: no document renderer (WithDocuments)")
	}
	return nil
}

// docsOf returns the document renderer among opts.
func docsOf(opts []Option) decision.ProcedureDocuments { return collect(opts).docs }

// collect applies the options.
func collect(opts []Option) options {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o
}
