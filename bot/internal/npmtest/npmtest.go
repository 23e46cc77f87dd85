// Package npmtest installs the npm packages a test drives (a browser
// driver, a Matrix client), so that the README's one test command needs
// nothing installed by hand beyond Node.js.
package npmtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// Install runs `npm ci` in dir, exactly as its package-lock.json says,
// unless node_modules/want is there already. It fails the test when npm
// cannot install them (no npm, no registry).
func Install(t testing.TB, dir, want string) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", want)); err == nil {
		return
	}
	npm := exec.Command("npm", "ci", "--no-audit", "--no-fund", "--loglevel=error")
	npm.Dir = dir
	if out, err := npm.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s (for %s): %v\n%s", dir, want, err, out)
	}
}
