package develop

import (
	"context"
	"fmt"

	"github.com/flowctl/flowctl/pkg/catalog"
)

// LoadCatalog loads and builds a catalog, returning every error it has as one error.
func LoadCatalog(ctx context.Context, source string) (*catalog.Built, error) {
	cat, diags := catalog.Load(ctx, source)
	if cat == nil || diags.HasErrors() {
		return nil, fmt.Errorf("%s does not load:\n%s", source, diags.Error())
	}
	built, diags := catalog.Build(ctx, cat)
	if diags.HasErrors() {
		return nil, fmt.Errorf("%s does not build:\n%s", source, diags.Error())
	}
	return built, nil
}
