package demo

import (
	"context"
	"fmt"
	"time"

	"gorm.io/gorm"

	"kimibv/models/accounts"
	"kimibv/models/core"
)

// Password is the password of every demo account (printed by `kimibv demo`).
const Password = "Demo-Passwort-2026"

// Login is one demo account for the console listing.
type Login struct {
	Role  string
	Email string
	Note  string
}

type person struct {
	email, name string
	roles       []core.Role
}

// musterlandStaff are the Kreis Musterland accounts, one per role (three evaluators, two openers).
func musterlandStaff() []person {
	return []person{
		{"admin@musterland.example", "Petra Verwalter", []core.Role{core.RoleTenantAdmin}},
		{"leitung@musterland.example", "Jana Leitner", []core.Role{core.RoleLead}},
		{"oeffnung1@musterland.example", "Olaf Öffner", []core.Role{core.RoleOpener}},
		{"oeffnung2@musterland.example", "Özlem Schlüter", []core.Role{core.RoleOpener}},
		{"gremium1@musterland.example", "Greta Gremm", []core.Role{core.RoleEvaluator}},
		{"gremium2@musterland.example", "Bernd Bewerter", []core.Role{core.RoleEvaluator}},
		{"gremium3@musterland.example", "Ayşe Yıldız", []core.Role{core.RoleEvaluator}},
		{"kreistag@musterland.example", "Karl Kreistag", []core.Role{core.RoleCouncil}},
	}
}

// beispielhausenStaff are the accounts of the second Kreis, Stadt Beispielhausen: its
// administrator, who leads its procedure, two openers and two evaluators.
func beispielhausenStaff() []person {
	return []person{
		{"admin@beispielhausen.example", "Bea Beispiel", []core.Role{core.RoleTenantAdmin, core.RoleLead}},
		{"oeffnung1@beispielhausen.example", "Otto Ortmann", []core.Role{core.RoleOpener}},
		{"oeffnung2@beispielhausen.example", "Paula Pohl", []core.Role{core.RoleOpener}},
		{"gremium1@beispielhausen.example", "Gerd Gutachter", []core.Role{core.RoleEvaluator}},
		{"gremium2@beispielhausen.example", "Hanna Hinz", []core.Role{core.RoleEvaluator}},
	}
}

// providers are the four fictional welfare organisations with their administrators.
func providers() []struct {
	org  accounts.OrgInput
	user person
} {
	mk := func(name, assoc, street, zip, city, mail, user, uname string) struct {
		org  accounts.OrgInput
		user person
	} {
		return struct {
			org  accounts.OrgInput
			user person
		}{
			accounts.OrgInput{Name: name, LegalForm: accounts.LegalForms[0], RegisterCourt: "Amtsgericht Musterstadt", RegisterNumber: "VR " + zip[1:],
				Street: street, PostalCode: zip, City: city, Association: assoc, Email: mail, Phone: "02345 1234-0"},
			person{user, uname, []core.Role{core.RoleOrgAdmin}},
		}
	}
	return []struct {
		org  accounts.OrgInput
		user person
	}{
		mk("Arbeiterwohlfahrt Kreisverband Musterland e. V.", accounts.Associations[0], "Hauptstraße 12", "57001", "Musterstadt", "info@awo-musterland.example", "awo@traeger.example", "Andrea Wohlfahrt"),
		mk("Caritasverband für den Kreis Musterland e. V.", accounts.Associations[1], "Domplatz 3", "57002", "Musterstadt", "info@caritas-musterland.example", "caritas@traeger.example", "Clemens Caritas"),
		mk("Diakonisches Werk im Kreis Musterland e. V.", accounts.Associations[2], "Kirchweg 7", "57010", "Nordheim", "info@diakonie-musterland.example", "diakonie@traeger.example", "Dorothea Diakon"),
		mk("Interkulturelles Zentrum Brückenschlag e. V.", accounts.Associations[4], "Marktstraße 21", "57020", "Südhausen", "info@brueckenschlag.example", "brueckenschlag@traeger.example", "Murat Brückner"),
	}
}

// operatorEmail is the demo operator account.
const operatorEmail = "betrieb@kimibv.example"

// Logins lists the demo accounts with their roles.
func Logins() []Login {
	out := []Login{{"Betrieb (Operator)", operatorEmail, "legt Kreise an"}}
	for _, p := range musterlandStaff() {
		out = append(out, Login{p.roles[0].Label(), p.email, "Kreis Musterland"})
	}
	for _, p := range beispielhausenStaff() {
		out = append(out, Login{p.roles[0].Label(), p.email, "Stadt Beispielhausen"})
	}
	for _, p := range providers() {
		out = append(out, Login{core.RoleOrgAdmin.Label(), p.user.email, p.org.Name})
	}
	return out
}

// Load creates the demonstration unless it exists (ifEmpty) and reports whether it loaded.
func Load(ctx context.Context, db *gorm.DB, ifEmpty bool, opts ...Option) (bool, error) {
	if err := requireDocs(opts); err != nil {
		return false, err
	}
	var n int64
	if err := db.WithContext(ctx).Raw(`SELECT count(*) FROM tenants WHERE slug = 'musterland'`).Scan(&n).Error; err != nil {
		return false, fmt.Errorf("look for demo: %w", err)
	}
	if n > 0 {
		if ifEmpty {
			return false, nil
		}
		return false, fmt.Errorf("the demonstration is already loaded (Kreis musterland exists)")
	}
	// The demonstration backdates its procedures with a shifted database clock, which the
	// deadline checks honour only in a database marked as a demonstration (00091).
	if err := db.WithContext(ctx).Exec(`DO $$ BEGIN EXECUTE format('ALTER DATABASE %I SET kimibv.demonstration = on', current_database()); END $$`).Error; err != nil {
		return false, fmt.Errorf("mark the database as a demonstration (needs its owner): %w", err)
	}
	tl := newTimeline(time.Now())
	// The Kreise and the accounts exist long before the procedures (timeline).
	sctx, now := at(ctx, tl.day(-120, 9, 0))
	op, err := accounts.CreateUser(sctx, db, 0, accounts.NewUserInput{Email: operatorEmail, Name: "Betriebsteam Rechenzentrum", Password: Password}, true)
	if err != nil {
		return false, fmt.Errorf("demo operator: %w", err)
	}
	opActor, err := accounts.LoadActor(sctx, db, op.ID)
	if err != nil {
		return false, err
	}
	base := baseURLOf(opts)
	muster, err := accounts.CreateTenant(sctx, db, opActor, accounts.TenantInput{Slug: "musterland", Name: "Kreis Musterland", Kind: "kreis",
		State: "Nordrhein-Westfalen", Authority: "Kreis Musterland – Der Landrat, Kommunales Integrationszentrum", ContactEmail: "ki@musterland.example",
		AdminEmail: "admin@musterland.example"}, base, now)
	if err != nil {
		return false, fmt.Errorf("demo Kreis: %w", err)
	}
	if err := staff(sctx, db, opActor, muster.ID, musterlandStaff()); err != nil {
		return false, err
	}
	if err := letterSettings(sctx, db, muster); err != nil {
		return false, err
	}
	if err := loadCouncilFactions(sctx, db, muster.ID, now); err != nil { // the Kreistag's factions (council.go)
		return false, err
	}
	other, err := accounts.CreateTenant(sctx, db, opActor, accounts.TenantInput{Slug: "beispielhausen", Name: "Stadt Beispielhausen", Kind: "kreisfreie_stadt",
		State: "Nordrhein-Westfalen", Authority: "Stadt Beispielhausen – Der Oberbürgermeister", ContactEmail: "integration@beispielhausen.example",
		AdminEmail: "admin@beispielhausen.example"}, base, now)
	if err != nil {
		return false, fmt.Errorf("demo city: %w", err)
	}
	if err := staff(sctx, db, opActor, other.ID, beispielhausenStaff()); err != nil {
		return false, err
	}
	for _, p := range providers() {
		if _, _, err := accounts.RegisterOrganization(sctx, db, p.org, accounts.NewUserInput{Email: p.user.email, Name: p.user.name, Password: Password}); err != nil {
			return false, fmt.Errorf("demo provider %s: %w", p.org.Name, err)
		}
	}
	if err := enrolDemoStaff(sctx, db, now); err != nil {
		return false, err
	}
	callRows, err := loadCalls(ctx, db, muster.ID, tl, docsOf(opts))
	if err != nil {
		return false, err
	}
	if err := loadQA(ctx, db, muster.ID, callRows, tl, docsOf(opts), base); err != nil {
		return false, err
	}
	if err := loadBids(ctx, db, opts, callRows.Open, tl); err != nil {
		return false, err
	}
	if err := loadProcedures(ctx, db, opts, muster.ID, tl); err != nil {
		return false, err
	}
	if err := loadBeispielhausen(ctx, db, other.ID, tl, docsOf(opts)); err != nil {
		return false, err
	}
	if err := loadConsultation(ctx, db, collect(opts).vault, muster.ID, tl, docsOf(opts), base); err != nil {
		return false, err
	}
	return true, nil
}

// staff creates the accounts and grants their Kreis roles; the first person is the
// Kreis administrator, who is granted by the operator and grants the others.
func staff(ctx context.Context, db *gorm.DB, op *core.Actor, tenantID int64, people []person) error {
	granter := op
	for i, p := range people {
		u, err := accounts.CreateUser(ctx, db, op.UserID, accounts.NewUserInput{Email: p.email, Name: p.name, Password: Password}, false)
		if err != nil {
			return fmt.Errorf("demo user %s: %w", p.email, err)
		}
		if err := accounts.SetTenantRoles(ctx, db, granter, tenantID, u.ID, p.roles); err != nil {
			return fmt.Errorf("demo roles %s: %w", p.email, err)
		}
		if i == 0 {
			if granter, err = accounts.LoadActor(ctx, db, u.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

// letterSettings gives Kreis Musterland (a fictitious Kreis in Nordrhein-Westfalen) the
// sender details of its letters, entered by its administrator: postal address, signing
// office, telephone and the administrative court named in the Rechtsbehelfsbelehrung.
func letterSettings(ctx context.Context, db *gorm.DB, t *accounts.Tenant) error {
	admin, err := actorByEmail(ctx, db, "admin@musterland.example")
	if err != nil {
		return err
	}
	s := accounts.SettingsOf(t)
	s.Address = "Am Kreishaus 1\n57000 Musterstadt"
	s.Letterhead = "Amt für Integration"
	s.SigningOffice = "Der Landrat – Amt für Integration"
	s.Phone = "02345 6789-0"
	s.Court, s.CourtAddress = "Verwaltungsgericht Düsseldorf", "Bastionstraße 39\n40213 Düsseldorf"
	if _, err := accounts.UpdateTenantSettings(ctx, db, admin, t.ID, s); err != nil {
		return fmt.Errorf("demo letter settings: %w", err)
	}
	return nil
}
