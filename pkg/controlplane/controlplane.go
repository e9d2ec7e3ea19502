package controlplane

import (
	"log/slog"
)

// ControlPlane is the server's logic over its store: what the HTTP API calls.
type ControlPlane struct {
	Store   *Store
	Builder Builder
	// Tests may be nil: tests are then reported as skipped.
	Tests TestRunner
	// DataPlane may be nil: publications then only change the catalog.
	DataPlane DataPlane
	Logger    *slog.Logger
}

// New returns a control plane over store that builds and tests publications with pkg/catalog and
// pkg/testrunner, and has no data plane yet.
func New(store *Store, logger *slog.Logger) *ControlPlane {
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	return &ControlPlane{Store: store, Builder: CatalogBuilder{}, Tests: CatalogBuilder{}, Logger: logger}
}
