package accounts

import (
	"fmt"
	"slices"
	"strings"

	"gorm.io/gorm"

	"kimibv/models/core"
)

// Separation of duties in a procedure (rules.md R18, guarding R5 and R6). The openers and the lead
// handle a procedure: they read every bid without a conflict-of-interest declaration, and
// the lead reads every score in the consolidation. The committee scores independently
// behind two gates: declarations first, tied and non-admitted bids unreachable (R5),
// others' scores only after the own sheet (R6). A person therefore never sits on both
// sides of one procedure:
//
//   - CommitteeRoleConflict refuses the combination where roles are granted (Kreis
//     administration, invitations) and where the committee is named (draft, committee
//     page, copy of a call);
//   - for data that predates the rule, the gates are a property of the person in the
//     procedure, not of a role: ReadBids gates a named evaluator as evaluator whatever
//     other roles they hold, the lead's and the openers' pages of the procedure refuse them
//     (RefuseCommitteeMember), and the Kreis protocol hides the procedure's details from
//     them (ListAudit).
//
// Kreis administration and council membership may be held beside the committee; their
// pages show nothing the gates protect.

// procedureRoles are the Kreis roles that handle procedures, in the order they are reported.
var procedureRoles = []core.Role{core.RoleLead, core.RoleOpener}

// ProcedureRoleNames are procedureRoles as strings, for SQL arguments.
func ProcedureRoleNames() []string {
	out := make([]string, len(procedureRoles))
	for i, r := range procedureRoles {
		out[i] = string(r)
	}
	return out
}

// CommitteeRoleConflict is the separation-of-duties rule of a procedure (pure): a person
// named to the evaluation committee of a procedure that is not finished (namedEvaluator)
// must not hold a Kreis role that handles procedures — lead or opener. It returns the
// first such role among kreisRoles, or "" when the combination is allowed. Kreis
// administration and council membership are allowed beside the committee.
func CommitteeRoleConflict(kreisRoles []core.Role, namedEvaluator bool) core.Role {
	if !namedEvaluator {
		return ""
	}
	for _, r := range procedureRoles {
		if slices.Contains(kreisRoles, r) {
			return r
		}
	}
	return ""
}

// MsgCommitteeRole explains to the lead naming the committee why a holder of role cannot
// be named (field error with the role as code).
func MsgCommitteeRole(role core.Role) string {
	if role == core.RoleLead {
		return "Personen mit der Rolle Verfahrensleitung in diesem Kreis können nicht dem Bewertungsgremium angehören: Die Verfahrensleitung liest alle Interessenbekundungen ohne Erklärung zu Interessenkonflikten und sieht alle Bewertungen. Bitte wählen Sie eine andere Person."
	}
	return "Öffnungsberechtigte Personen in diesem Kreis können nicht dem Bewertungsgremium angehören: Wer öffnet, liest alle Interessenbekundungen ohne Erklärung zu Interessenkonflikten. Bitte wählen Sie eine andere Person."
}

// msgGrantConflict explains to a Kreis administrator why role cannot be granted to a
// member of the committee of the running procedure ref.
func msgGrantConflict(role core.Role, ref string) string {
	return fmt.Sprintf("Diese Person gehört dem Bewertungsgremium des laufenden Verfahrens %s an und kann deshalb nicht zugleich die Rolle „%s“ erhalten: "+
		"Verfahrensleitung und Öffnungsberechtigte lesen alle Interessenbekundungen ohne Erklärung zu Interessenkonflikten. "+
		"Vergeben Sie die Rolle nach Abschluss des Verfahrens oder bitten Sie die Verfahrensleitung, eine andere Person in das Gremium zu benennen. Es wurde nichts geändert.",
		ref, role.Label())
}

// msgAcceptConflict explains to an invited person why they cannot accept role now.
func msgAcceptConflict(role core.Role, ref string) string {
	return fmt.Sprintf("Sie gehören dem Bewertungsgremium des laufenden Verfahrens %s an und können die Rolle „%s“ deshalb erst nach dessen Abschluss übernehmen. "+
		"Bitte wenden Sie sich an die Kreisadministration. Es wurde nichts geändert.", ref, role.Label())
}

// ErrCommitteeMember refuses a named evaluator on the lead's and the openers' pages of
// the procedure (the separation of duties for data that predates the rule).
func ErrCommitteeMember() error {
	return core.Forbidden("Sie gehören dem Bewertungsgremium dieses Verfahrens an. Die Seiten der Verfahrensleitung und der Öffnung dieses Verfahrens bleiben Ihnen deshalb verschlossen; " +
		"diese Schritte übernimmt eine andere Person. Ihre eigene Bewertung finden Sie unter „Bewertung“.")
}

// NamedEvaluator reports whether userID is a named evaluator of the call.
func NamedEvaluator(db *gorm.DB, callID, userID int64) (bool, error) {
	var named bool
	if err := db.Raw(`SELECT EXISTS (SELECT 1 FROM call_committee WHERE call_id = ? AND user_id = ? AND role = 'evaluator')`, callID, userID).
		Scan(&named).Error; err != nil {
		return false, fmt.Errorf("check committee membership: %w", err)
	}
	return named, nil
}

// RefuseCommitteeMember refuses (ErrCommitteeMember) a named evaluator of the call.
func RefuseCommitteeMember(db *gorm.DB, actor *core.Actor, callID int64) error {
	named, err := NamedEvaluator(db, callID, actor.UserID)
	if err != nil {
		return err
	}
	if named {
		return ErrCommitteeMember()
	}
	return nil
}

// checkRoleGrant adds a field error when the Kreis roles the user would hold after a
// grant break CommitteeRoleConflict: the user is a named evaluator of a procedure of the
// Kreis that is neither awarded nor cancelled (drafts count: their committee is named).
// It first locks the user's row FOR UPDATE: a concurrent naming (LockPeople) waits for
// the grant and then sees it, or the grant waits for the naming and sees the committee.
func checkRoleGrant(tx *gorm.DB, tenantID, userID int64, roles []core.Role, field string, msg func(core.Role, string) string, v *core.ValidationError) error {
	if CommitteeRoleConflict(roles, true) == "" {
		return nil
	}
	if err := tx.Exec(`SELECT 1 FROM users WHERE id = ? FOR UPDATE`, userID).Error; err != nil {
		return fmt.Errorf("lock user: %w", err)
	}
	var refs []string
	if err := tx.Raw(`SELECT c.ref FROM call_committee k JOIN calls c ON c.id = k.call_id
		WHERE k.user_id = ? AND k.role = 'evaluator' AND c.tenant_id = ? AND c.state NOT IN ('awarded', 'cancelled')
		ORDER BY c.ref`, userID, tenantID).Scan(&refs).Error; err != nil {
		return fmt.Errorf("load committee memberships: %w", err)
	}
	if r := CommitteeRoleConflict(roles, len(refs) > 0); r != "" {
		v.Add(field, "committee", msg(r, strings.Join(refs, ", ")))
	}
	return nil
}

// CheckCommitteeDuties adds a field error (code: the role) when one of the evaluators
// holds a Kreis role that CommitteeRoleConflict forbids beside the committee. Callers
// lock the people first (LockPeople), so that a concurrent grant cannot slip in.
func CheckCommitteeDuties(tx *gorm.DB, tenantID int64, evaluators []int64, field string, v *core.ValidationError) error {
	if len(evaluators) == 0 {
		return nil
	}
	var rows []struct {
		UserID int64
		Role   string
	}
	if err := tx.Raw(`SELECT user_id, role FROM tenant_memberships WHERE tenant_id = ? AND user_id IN ?`, tenantID, evaluators).
		Scan(&rows).Error; err != nil {
		return fmt.Errorf("check roles of the committee: %w", err)
	}
	held := map[int64][]core.Role{}
	for _, r := range rows {
		held[r.UserID] = append(held[r.UserID], core.Role(r.Role))
	}
	for _, id := range evaluators {
		if r := CommitteeRoleConflict(held[id], true); r != "" && !slices.ContainsFunc(v.Fields, func(f core.FieldError) bool {
			return f.Field == field && f.Code == string(r)
		}) {
			v.Add(field, string(r), MsgCommitteeRole(r))
		}
	}
	return nil
}

// LockPeople locks the users' rows FOR KEY SHARE before their Kreis roles are read for a
// naming: a concurrent grant (checkRoleGrant, FOR UPDATE) waits for the naming or is
// waited for, and the reads after the lock see its outcome. KEY SHARE does not block
// ordinary updates of the users (logins, password changes).
func LockPeople(tx *gorm.DB, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	if err := tx.Exec(`SELECT 1 FROM users WHERE id IN ? ORDER BY id FOR KEY SHARE`, ids).Error; err != nil {
		return fmt.Errorf("lock committee members: %w", err)
	}
	return nil
}
