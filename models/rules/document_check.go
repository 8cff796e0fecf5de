package rules

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
)

// MaxCheckedPDF is the largest PDF the public document check hashes (25 MB).
const MaxCheckedPDF = 25 << 20

// HashPDF streams an uploaded file through SHA-256 without keeping it: the file must
// start like a PDF (content, not name) and hold at most limit bytes. Errors are
// FileError validation errors on field ("empty", "not_pdf", "too_large").
func HashPDF(r io.Reader, field string, limit int64) (string, error) {
	head := make([]byte, 16)
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return "", fmt.Errorf("read upload: %w", err)
	}
	head = head[:n]
	if code := CheckPDFHead(head); code != "" {
		return "", FileError(field, code, limit)
	}
	h := sha256.New()
	h.Write(head)
	rest, err := io.Copy(h, io.LimitReader(r, limit-int64(n)+1))
	if err != nil {
		return "", fmt.Errorf("read upload: %w", err)
	}
	if int64(n)+rest > limit {
		return "", FileError(field, "too_large", limit)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}
