package models

// Test-only access to the unexported file functions (package models_test cannot reach them).
var (
	OpenFileForTest   = openFile
	CopyFileForTest   = copyFile
	DeleteFileForTest = deleteFile
)
