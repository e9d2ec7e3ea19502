package pgtest

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// binDirEnv names a directory holding initdb, pg_ctl and postgres, overriding discovery.
const binDirEnv = "PGTEST_BINDIR"

// findBinDir returns the directory of the newest installed PostgreSQL server binaries.
// Debian installs them outside PATH (/usr/lib/postgresql/<major>/bin), so that is searched first.
func findBinDir() (string, error) {
	if dir := os.Getenv(binDirEnv); dir != "" {
		if hasServerBinaries(dir) {
			return dir, nil
		}
		return "", errors.New(binDirEnv + "=" + dir + " does not hold initdb, pg_ctl and postgres")
	}
	if dir := newestDebianBinDir(); dir != "" {
		return dir, nil
	}
	if path, err := exec.LookPath("initdb"); err == nil {
		if dir := filepath.Dir(path); hasServerBinaries(dir) {
			return dir, nil
		}
	}
	return "", errors.New("PostgreSQL server binaries (initdb, pg_ctl, postgres) not found in " +
		"/usr/lib/postgresql/*/bin or PATH: install PostgreSQL (apt-get install postgresql) or set " + binDirEnv)
}

func newestDebianBinDir() string {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	// Sort by numeric major version so that 16 beats 9.6.
	sort.Slice(dirs, func(i, j int) bool { return majorOf(dirs[i]) > majorOf(dirs[j]) })
	for _, dir := range dirs {
		if hasServerBinaries(dir) {
			return dir
		}
	}
	return ""
}

func majorOf(binDir string) float64 {
	v, _ := strconv.ParseFloat(filepath.Base(filepath.Dir(binDir)), 64)
	return v
}

func hasServerBinaries(dir string) bool {
	for _, name := range []string{"initdb", "pg_ctl", "postgres"} {
		if info, err := os.Stat(filepath.Join(dir, name)); err != nil || info.IsDir() {
			return false
		}
	}
	return true
}

// inCI reports whether the tests run in CI, where a missing PostgreSQL is a failure, not a skip.
func inCI() bool {
	v := strings.ToLower(os.Getenv("CI"))
	return v != "" && v != "false" && v != "0"
}
