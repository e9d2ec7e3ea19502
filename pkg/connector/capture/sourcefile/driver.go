// Package sourcefile is the built-in ghcr.io/flowctl/source-file capture: it reads NDJSON, JSON-array
// and CSV files named by a path or glob, in name order, resuming each file at the byte offset its
// last checkpoint recorded, and ends once every file is read. A checkpoint also records which file
// the offset is in (device, inode and a fingerprint of its first bytes): a file since replaced under
// the same name is read from its start, and one cut shorter in place is an error.
//
// Every document gets `_meta: {file, offset}`: the file's absolute path and the byte offset where
// the record starts. Discover keys a binding by the root property "id" or, failing that, the first
// property (by name) ending in "_id", when every sampled record has it as a string or an integer
// throughout; otherwise by /_meta/file and /_meta/offset, which are unique per record.
package sourcefile

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/capture"
)

// Image is the connector image this built-in answers for (any tag).
const Image = "ghcr.io/flowctl/source-file"

func init() {
	connector.RegisterCapture(Image, func(ctx context.Context, stream connector.CaptureServerStream, log *slog.Logger) error {
		return capture.Serve(ctx, stream, log, Driver{})
	})
}

// Driver implements capture.Driver.
type Driver struct{}

var configSchema = json.RawMessage(`{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "Files",
  "type": "object",
  "properties": {
    "path": {"type": "string", "title": "Path", "description": "A file, or a glob such as data/*.ndjson. A relative path is relative to the directory of the catalog file that declares it (flowctl resolves it before the connector runs)."}
  },
  "required": ["path"]
}`)

var resourceSchema = json.RawMessage(`{
  "$schema": "http://json-schema.org/draft-07/schema#",
  "title": "File stream",
  "type": "object",
  "properties": {
    "stream": {"type": "string", "title": "Stream", "description": "Name of this binding's stream of records."},
    "path": {"type": "string", "title": "Path", "description": "A file or glob read by this binding instead of the endpoint's path, relative to the directory of the catalog file that declares it."},
    "format": {"type": "string", "enum": ["ndjson", "json", "csv"], "title": "Format", "description": "How the files are written; by default, from each file's extension (.ndjson or .jsonl, .json, .csv)."}
  },
  "required": ["stream"]
}`)

// Spec implements capture.Driver.
func (Driver) Spec(context.Context, *connector.SpecRequest) (*connector.SpecResponse, error) {
	return &connector.SpecResponse{
		ConfigSchema:         configSchema,
		ResourceConfigSchema: resourceSchema,
		ResourcePathPointers: []string{"/stream"},
	}, nil
}

// Validate implements capture.Driver: each binding's files must exist and have a known format,
// and streams must be unique.
func (Driver) Validate(_ context.Context, req *connector.CaptureValidate) (*connector.CaptureValidated, error) {
	cfg, err := parseConfig(req.Config)
	if err != nil {
		return nil, err
	}
	out := &connector.CaptureValidated{}
	streams := map[string]int{}
	for i, b := range req.Bindings {
		res, err := parseResource(b.ResourceConfig, i)
		if err != nil {
			return nil, err
		}
		if prev, dup := streams[res.Stream]; dup {
			return nil, fmt.Errorf("bindings %d and %d both have stream %q: give each binding its own stream", prev, i, res.Stream)
		}
		streams[res.Stream] = i
		if _, err := bindingFiles(cfg, res); err != nil {
			return nil, fmt.Errorf("binding %d (stream %q): %w", i, res.Stream, err)
		}
		out.Bindings = append(out.Bindings, connector.CaptureValidatedBinding{ResourcePath: []string{res.Stream}})
	}
	return out, nil
}

// sourceFile is one file a binding reads.
type sourceFile struct {
	path   string
	format Format
}

// bindingFiles lists the files of a binding in name order with their formats.
func bindingFiles(cfg config, res resource) ([]sourceFile, error) {
	paths, err := matchFiles(res.pattern(cfg))
	if err != nil {
		return nil, err
	}
	files := make([]sourceFile, len(paths))
	for i, p := range paths {
		format, err := formatOf(p, res.Format)
		if err != nil {
			return nil, err
		}
		files[i] = sourceFile{path: p, format: format}
	}
	return files, nil
}
