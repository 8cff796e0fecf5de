package demo

import "kimibv/models"

// WithDocuments gives Load the hooks that issue the PDFs (app/pdfdoc.Issuers): the
// Bekanntmachung of each published version, the Öffnungsprotokoll, the Bewertungsmatrix,
// the Vergabevermerk and the Mitteilungen. Without it the demonstration carries no PDFs.
func WithDocuments(docs models.DocumentIssuers) Option { return func(o *options) { o.docs = docs } }

// docsOf returns the document hooks among opts (zero value: none).
func docsOf(opts []Option) models.DocumentIssuers {
	var o options
	for _, f := range opts {
		f(&o)
	}
	return o.docs
}

// issuerOf returns the Bekanntmachung hook among opts (nil: none).
func issuerOf(opts []Option) models.CallIssuer { return docsOf(opts).Call }
