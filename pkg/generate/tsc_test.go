package generate

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// typeScriptVersion is the compiler the generated types are checked with.
const typeScriptVersion = "typescript@5"

// tsc installs TypeScript from the npm registry into a per-user cache, once, and returns the path
// of its compiler. Without node or npm the test is skipped, except in CI (CI=true), where it fails.
func tsc(t *testing.T) string {
	t.Helper()
	unavailable := func(format string, args ...any) {
		t.Helper()
		if os.Getenv("CI") == "true" {
			t.Fatalf(format, args...)
		}
		t.Skipf(format, args...)
	}
	if _, err := exec.LookPath("node"); err != nil {
		unavailable("node is not installed, so generated TypeScript cannot be type-checked: %v", err)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	dir := filepath.Join(cache, "flowctl-test", "typescript5")
	bin := filepath.Join(dir, "node_modules", ".bin", "tsc")
	if _, err := os.Stat(bin); err == nil {
		return bin
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		unavailable("npm is not installed, so TypeScript cannot be installed: %v", err)
	}
	out, err := exec.Command(npm, "install", "--prefix", dir, "--no-audit", "--no-fund", typeScriptVersion).CombinedOutput()
	if err != nil {
		unavailable("npm install %s failed: %v\n%s", typeScriptVersion, err, out)
	}
	return bin
}

// tsconfig resolves `flow/...` imports as deno.json does, and checks as strictly as --strict.
const tsconfig = `{
  "compilerOptions": {
    "strict": true,
    "noEmit": true,
    "target": "ES2022",
    "module": "ESNext",
    "moduleResolution": "bundler",
    "allowImportingTsExtensions": true,
    "skipLibCheck": true,
    "baseUrl": ".",
    "paths": {"flow/*": ["./flow_generated/typescript/*"]}
  },
  "include": ["**/*.ts"]
}
`

// Every golden catalog's generated modules and starters, and a hand-written derivation module
// that uses them, type-check with tsc --strict.
func TestGeneratedTypeScriptTypeChecks(t *testing.T) {
	compiler := tsc(t)
	dir := copyDir(t, "testdata/typescript")
	for _, name := range goldenCatalogs {
		if _, err := WriteFiles(generateIn(t, dir, name).Files); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "tsconfig.json"), []byte(tsconfig), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(compiler, "--strict", "--noEmit", "-p", dir)
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("tsc --strict --noEmit failed: %v\n%s", err, out)
	}
}

// The check can fail: a module that misuses the generated types is rejected.
func TestTypeCheckRejectsMisuse(t *testing.T) {
	compiler := tsc(t)
	dir := copyDir(t, "testdata/typescript")
	if _, err := WriteFiles(generateIn(t, dir, "derivation.flow.yaml").Files); err != nil {
		t.Fatal(err)
	}
	wrong := `import { IDerivation, Document, SourceFromReadings, SourceFromSitesV2 } from 'flow/acme/by-site.ts';
export class Derivation extends IDerivation {
    fromReadings(read: { doc: SourceFromReadings }): Document[] {
        return [{ site: read.doc.celsius }]; // site is a string
    }
    fromSitesV2(_read: { doc: SourceFromSitesV2 }): Document[] { return []; }
}
`
	for path, content := range map[string]string{"by-site.ts": wrong, "tsconfig.json": tsconfig} {
		if err := os.WriteFile(filepath.Join(dir, path), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(compiler, "--strict", "--noEmit", "-p", dir)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("tsc accepted a module assigning a number to a string field:\n%s", out)
	}
	if want := "by-site.ts"; !strings.Contains(string(out), want) {
		t.Fatalf("tsc failed, but not on %s:\n%s", want, out)
	}
}
