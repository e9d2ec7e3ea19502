package runtime

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/flowctl/flowctl/pkg/catalog"
	"github.com/flowctl/flowctl/pkg/connector"
)

// collectionSpec is a built collection as connectors see it.
func collectionSpec(built *catalog.Built, c *catalog.BuiltCollection) (*connector.CollectionSpec, error) {
	var write, read json.RawMessage
	var err error
	def := c.Def
	if def.Schema != nil {
		write, err = schemaJSON(built, def.Schema)
	} else {
		if write, err = schemaJSON(built, def.WriteSchema); err == nil {
			read, err = schemaJSON(built, def.ReadSchema)
		}
	}
	if err != nil {
		return nil, fmt.Errorf("collection %s: %w", c.Name, err)
	}
	return connector.CollectionSpecOf(c.Name, c.Key, c.PartitionFields, c.Projections, write, read), nil
}

// schemaJSON is the JSON of a schema: inline, or the content of the file it references.
func schemaJSON(built *catalog.Built, ref *catalog.SchemaRef) (json.RawMessage, error) {
	if ref == nil {
		return nil, nil
	}
	if ref.IsInline {
		return json.Marshal(ref.Inline)
	}
	base, _, _ := strings.Cut(ref.URL, "#")
	res := built.Catalog.Resources[base]
	if res == nil {
		return nil, fmt.Errorf("schema %s was not loaded", ref.URL)
	}
	return json.Marshal(res.Content)
}

// endpointOf says how to run a task's connector and returns its config JSON.
func endpointOf(task string, ep catalog.Endpoint) (connector.Endpoint, connector.ConnectorType, json.RawMessage, error) {
	out := connector.Endpoint{Task: task}
	var cfg *catalog.FileOrInline
	kind := connector.ConnectorTypeImage
	switch {
	case ep.Connector != nil:
		out.Image, cfg = ep.Connector.Image, ep.Connector.Config
	case ep.Local != nil:
		out.Local = &connector.LocalEndpoint{Command: ep.Local.Command, Env: ep.Local.Env, Protobuf: ep.Local.Protobuf}
		cfg, kind = ep.Local.Config, connector.ConnectorTypeLocal
	default:
		return out, "", nil, fmt.Errorf("%s has no endpoint", task)
	}
	scope := ep.Scope.URL
	if out.Local != nil {
		scope = "" // a local command resolves its own paths
	}
	config, err := valueJSON(cfg, scope)
	if err != nil {
		return out, "", nil, fmt.Errorf("%s: endpoint config: %w", task, err)
	}
	return out, kind, config, nil
}

// valueJSON encodes a config value ({} when absent). A relative `path` in it is resolved against
// the directory of its file, or of scopeURL (the catalog that declares it inline; "" for none).
func valueJSON(v *catalog.FileOrInline, scopeURL string) (json.RawMessage, error) {
	if v == nil || v.Value == nil {
		return json.RawMessage(`{}`), nil
	}
	if v.URL != "" {
		scopeURL = v.URL
	}
	return json.Marshal(connector.ResolveRelativePath(v.Value, scopeURL))
}
