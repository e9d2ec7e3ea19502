package runtime

import (
	"log/slog"
	"time"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/journal"
)

// shardEnv is what every shard of a Runtime shares.
type shardEnv struct {
	built    *catalog.Built
	client   journal.Client // notifies notifier on every append
	notifier *Notifier
	dataDir  string
	now      func() time.Time
	logger   *slog.Logger
	// openDerive opens derivation engines (nil: derivations cannot run).
	openDerive OpenDeriveEngine
}

// connectorOptions are the options of a task's connector; the connector package tags its logs with
// the endpoint's task.
func (e *shardEnv) connectorOptions() connector.Options {
	return connector.Options{Logger: e.logger}
}
