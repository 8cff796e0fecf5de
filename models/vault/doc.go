// Package vault holds encryption at rest and what is stored encrypted or signed: the
// master key and the data keys per procedure, per organisation and per platform scope
// (Vault, BindVault), streamed, encrypted and checked file storage (StoreFile, OpenFile,
// CopyFile), and the issued PDF documents with their Prüfwert, file hash and chain head
// (IssueDocument, StoreDocument, DocumentByHash).
//
// Layer: above audit. It imports core, rules, store and audit.
//
// Rules of docs/rules.md:
//   - R23: the data keys wrapped by the master key (vault.go), the vault bound to a
//     database handle (vault_bind.go), encrypted files and file names (files.go), documents
//     addressed to an organisation sealed with its key (documents_seal.go);
//   - R8: IssueDocument, StoreDocument, CanonicalJSON, DocumentByHash (documents.go);
//   - R4: uploads are PDF by content and within the size limits (StoreFile);
//   - R2: OpenFile and Decrypt check no rights; bid files are opened only through
//     bids.ReadBids and the organisation's own reads.
package vault
