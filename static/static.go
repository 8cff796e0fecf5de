// Package static holds the embedded stylesheets, fonts, scripts and the favicon.
package static

import (
	"embed"
	"net/http"
	"strconv"
	"time"
)

//go:embed css kern favicon.ico favicon.svg
var files embed.FS

// Handler serves the embedded files with a public cache lifetime of maxAge.
func Handler(maxAge time.Duration) http.Handler {
	fs := http.FileServerFS(files)
	cc := "public, max-age=" + strconv.Itoa(int(maxAge.Seconds()))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", cc)
		fs.ServeHTTP(w, r)
	})
}
