package vault

import (
	"fmt"

	"gorm.io/gorm"
)

// sealDocument encrypts the PDF of a document addressed to organisation orgID with
// that organisation's data key (created when missing), using the vault bound to tx.
func sealDocument(tx *gorm.DB, orgID int64, pdf []byte) ([]byte, error) {
	v, err := BoundVault(tx)
	if err != nil {
		return nil, err
	}
	return v.SealTo(tx, OrgScope(orgID), pdf)
}

// OpenDocument replaces a sealed document's content by the plain PDF, verified against
// its stored size and SHA-256 (a document that does not decrypt to exactly the issued
// bytes is an error, never served). A plain document is left as it is. It only reads.
func OpenDocument(db *gorm.DB, d *IssuedDocument) error {
	if !d.Sealed {
		return nil
	}
	if d.RecipientOrgID == nil {
		return fmt.Errorf("document %d: sealed without a recipient", d.ID)
	}
	v, err := BoundVault(db)
	if err != nil {
		return err
	}
	plain, err := v.OpenFrom(db, OrgScope(*d.RecipientOrgID), d.Content)
	if err != nil {
		return fmt.Errorf("open document %d: %w", d.ID, err)
	}
	if int64(len(plain)) != d.Size || SHA256Hex(plain) != d.FileSHA256 {
		return fmt.Errorf("document %d: content does not match its stored size and SHA-256", d.ID)
	}
	d.Content, d.Sealed = plain, false
	return nil
}
