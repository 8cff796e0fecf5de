package core

// CallScope names a procedure in the Kreis it belongs to: the Kreis as the address named it
// (/verwaltung/:kreis) and the call's id. Use cases take it instead of two adjacent ids, so
// that the compiler refuses them swapped; a call of another Kreis is ErrNotFound.
type CallScope struct {
	Tenant int64 // the Kreis (tenants.id)
	Call   int64 // the procedure (calls.id)
}

// BidScope names a bid of the organisation it belongs to: the organisation as the address
// named it (/traeger/:org) and the bid's id. A bid of another organisation is ErrNotFound.
type BidScope struct {
	Org int64 // the organisation (organizations.id)
	Bid int64 // the bid (bids.id)
}

// OrgCallScope names an organisation acting on a procedure (following it, asking about it,
// starting a bid for it): the organisation as the address named it and the call's id.
type OrgCallScope struct {
	Org  int64 // the organisation (organizations.id)
	Call int64 // the procedure (calls.id)
}
