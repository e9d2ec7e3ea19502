package pgtest

import (
	"context"
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Start starts a cluster owned by one test and stops it in tb.Cleanup. Without PostgreSQL it skips the
// test, or fails it when CI is set (CI must never silently skip the database tests).
func Start(tb testing.TB) *Cluster {
	tb.Helper()
	c, err := StartCluster()
	if err != nil {
		unavailable(tb, err)
	}
	tb.Cleanup(func() {
		if err := c.Stop(); err != nil {
			tb.Logf("stopping the test cluster: %v", err)
		}
	})
	return c
}

// shared is the package-wide cluster started by the first Shared call and stopped by Main.
var shared struct {
	once    sync.Once
	cluster *Cluster
	err     error
	mainRan bool
}

// Main runs a test package (call it from TestMain) and stops the cluster Shared started, if any.
func Main(m *testing.M) {
	shared.mainRan = true
	code := m.Run()
	if shared.cluster != nil {
		if err := shared.cluster.Stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: stopping the shared cluster: %v\n", err)
		}
	}
	os.Exit(code)
}

// Shared returns the test package's one cluster, starting it on first use, so that a package's tests
// pay for initdb once. The package's TestMain must call Main, which stops it.
func Shared(tb testing.TB) *Cluster {
	tb.Helper()
	if !shared.mainRan {
		tb.Fatal("pgtest.Shared needs the package's TestMain to call pgtest.Main(m), which stops the cluster")
	}
	shared.once.Do(func() { shared.cluster, shared.err = StartCluster() })
	if shared.err != nil {
		unavailable(tb, shared.err)
	}
	return shared.cluster
}

var databaseSeq atomic.Int64

// NewDatabase creates an empty database for one test and drops it (with its replication slots) in
// tb.Cleanup. It returns the database name; c.URL(name) connects to it.
func (c *Cluster) NewDatabase(tb testing.TB) string {
	tb.Helper()
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), databaseSeq.Add(1))
	if err := c.exec(context.Background(), "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("creating test database %s: %v", name, err)
	}
	tb.Cleanup(func() {
		if err := c.dropDatabase(name); err != nil {
			tb.Logf("dropping test database %s: %v", name, err)
		}
	})
	return name
}

// dropDatabase removes a test database. Logical slots pin their database, so they go first.
func (c *Cluster) dropDatabase(name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	statements := []string{
		`SELECT pg_terminate_backend(active_pid) FROM pg_replication_slots WHERE database = $1 AND active_pid IS NOT NULL`,
		`SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE database = $1`,
	}
	for _, sql := range statements {
		if err := retryBusy(ctx, func() error { _, err := conn.Exec(ctx, sql, name); return err }); err != nil {
			return err
		}
	}
	_, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	return err
}

// retryBusy retries fn briefly: a terminated walsender releases its slot a moment after it is signalled.
func retryBusy(ctx context.Context, fn func() error) error {
	var err error
	for range 50 {
		if err = fn(); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(100 * time.Millisecond):
		}
	}
	return err
}

func (c *Cluster) exec(ctx context.Context, sql string) error {
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	_, err = conn.Exec(ctx, sql)
	return err
}

func unavailable(tb testing.TB, err error) {
	tb.Helper()
	if inCI() {
		tb.Fatalf("PostgreSQL is required in CI: %v", err)
	}
	tb.Skipf("skipping: no usable PostgreSQL (%v)", err)
}
