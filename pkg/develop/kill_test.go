package develop

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/flowctl/flowctl/internal/pgtest"
	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// killTestOrders is large enough that a run spans many transactions of every task.
const killTestOrders = 20_000

// child starts the test binary as a develop process on a catalog and data directory.
func child(t *testing.T, src, dataDir string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+src+"\n"+dataDir)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	return cmd, &stderr
}

// runToCompletion runs develop until it exits on its own, which must be with status 0.
func runToCompletion(t *testing.T, src, dataDir string) {
	t.Helper()
	cmd, stderr := child(t, src, dataDir)
	if err := cmd.Wait(); err != nil {
		t.Fatalf("develop failed: %v\n%s", err, stderr)
	}
}

// TestKillRestartExactlyOnce kills develop with SIGKILL at random points of a finite pipeline and
// restarts it until it completes: collections, derivation outputs and destinations must then hold
// each document exactly once and equal a run that was never killed.
func TestKillRestartExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("kill test runs the pipeline many times")
	}
	orders := makeOrders(killTestOrders)
	// Both runs also materialize into PostgreSQL when it is installed (pgtest skips only the
	// subtest without it, so the SQLite checks still run).
	var baselineExtra, baselinePG, killedExtra, killedPG string
	t.Run("postgres", func(sub *testing.T) {
		c := pgtest.Shared(sub)
		pg := func() (string, string) {
			db := c.NewDatabase(t) // dropped when the whole test ends
			return fmt.Sprintf(postgresMaterialization, c.Address(), pgtest.SuperUser, pgtest.SuperPassword, db), c.URL(db)
		}
		baselineExtra, baselinePG = pg()
		killedExtra, killedPG = pg()
	})

	// The baseline: never killed.
	baseSrc, baseData := writePipeline(t, orders, baselineExtra), t.TempDir()
	start := time.Now()
	runToCompletion(t, baseSrc, baseData)
	full := time.Since(start)

	// The killed run: SIGKILL at seeded random points within the time a whole run takes.
	rng := seededRand(t)
	t.Logf("an unkilled run takes %v", full)
	src, dataDir := writePipeline(t, orders, killedExtra), t.TempDir()
	const kills = 15
	killed := 0
	for i := 0; i < kills; i++ {
		cmd, stderr := child(t, src, dataDir)
		after := time.Duration(rng.Int64N(int64(full)))
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done: // finished before its kill: fine, as long as it succeeded
			if err != nil {
				t.Fatalf("run %d failed: %v\n%s", i, err, stderr)
			}
		case <-time.After(after):
			cmd.Process.Signal(syscall.SIGKILL)
			<-done
			killed++
		}
	}
	t.Logf("%d of %d runs were killed before they finished", killed, kills)
	runToCompletion(t, src, dataDir)

	checkPipeline(t, "never killed", baseSrc, baseData, baselinePG, orders)
	checkPipeline(t, "killed", src, dataDir, killedPG, orders)
}

// checkPipeline checks a completed run of the pipeline: its collections, the derivation's
// outputs and its destination tables (SQLite, and PostgreSQL given pgURL) hold every order
// exactly once.
func checkPipeline(t *testing.T, name, src, dataDir, pgURL string, orders []order) {
	t.Helper()
	wantTotals := expectedTotals(orders)
	if got := committedOrders(t, dataDir); !reflect.DeepEqual(got, orders) {
		t.Errorf("%s: kt/orders holds %d documents, want the %d captured once each%s", name, len(got), len(orders), firstDiff(got, orders))
	}
	if got := committedTotals(t, dataDir); !reflect.DeepEqual(got, wantTotals) {
		t.Errorf("%s: kt/totals ends with %v, want %v", name, got, wantTotals)
	}
	dbs := map[string][2]string{"SQLite": {"sqlite3", filepath.Join(filepath.Dir(src), "out.db")}}
	if pgURL != "" {
		dbs["PostgreSQL"] = [2]string{"pgx", pgURL}
	}
	for db, conn := range dbs {
		gotOrders, gotTotals := destinationRows(t, conn[0], conn[1])
		if !reflect.DeepEqual(gotOrders, orders) {
			t.Errorf("%s: %s table orders has %d rows, want %d%s", name, db, len(gotOrders), len(orders), firstDiff(gotOrders, orders))
		}
		if !reflect.DeepEqual(gotTotals, wantTotals) {
			t.Errorf("%s: %s table totals is %v, want %v", name, db, gotTotals, wantTotals)
		}
	}
}

// TestSignalsDrain stops develop with SIGTERM and SIGINT at random points: each stop must be a
// clean exit (status 0, no task aborted or failed), and the pipeline then completes exactly once.
func TestSignalsDrain(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the pipeline several times")
	}
	orders := makeOrders(killTestOrders / 2)
	src, dataDir := writePipeline(t, orders, ""), t.TempDir()
	rng := seededRand(t)
	for i, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGINT, syscall.SIGTERM, syscall.SIGINT} {
		cmd, stderr := child(t, src, dataDir)
		time.Sleep(time.Duration(50+rng.IntN(1000)) * time.Millisecond)
		cmd.Process.Signal(sig)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("stop %d (%v): develop exited with %v\n%s", i, sig, err, stderr)
		}
		if strings.Contains(stderr.String(), "level=") {
			t.Errorf("stop %d (%v): develop logged warnings or errors:\n%s", i, sig, stderr)
		}
	}
	runToCompletion(t, src, dataDir)
	checkPipeline(t, "stopped by signals", src, dataDir, "", orders)
}

// seededRand returns a random source for kill and stop points, logging its seed; KILL_SEED=<seed>
// replays a run's points.
func seededRand(t *testing.T) *rand.Rand {
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv("KILL_SEED"); s != "" {
		if _, err := fmt.Sscan(s, &seed); err != nil {
			t.Fatalf("KILL_SEED=%s: %v", s, err)
		}
	}
	t.Logf("KILL_SEED=%d reproduces this run's kill and stop points", seed)
	return rand.New(rand.NewPCG(seed, seed))
}

// firstDiff describes where two order lists first differ.
func firstDiff(got, want []order) string {
	for i := range min(len(got), len(want)) {
		if got[i] != want[i] {
			return fmt.Sprintf(" (first difference at %d: got %+v, want %+v)", i, got[i], want[i])
		}
	}
	return ""
}
