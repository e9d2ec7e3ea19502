package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// The CLI runs in-process as the `flowctl` command of every script in testdata/script.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){"flowctl": func() { os.Exit(flowctlMain()) }})
}

func TestScripts(t *testing.T) {
	examples, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/script",
		RequireExplicitExec: true,
		Setup: func(env *testscript.Env) error {
			// Keep scripts away from the developer's real config and data.
			env.Setenv("FLOWCTL_CONFIG_DIR", env.WorkDir+"/.config/flowctl")
			env.Setenv("HOME", env.WorkDir)
			env.Setenv("NO_COLOR", "1")
			// Scripts read (never write) the repository's example catalogs from here.
			env.Setenv("EXAMPLES", examples)
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"exitcode":  cmdExitCode,
			"bigdoc":    cmdBigDoc,
			"validjson": cmdValidJSON,
		},
	})
}

// cmdExitCode runs `exitcode [-stdin FILE] N prog args...` and fails unless prog exits with status N.
// testscript's `! exec` only tells zero from non-zero, and flowctl's codes 1 and 2 mean different things.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	var stdin string
	if len(args) > 2 && args[0] == "-stdin" {
		stdin, args = args[1], args[2:]
	}
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode [-stdin FILE] N program [args...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("exitcode: %q is not a number", args[0])
	}
	cmd := exec.Command(args[1], args[2:]...)
	cmd.Dir = ts.MkAbs(".")
	var env []string
	for _, kv := range os.Environ() {
		if k, _, _ := strings.Cut(kv, "="); ts.Getenv(k) == "" {
			env = append(env, kv)
		}
	}
	for _, k := range []string{"PATH", "HOME", "WORK", "FLOWCTL_CONFIG_DIR", "NO_COLOR", "TMPDIR"} {
		env = append(env, k+"="+ts.Getenv(k))
	}
	cmd.Env = env
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if stdin != "" {
		f, err := os.Open(ts.MkAbs(stdin))
		ts.Check(err)
		defer f.Close()
		cmd.Stdin = f
	}
	err = cmd.Run()
	got := 0
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		got = exitErr.ExitCode()
	} else if err != nil {
		ts.Fatalf("exitcode: %v", err)
	}
	if got != want {
		ts.Logf("%s", out.String())
		ts.Fatalf("%s exited with status %d, want %d", strings.Join(args[1:], " "), got, want)
	}
}

// cmdBigDoc runs `bigdoc FILE ID BYTES`: it writes one line holding a JSON document {"id": ID, "pad": "xxx..."}
// of about BYTES bytes, too big to keep in a script's archive.
func cmdBigDoc(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 3 {
		ts.Fatalf("usage: bigdoc FILE ID BYTES")
	}
	size, err := strconv.Atoi(args[2])
	if err != nil {
		ts.Fatalf("bigdoc: %q is not a number", args[2])
	}
	line := fmt.Sprintf(`{"id":%q,"pad":"%s"}`+"\n", args[1], strings.Repeat("x", size))
	ts.Check(os.WriteFile(ts.MkAbs(args[0]), []byte(line), 0o644))
}

// cmdValidJSON runs `[!] validjson stdout|FILE`: it fails unless the file holds one or more JSON values
// and nothing else (one indented document, or JSON lines).
func cmdValidJSON(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: [!] validjson stdout|FILE")
	}
	dec := json.NewDecoder(strings.NewReader(ts.ReadFile(args[0])))
	var err error
	values := 0
	for ; err == nil; values++ {
		var v json.RawMessage
		err = dec.Decode(&v)
	}
	valid := errors.Is(err, io.EOF) && values > 1
	if valid == neg {
		ts.Fatalf("%s: valid JSON is %v (%v)", args[0], valid, err)
	}
}
