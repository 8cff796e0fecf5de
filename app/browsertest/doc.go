// Package browsertest holds the browser tests: the real application served on loopback,
// driven by headless Chromium through chromedp, with axe-core auditing every page reached.
//
// The tests need KIMIBV_CHROMIUM (path of the Chromium binary: chromium-headless-shell or
// chromium) and KIMIBV_AXE_JS (path of axe.min.js); scripts/test sets both, preferring the
// headless shell, which renders with the same engine at about 60 % of the CPU. Without
// them the tests skip, except under CI=true, where they fail.
package browsertest
