package models

import "kimibv/models/vault"

// Test-only access to the unexported file functions (package models_test cannot reach them).
var (
	OpenFileForTest   = vault.OpenFile
	CopyFileForTest   = vault.CopyFile
	DeleteFileForTest = vault.DeleteFile
)
