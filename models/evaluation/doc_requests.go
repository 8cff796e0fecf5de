package evaluation

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/lib/pq"
	"gorm.io/gorm"

	"kimibv/models/audit"
	"kimibv/models/bids"
	"kimibv/models/calls"
	"kimibv/models/core"
	"kimibv/models/postbox"
	"kimibv/models/rules"
	"kimibv/models/store"
	"kimibv/models/vault"
)

// DocumentRequest is a Nachforderung: documents requested from a provider with the
// call's one deadline, and the answers uploaded so far.
type DocumentRequest struct {
	ID          int64
	CallID      int64
	BidID       int64
	DocKeys     pq.StringArray `gorm:"type:text[]"`
	Message     string
	RequestedAt time.Time
	RequestedBy string
	Deadline    time.Time
	Answers     []rules.RequestAnswer `gorm:"-"`
}

// Open reports whether answers are still accepted at now.
func (r DocumentRequest) Open(now time.Time) bool { return !now.After(r.Deadline) }

// requestDeadline returns the call's one document-request deadline (nil before the first request).
func requestDeadline(tx *gorm.DB, callID int64) (*time.Time, error) {
	var d []time.Time
	if err := tx.Raw(`SELECT deadline FROM document_request_deadlines WHERE call_id = ?`, callID).Scan(&d).Error; err != nil {
		return nil, fmt.Errorf("load request deadline: %w", err)
	}
	if len(d) == 0 {
		return nil, nil
	}
	return &d[0], nil
}

// bidRequests loads a bid's document requests and attaches the answers.
func bidRequests(tx *gorm.DB, bidID int64, answers []rules.RequestAnswer) ([]DocumentRequest, error) {
	var out []DocumentRequest
	if err := tx.Raw(`SELECT r.id, r.call_id, r.bid_id, r.doc_keys, r.message, r.requested_at, u.name AS requested_by, d.deadline
		FROM document_requests r JOIN users u ON u.id = r.requested_by JOIN document_request_deadlines d ON d.call_id = r.call_id
		WHERE r.bid_id = ? ORDER BY r.requested_at, r.id`, bidID).Scan(&out).Error; err != nil {
		return nil, fmt.Errorf("load document requests: %w", err)
	}
	for i := range out {
		for _, a := range answers {
			if a.RequestID == out[i].ID {
				out[i].Answers = append(out[i].Answers, a)
			}
		}
	}
	return out, nil
}

// DocRequestInput is the lead's document request: which documents, a message and — for
// the call's first request only — the deadline that then holds for every request.
type DocRequestInput struct {
	DocKeys  []string
	Message  string
	Deadline string // German date and time; ignored once the call has a request deadline
}

// RequestDocuments sends a Nachforderung for a bid: the requested documents must be
// required documents of the bid's call version; the deadline is the call's one request
// deadline (set by the first request, in the future; equal treatment). The provider gets
// a Postfach message and an e-mail. Audited as formal.documents_requested.
func RequestDocuments(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.CallScope, bidID int64, in DocRequestInput, now time.Time) error {
	return store.InTx(ctx, db, func(tx *gorm.DB) error { return RequestDocumentsTx(tx, actor, scope, bidID, in, now) })
}

// RequestDocumentsTx is RequestDocuments inside the caller's transaction tx: it checks, locks, writes and
// audits as RequestDocuments does, but neither opens nor commits a transaction, so use cases compose.
func RequestDocumentsTx(tx *gorm.DB, actor *core.Actor, scope core.CallScope, bidID int64, in DocRequestInput, now time.Time) error {
	tenantID, callID := scope.Tenant, scope.Call
	c, st, err := lockFormalBid(tx, actor, tenantID, callID, bidID, now)
	if err != nil {
		return err
	}
	if st.Outcome == string(rules.FormalExcluded) || st.Outcome == string(rules.FormalAdmitted) || st.Corrected {
		return core.Conflict("Die formale Prüfung dieser Interessenbekundung ist entschieden; eine Nachforderung ist nicht mehr möglich.")
	}
	var bid struct {
		CallVersion int
		OrgID       int64
	}
	if err := tx.Raw(`SELECT call_version, org_id FROM opening_bids WHERE bid_id = ?`, bidID).Scan(&bid).Error; err != nil {
		return fmt.Errorf("load bid: %w", err)
	}
	content, err := calls.VersionContent(tx, callID, bid.CallVersion)
	if err != nil {
		return err
	}
	v := &core.ValidationError{}
	var names []string
	for _, k := range in.DocKeys {
		d, ok := bids.RequiredDoc(&content, k)
		if !ok {
			v.Add("docs", "unknown", "Bitte wählen Sie nur Unterlagen aus, die in der Ausschreibung verlangt sind.")
			break
		}
		names = append(names, d.Name)
	}
	if len(in.DocKeys) == 0 {
		v.Add("docs", "required", "Bitte wählen Sie mindestens eine Unterlage aus, die nachgefordert wird.")
	}
	core.CheckText(v, "message", "eine Nachricht an den Träger", in.Message, true, 4000)
	deadline, err := requestDeadline(tx, callID)
	if err != nil {
		return err
	}
	if deadline != nil && now.After(*deadline) {
		return core.Conflict("Die Frist für Nachforderungen in diesem Verfahren ist am " + core.FormatDateTime(*deadline) + " abgelaufen. Weitere Nachforderungen sind nicht möglich, damit alle Träger gleich behandelt werden.")
	}
	if deadline == nil {
		t, _, msg := rules.ParseGermanDateTime(in.Deadline)
		switch {
		case msg != "":
			v.Add("deadline", "invalid", msg)
		case !t.After(now.Add(24 * time.Hour)):
			v.Add("deadline", "too_soon", "Die Frist für Nachforderungen muss mindestens 24 Stunden in der Zukunft liegen.")
		}
		if err := v.OrNil(); err != nil {
			return err
		}
		if err := tx.Exec(`INSERT INTO document_request_deadlines (call_id, deadline, set_by, set_at) VALUES (?, ?, ?, ?)`, callID, t, actor.UserID, now).Error; err != nil {
			return fmt.Errorf("set request deadline: %w", err)
		}
		deadline = &t
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	var id int64
	if err := tx.Raw(`INSERT INTO document_requests (call_id, bid_id, doc_keys, message, requested_by, requested_at) VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
		callID, bidID, pq.StringArray(in.DocKeys), in.Message, actor.UserID, now).Scan(&id).Error; err != nil {
		return fmt.Errorf("record document request: %w", err)
	}
	if err := tx.Exec(`UPDATE formal_checks SET outcome = 'requested', updated_at = ? WHERE bid_id = ?`, now, bidID).Error; err != nil {
		return fmt.Errorf("mark request: %w", err)
	}
	body := fmt.Sprintf("Guten Tag,\n\nim Verfahren %s („%s“) fordert die Verfahrensleitung von Ihnen folgende Unterlagen nach:\n\n- %s\n\n%s\n\n"+
		"Bitte laden Sie ausschließlich diese Unterlagen bis zum %s bei Ihrer Interessenbekundung unter „Nachforderung“ hoch. "+
		"Diese Frist gilt für alle Nachforderungen des Verfahrens gleichermaßen; später eingehende Unterlagen werden nicht angenommen.\n",
		c.Ref, c.Title, strings.Join(names, "\n- "), in.Message, core.FormatDateTime(*deadline))
	if _, err := postbox.NotifyOrgIDs(tx, callID, []int64{bid.OrgID}, postbox.Notice{Kind: "document_request", Subject: "Nachforderung von Unterlagen: " + c.Ref, Body: body}); err != nil {
		return err
	}
	_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(callID), ActorID: actor.UserID, TenantID: tenantID, Action: "formal.documents_requested", ObjectType: "bid",
		ObjectID: strconv.FormatInt(bidID, 10), Details: map[string]any{"request": id, "documents": in.DocKeys, "deadline": deadline.UTC().Format(time.RFC3339)}})
	return err
}

// ProviderRequestsView is a provider's view of the document requests for its bid.
type ProviderRequestsView struct {
	CallRef   string
	CallTitle string
	Content   rules.CallContent
	Requests  []DocumentRequest
}

// DocName returns the name of a required document.
func (v *ProviderRequestsView) DocName(key string) string {
	if d, ok := bids.RequiredDoc(&v.Content, key); ok {
		return d.Name
	}
	return key
}

// ProviderRequests loads the document requests for the organisation's bid (members only;
// anybody else ErrNotFound).
func ProviderRequests(ctx context.Context, db *gorm.DB, actor *core.Actor, scope core.BidScope) (*ProviderRequestsView, error) {
	orgID, bidID := scope.Org, scope.Bid
	if !actor.InOrg(orgID) {
		return nil, fmt.Errorf("bid of org %d: %w", orgID, core.ErrNotFound)
	}
	tx := db.WithContext(ctx)
	var head struct {
		CallID      int64
		CallVersion int
		Ref, Title  string
	}
	res := tx.Raw(`SELECT o.call_id, o.call_version, c.ref, c.title FROM opening_bids o JOIN calls c ON c.id = o.call_id
		WHERE o.bid_id = ? AND o.org_id = ?`, bidID, orgID).Scan(&head)
	if res.Error != nil {
		return nil, fmt.Errorf("load bid: %w", res.Error)
	}
	if res.RowsAffected == 0 {
		return nil, fmt.Errorf("bid %d: %w", bidID, core.ErrNotFound)
	}
	v := &ProviderRequestsView{CallRef: head.Ref, CallTitle: head.Title}
	var err error
	if v.Content, err = calls.VersionContent(tx, head.CallID, head.CallVersion); err != nil {
		return nil, err
	}
	_, answers, err := bidFacts(tx, bidID)
	if err != nil {
		return nil, err
	}
	if v.Requests, err = bidRequests(tx, bidID, answers); err != nil {
		return nil, err
	}
	return v, nil
}

// RequestUpload is one uploaded answer to a document request.
type RequestUpload struct {
	RequestID int64
	DocKey    string
	FileName  string
	File      io.Reader
	MaxBytes  int64
}

// AnswerDocumentRequest stores one requested document uploaded by a member of the
// organisation: only documents named in the request, only until the call's request
// deadline (checked with now and, for the receipt, the database clock), encrypted with
// the call's key; each answer gets its own receipt entry (time and SHA-256). Audited as
// formal.documents_answered.
func AnswerDocumentRequest(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.BidScope, in RequestUpload, now time.Time) (*rules.RequestAnswer, error) {
	orgID, bidID := scope.Org, scope.Bid
	if !actor.InOrg(orgID) {
		return nil, fmt.Errorf("bid of org %d: %w", orgID, core.ErrNotFound)
	}
	var out rules.RequestAnswer
	err := store.InTx(ctx, db, func(tx *gorm.DB) error {
		if err := bids.LockMembership(tx, actor, orgID); err != nil {
			return err
		}
		var r DocumentRequest
		res := tx.Raw(`SELECT r.id, r.call_id, r.bid_id, r.doc_keys, d.deadline FROM document_requests r
			JOIN opening_bids o ON o.bid_id = r.bid_id JOIN document_request_deadlines d ON d.call_id = r.call_id
			WHERE r.id = ? AND r.bid_id = ? AND o.org_id = ? FOR SHARE OF r`, in.RequestID, bidID, orgID).Scan(&r)
		if res.Error != nil {
			return fmt.Errorf("load request: %w", res.Error)
		}
		if res.RowsAffected == 0 {
			return fmt.Errorf("request %d: %w", in.RequestID, core.ErrNotFound)
		}
		if now.After(r.Deadline) {
			return &core.DeadlineError{Message: "Die Frist für Nachforderungen ist am " + core.FormatDateTime(r.Deadline) + " abgelaufen. Das Hochladen ist nicht mehr möglich; es wurde nichts gespeichert."}
		}
		if !slices.Contains([]string(r.DocKeys), in.DocKey) {
			v := &core.ValidationError{}
			v.Add("datei", "not_requested", "Diese Unterlage wurde nicht nachgefordert. Laden Sie bitte nur die nachgeforderten Unterlagen hoch.")
			return v
		}
		f, err := vault.StoreFile(ctx, tx, vlt, vault.FileInput{CallID: r.CallID, OrgID: orgID, Kind: "bid", Name: in.FileName, Reader: in.File,
			MaxBytes: in.MaxBytes, CreatedBy: actor.UserID})
		if err != nil {
			return err
		}
		if err := tx.Raw(`INSERT INTO document_request_files (request_id, bid_id, doc_key, file_id, sha256, size, name, uploaded_by)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id, request_id, doc_key, file_id, name, size, sha256, received_at`,
			r.ID, bidID, in.DocKey, f.ID, f.SHA256, f.Size, f.Name, actor.UserID).Scan(&out).Error; err != nil {
			return bids.CommitRefused(fmt.Errorf("store answer: %w", err), "Das Hochladen")
		}
		_, err = audit.Audit(tx, audit.Event{Chain: audit.CallChain(r.CallID), ActorID: actor.UserID, Action: "formal.documents_answered", ObjectType: "bid",
			ObjectID: strconv.FormatInt(bidID, 10), Details: map[string]any{"request": r.ID, "document": in.DocKey, "sha256": f.SHA256, "org_id": orgID}})
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// OpenAnswerFile streams an answer file to the lead (after the ReadBids check) or to a
// member of the answering organisation.
func OpenAnswerFile(ctx context.Context, db *gorm.DB, vlt *vault.Vault, actor *core.Actor, scope core.CallScope, bidID, answerID int64, now time.Time) (io.ReadCloser, vault.File, error) {
	tenantID, callID := scope.Tenant, scope.Call
	if _, err := leadOpenedBids(ctx, db, vlt, actor, tenantID, callID, now); err != nil {
		return nil, vault.File{}, err
	}
	var fileID int64
	if err := db.WithContext(ctx).Raw(`SELECT a.file_id FROM document_request_files a JOIN opening_bids o ON o.bid_id = a.bid_id
		WHERE a.id = ? AND a.bid_id = ? AND o.call_id = ?`, answerID, bidID, callID).Scan(&fileID).Error; err != nil {
		return nil, vault.File{}, fmt.Errorf("load answer: %w", err)
	}
	if fileID == 0 {
		return nil, vault.File{}, fmt.Errorf("answer %d: %w", answerID, core.ErrNotFound)
	}
	return vault.OpenFile(ctx, db, vlt, fileID)
}
