// Package browsertest holds the browser tests: the real application served on loopback,
// driven by headless Chromium through chromedp, with axe-core auditing every page reached.
//
// The tests need KIMIBV_CHROMIUM (path of the Chromium binary) and KIMIBV_AXE_JS (path of
// axe.min.js); scripts/test sets both. Without them the tests skip, except under CI=true,
// where they fail.
package browsertest
