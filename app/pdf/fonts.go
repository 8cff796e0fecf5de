package pdf

import (
	"embed"
	"fmt"
)

// fontFiles holds DejaVu Sans (Bitstream Vera licence, see fonts/LICENSE.txt).
//
//go:embed fonts/DejaVuSans.ttf fonts/DejaVuSans-Bold.ttf fonts/DejaVuSans-Oblique.ttf fonts/LICENSE.txt
var fontFiles embed.FS

// fontFamily is the name under which DejaVu Sans is registered in every document.
const fontFamily = "DejaVuSans"

// fontStyles maps fpdf style codes to the embedded files.
var fontStyles = [...]struct{ style, file string }{
	{"", "fonts/DejaVuSans.ttf"},
	{"B", "fonts/DejaVuSans-Bold.ttf"},
	{"I", "fonts/DejaVuSans-Oblique.ttf"},
}

// FontLicense returns the licence text of the embedded DejaVu fonts (for an "about" page).
func FontLicense() string {
	b, err := fontFiles.ReadFile("fonts/LICENSE.txt")
	if err != nil {
		return ""
	}
	return string(b)
}

// readFont returns an embedded font file.
func readFont(name string) ([]byte, error) {
	b, err := fontFiles.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("embedded font %s: %w", name, err)
	}
	return b, nil
}
