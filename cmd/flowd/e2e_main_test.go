package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowctl/flowctl/internal/pgtest"
)

// binDir holds the flowd and flowctl binaries that TestMain builds: the end-to-end tests run the
// real programs as separate processes.
var binDir string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "flowd-e2e-bin-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	binDir = dir
	for _, pkg := range []string{".", "../flowctl"} {
		cmd := exec.Command("go", "build", "-o", binDir+string(filepath.Separator), pkg)
		cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
		if err := cmd.Run(); err != nil {
			fmt.Fprintf(os.Stderr, "building %s for the end-to-end tests: %v\n", pkg, err)
			os.RemoveAll(dir)
			os.Exit(2)
		}
	}
	defer os.RemoveAll(dir)
	pgtest.Main(m)
}

// backends names the two databases every end-to-end test runs against.
var backends = []struct {
	name string
	url  func(t *testing.T, dataDir string) string
}{
	{"sqlite", func(_ *testing.T, dataDir string) string { return filepath.Join(dataDir, "flowd.db") }},
	{"postgres", func(t *testing.T, _ string) string {
		c := pgtest.Shared(t)
		return c.URL(c.NewDatabase(t))
	}},
}

// env is one test's control plane: a database, a running flowd, and a config dir per user.
type env struct {
	t        *testing.T
	database string
	dataDir  string
	url      string
	proc     *exec.Cmd
	stderr   *bytes.Buffer
}

func forEachBackend(t *testing.T, fn func(t *testing.T, e *env)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			dataDir := t.TempDir()
			e := &env{t: t, dataDir: dataDir, database: b.url(t, dataDir)}
			e.start(nil)
			t.Cleanup(e.stop)
			fn(t, e)
		})
	}
}

// start runs flowd on a free loopback port and waits for it to listen.
func (e *env) start(extraArgs []string) {
	e.t.Helper()
	// Tests publish connector paths under the temporary directory and a fixed path that never exists.
	args := append([]string{"serve", "--listen", "127.0.0.1:0", "--database", e.database, "--data-dir", e.dataDir, "--log.format", "text",
		"--connector-files", os.TempDir(), "--connector-files", "/nonexistent/flowd-e2e"}, extraArgs...)
	cmd := exec.Command(filepath.Join(binDir, "flowd"), args...)
	pipe, err := cmd.StderrPipe()
	if err != nil {
		e.t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		e.t.Fatal(err)
	}
	e.proc, e.stderr = cmd, &bytes.Buffer{}
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			line := sc.Text()
			if addr, ok := strings.CutPrefix(line, "flowd listening on "); ok {
				found <- addr
			}
			e.stderr.WriteString(line + "\n")
		}
		close(found)
	}()
	select {
	case addr, ok := <-found:
		if !ok {
			e.t.Fatalf("flowd exited before listening")
		}
		e.url = addr
	case <-time.After(30 * time.Second):
		e.t.Fatal("flowd did not start listening within 30s")
	}
}

// stop ends flowd with SIGTERM, as a service manager would, and waits for it.
func (e *env) stop() {
	if e.proc == nil {
		return
	}
	_ = e.proc.Process.Signal(syscall.SIGTERM)
	done := make(chan error, 1)
	go func() { done <- e.proc.Wait() }()
	select {
	case <-done:
	case <-time.After(15 * time.Second):
		_ = e.proc.Process.Kill()
		<-done
	}
	e.proc = nil
}

func (e *env) restart() {
	e.t.Helper()
	e.stop()
	e.start(nil)
}

// user creates a flowd user with `flowd admin create-user` and returns a flowctl runner logged in as it.
func (e *env) user(name string, grants ...string) *user {
	e.t.Helper()
	args := []string{"admin", "create-user", name, "--database", e.database}
	for _, g := range grants {
		args = append(args, "--grant", g)
	}
	out, err := exec.Command(filepath.Join(binDir, "flowd"), args...).Output()
	if err != nil {
		e.t.Fatalf("flowd admin create-user: %v", err)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	u := &user{e: e, name: name, token: lines[len(lines)-1], configDir: filepath.Join(e.t.TempDir(), "flowctl")}
	u.mustRun("auth", "login", "--url", e.url, "--token", u.token)
	return u
}

type user struct {
	e         *env
	name      string
	token     string
	configDir string
	// envToken, when set, is passed as FLOW_AUTH_TOKEN, as a CI job passes its token.
	envToken string
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs flowctl as the user, with stdin not a terminal.
func (u *user) run(args ...string) result {
	u.e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(binDir, "flowctl"), args...)
	// FLOW_API_URL follows flowd across restarts (each listens on a new port); the token comes
	// from the profile that `auth login` wrote.
	cmd.Env = append(os.Environ(), "FLOWCTL_CONFIG_DIR="+u.configDir, "NO_COLOR=1", "FLOW_API_URL="+u.e.url, "FLOW_AUTH_TOKEN="+u.envToken, "FLOWCTL_PROFILE=")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr, cmd.Stdin = &stdout, &stderr, strings.NewReader("")
	err := cmd.Run()
	code := 0
	if exitErr, ok := err.(*exec.ExitError); ok {
		code = exitErr.ExitCode()
	} else if err != nil {
		u.e.t.Fatalf("running flowctl: %v", err)
	}
	return result{code, stdout.String(), stderr.String()}
}

func (u *user) mustRun(args ...string) result {
	u.e.t.Helper()
	r := u.run(args...)
	if r.code != 0 {
		u.e.t.Fatalf("flowctl %s exited %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r
}

// expect runs flowctl and checks its exit code and that stderr holds each of wants.
func (u *user) expect(code int, args []string, wants ...string) result {
	u.e.t.Helper()
	r := u.run(args...)
	if r.code != code {
		u.e.t.Errorf("flowctl %s exited %d, want %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, code, r.stdout, r.stderr)
	}
	for _, w := range wants {
		if !strings.Contains(r.stderr+r.stdout, w) {
			u.e.t.Errorf("flowctl %s output lacks %q\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), w, r.stdout, r.stderr)
		}
	}
	return r
}

func testdata(parts ...string) string {
	return filepath.Join(append([]string{"testdata", "e2e"}, parts...)...)
}
