package pgtest

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

func TestMain(m *testing.M) { Main(m) }

func TestSharedClusterIsLogicalAndPasswordProtected(t *testing.T) {
	c := Shared(t)
	if Shared(t) != c {
		t.Fatal("Shared started a second cluster")
	}
	ctx := context.Background()
	db := c.NewDatabase(t)
	conn, err := pgx.Connect(ctx, c.URL(db))
	if err != nil {
		t.Fatalf("connecting: %v", err)
	}
	defer conn.Close(ctx)

	var walLevel string
	if err := conn.QueryRow(ctx, "SHOW wal_level").Scan(&walLevel); err != nil || walLevel != "logical" {
		t.Fatalf("wal_level = %q (%v), want logical", walLevel, err)
	}
	var current string
	if err := conn.QueryRow(ctx, "SELECT current_database()").Scan(&current); err != nil || current != db {
		t.Fatalf("connected to %q (%v), want %q", current, err, db)
	}

	wrong, _ := pgx.ParseConfig(c.URL(db))
	wrong.Password = "not-the-password"
	if bad, err := pgx.ConnectConfig(ctx, wrong); err == nil {
		bad.Close(ctx)
		t.Fatal("a wrong password was accepted")
	}
}

func TestNewDatabaseDropsItsReplicationSlots(t *testing.T) {
	c := Shared(t)
	ctx := context.Background()
	var db string
	t.Run("with a slot", func(t *testing.T) {
		db = c.NewDatabase(t)
		conn, err := pgx.Connect(ctx, c.URL(db))
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "SELECT pg_create_logical_replication_slot('pgtest_slot', 'pgoutput')"); err != nil {
			t.Fatal(err)
		}
	})
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	var dbs, slots int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_database WHERE datname = $1", db).Scan(&dbs); err != nil {
		t.Fatal(err)
	}
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM pg_replication_slots WHERE database = $1", db).Scan(&slots); err != nil {
		t.Fatal(err)
	}
	if dbs != 0 || slots != 0 {
		t.Fatalf("after cleanup: %d databases and %d slots named %s remain", dbs, slots, db)
	}
}

func TestStartAndStopRemovesFiles(t *testing.T) {
	c, err := StartCluster()
	if err != nil {
		unavailable(t, err)
	}
	ctx := context.Background()
	conn, err := pgconn.Connect(ctx, c.URL("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	conn.Close(ctx)
	root := c.root
	if err := c.Stop(); err != nil {
		t.Fatalf("stop: %v", err)
	}
	if err := c.Stop(); err != nil {
		t.Fatalf("second stop: %v", err)
	}
	if _, err := os.Stat(filepath.Join(root, "data")); !os.IsNotExist(err) {
		t.Fatalf("data directory still present after Stop (stat: %v)", err)
	}
	if _, err := pgconn.Connect(ctx, c.URL("postgres")); err == nil {
		t.Fatal("server still answers after Stop")
	}
}

func TestMissingBinariesAreReported(t *testing.T) {
	t.Setenv(binDirEnv, t.TempDir())
	_, err := StartCluster()
	if err == nil {
		t.Fatal("StartCluster succeeded without binaries")
	}
	if want := binDirEnv; !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q does not name %s", err, want)
	}
}

func TestCIDetection(t *testing.T) {
	for value, want := range map[string]bool{"": false, "true": true, "1": true, "false": false, "0": false, "yes": true} {
		t.Setenv("CI", value)
		if got := inCI(); got != want {
			t.Errorf("CI=%q: inCI() = %v, want %v", value, got, want)
		}
	}
}
