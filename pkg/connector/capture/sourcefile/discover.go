package sourcefile

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"path/filepath"
	"strings"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/capture"
)

// discoverSample bounds how many records Discover reads to infer a schema and key, so that
// discovering a large data set stays quick.
const discoverSample = 10000

var errSampled = errors.New("sample complete")

// metaSchema describes the _meta every document gets.
var metaSchema = map[string]any{
	"type": "object",
	"properties": map[string]any{
		"file":   map[string]any{"type": "string", "description": "Absolute path of the file the record was read from."},
		"offset": map[string]any{"type": "integer", "minimum": 0, "description": "Byte offset in the file where the record starts."},
	},
	"required": []string{"file", "offset"},
}

// Discover implements capture.Driver: one binding for the configured file or glob, with a schema
// inferred from its first records and a key chosen as the package documentation describes.
func (Driver) Discover(ctx context.Context, req *connector.Discover) (*connector.Discovered, error) {
	cfg, err := parseConfig(req.Config)
	if err != nil {
		return nil, err
	}
	files, err := bindingFiles(cfg, resource{})
	if err != nil {
		return nil, err
	}
	root := newInference()
	sampled := 0
	for _, f := range files {
		err := readFile(f.path, f.format, 0, func(r record) error {
			dec := json.NewDecoder(bytes.NewReader(r.raw))
			dec.UseNumber()
			var doc any
			if err := dec.Decode(&doc); err != nil {
				return err
			}
			root.observe(doc)
			if sampled++; sampled == discoverSample {
				return errSampled
			}
			return ctx.Err()
		})
		if errors.Is(err, errSampled) {
			break
		} else if err != nil {
			return nil, err
		}
	}

	schema := root.schema()
	schema["type"] = "object"
	props, _ := schema["properties"].(map[string]any)
	if props == nil {
		props = map[string]any{}
		schema["properties"] = props
	}
	props["_meta"] = metaSchema
	required, _ := schema["required"].([]string)
	schema["required"] = append(required, "_meta")

	binding := connector.DiscoveredBinding{DocumentSchema: capture.MustJSON(schema)}
	if key, ok := root.naturalKey(); ok {
		binding.Key = []string{key}
	} else {
		binding.Key = []string{"/_meta/file", "/_meta/offset"}
		binding.IsFallbackKey = true
	}
	stream := streamName(cfg.Path)
	binding.RecommendedName = stream
	binding.ResourcePath = []string{stream}
	binding.ResourceConfig = capture.MustJSON(resource{Stream: stream})
	return &connector.Discovered{Bindings: []connector.DiscoveredBinding{binding}}, nil
}

// streamName names the records of a file or glob: its base name up to the first wildcard or dot,
// trimmed of separators ("data/orders-*.ndjson" is "orders"), else its directory's name.
func streamName(pattern string) string {
	for p := filepath.Clean(pattern); ; p = filepath.Dir(p) {
		base := filepath.Base(p)
		if i := strings.IndexAny(base, "*?[."); i >= 0 {
			base = base[:i]
		}
		if base = strings.Trim(base, "-_. "); base != "" && base != string(filepath.Separator) {
			return base
		}
		if parent := filepath.Dir(p); parent == p {
			return "records"
		}
	}
}
