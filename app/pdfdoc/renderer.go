package pdfdoc

import "kimibv/models/decision"

// Renderer lays out every document a procedure issues; it implements
// decision.ProcedureDocuments (and each stage's part of it).
type Renderer struct {
	checkURL string // the public document check's address, printed in every footer
}

// New returns the renderer of the procedure's documents; checkURL is the public document
// check's address printed in each footer.
func New(checkURL string) *Renderer { return &Renderer{checkURL: checkURL} }

// The renderer must render every document of every stage.
var _ decision.ProcedureDocuments = (*Renderer)(nil)
