package develop

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"testing"

	"github.com/flowctl/flowctl/internal/pgtest"
	_ "github.com/flowctl/flowctl/pkg/connector/capture/sourcefile" // the connectors the pipelines run
	_ "github.com/flowctl/flowctl/pkg/connector/materialize"
	"github.com/flowctl/flowctl/pkg/runtime/derive"
)

// childEnv, when set to "<catalog>\n<data dir>", makes the test binary run develop on that catalog
// instead of the tests: the kill and signal tests re-execute themselves as the develop process.
const childEnv = "FLOWCTL_DEVELOP_TEST_CHILD"

func TestMain(m *testing.M) {
	if spec := os.Getenv(childEnv); spec != "" {
		os.Exit(runChild(spec))
	}
	pgtest.Main(m)
}

// runChild runs develop --exit-when-idle as `flowctl develop` does, SIGINT and SIGTERM included.
func runChild(spec string) int {
	var src, dataDir string
	if _, err := fmt.Sscanf(spec, "%s\n%s", &src, &dataDir); err != nil {
		fmt.Fprintln(os.Stderr, "bad", childEnv, err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	built, err := LoadCatalog(ctx, src)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	logger := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	_, err = Run(ctx, Options{Built: built, DataDir: dataDir, ExitWhenIdle: true, OpenDerive: derive.OpenShard, Logger: logger})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}
