package materialize

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/flowctl/flowctl/pkg/connector"
)

// FilesImage is the built-in JSON-lines files materialization.
const FilesImage = "ghcr.io/flowctl/materialize-files"

func init() { connector.RegisterMaterialize(FilesImage, serveWith(filesDriver{})) }

// filesDriver appends each binding's stored documents to a JSON-lines file. Files only grow, so
// every binding is delta-updates: nothing is loaded back.
type filesDriver struct{}

var (
	filesConfigSchema = json.RawMessage(`{"type":"object","required":["directory"],"properties":{` +
		`"directory":{"type":"string","title":"Directory","description":"Directory the bindings' files are written under."}}}`)
	filesResourceSchema = json.RawMessage(`{"type":"object","required":["path"],"properties":{` +
		`"path":{"type":"string","title":"Path","description":"JSON-lines file to append to, relative to the directory.","x-collection-name":true}}}`)
)

func (filesDriver) spec() *connector.SpecResponse {
	return &connector.SpecResponse{Protocol: connector.ProtocolVersion, ConfigSchema: filesConfigSchema,
		ResourceConfigSchema: filesResourceSchema, ResourcePathPointers: []string{"/path"}}
}

func (filesDriver) validate(_ context.Context, req *connector.MaterializeValidate) (*connector.MaterializeValidated, error) {
	if _, err := parseFilesConfig(req.Config); err != nil {
		return nil, err
	}
	out := &connector.MaterializeValidated{}
	paths := map[string]string{}
	for _, b := range req.Bindings {
		r, err := parseFilesResource(b.ResourceConfig, b.Collection.Name)
		if err != nil {
			return nil, err
		}
		if other, ok := paths[r.Path]; ok {
			return nil, fmt.Errorf("the bindings of %s and %s both write %s: give each binding its own file", other, b.Collection.Name, r.Path)
		}
		paths[r.Path] = b.Collection.Name
		out.Bindings = append(out.Bindings, connector.MaterializeValidatedBinding{
			Constraints:  constraints(&b.Collection, true, true, nil), // JSON object keys fold nothing
			ResourcePath: []string{r.Path},
			DeltaUpdates: true,
		})
	}
	return out, nil
}

func (filesDriver) apply(_ context.Context, req *connector.MaterializeApply) (string, error) {
	if req.Materialization == nil {
		return "", fmt.Errorf("apply carries no materialization")
	}
	c, err := parseFilesConfig(req.Materialization.Config)
	if err != nil {
		return "", err
	}
	dirs := []string{filepath.Join(c.Directory, filesStateDir)}
	for i := range req.Materialization.Bindings {
		b := &req.Materialization.Bindings[i]
		r, err := parseFilesResource(b.ResourceConfig, b.Collection.Name)
		if err != nil {
			return "", err
		}
		dirs = append(dirs, filepath.Dir(filepath.Join(c.Directory, filepath.FromSlash(r.Path))))
	}
	for _, d := range dirs {
		if err := mkdirAllDurable(d); err != nil {
			return "", fmt.Errorf("materialization %s: %w", req.Materialization.Name, err)
		}
	}
	return "created directories " + strings.Join(dirs, ", "), nil
}

func (filesDriver) open(_ context.Context, req *connector.MaterializeOpen) (transactor, *connector.Checkpoint, error) {
	spec := req.Materialization
	if spec == nil {
		return nil, nil, fmt.Errorf("open carries no materialization")
	}
	if req.Range != nil && (req.Range.KeyBegin != 0 || req.Range.KeyEnd != connector.FullRange.KeyEnd ||
		req.Range.RClockBegin != 0 || req.Range.RClockEnd != connector.FullRange.RClockEnd) {
		return nil, nil, fmt.Errorf("materialization %s: materialize-files appends to one file per binding and runs as a single shard; do not split it", spec.Name)
	}
	c, err := parseFilesConfig(spec.Config)
	if err != nil {
		return nil, nil, err
	}
	t := &filesTransactor{dir: c.Directory, task: spec.Name}
	seen := map[string]bool{}
	for i := range spec.Bindings {
		b := &spec.Bindings[i]
		r, err := parseFilesResource(b.ResourceConfig, b.Collection.Name)
		if err != nil {
			return nil, nil, err
		}
		if seen[r.Path] {
			return nil, nil, fmt.Errorf("materialization %s: two bindings write %s: give each binding its own file", spec.Name, r.Path)
		}
		seen[r.Path] = true
		t.bindings = append(t.bindings, &filesBinding{path: r.Path, fields: b.FieldSelection})
	}
	cp, err := t.recover()
	if err != nil {
		return nil, nil, fmt.Errorf("materialization %s: %w", spec.Name, err)
	}
	return t, cp, nil
}
