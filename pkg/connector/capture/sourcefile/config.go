package sourcefile

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/flowctl/flowctl/pkg/connector/capture"
)

// Format is how a file's records are written.
type Format string

// The formats source-file reads.
const (
	FormatNDJSON Format = "ndjson" // one JSON object per line
	FormatJSON   Format = "json"   // one JSON array of objects
	FormatCSV    Format = "csv"    // a header row naming the fields, then one row per record
)

// config is the endpoint config: the file or glob a capture reads by default.
type config struct {
	Path string `json:"path"`
}

// resource is a binding's resource config. Path overrides the endpoint's path; Format overrides
// the format a file's extension implies.
type resource struct {
	Stream string `json:"stream"`
	Path   string `json:"path,omitempty"`
	Format Format `json:"format,omitempty"`
}

func parseConfig(raw json.RawMessage) (config, error) {
	var cfg config
	if err := capture.DecodeConfig(raw, "source-file config", &cfg); err != nil {
		return cfg, err
	}
	if cfg.Path == "" {
		return cfg, errors.New("invalid source-file config: path is required (a file or a glob such as data/*.ndjson)")
	}
	if err := checkPattern(cfg.Path); err != nil {
		return cfg, fmt.Errorf("invalid source-file config: %w", err)
	}
	return cfg, nil
}

func parseResource(raw json.RawMessage, binding int) (resource, error) {
	var res resource
	what := fmt.Sprintf("resource config of binding %d", binding)
	if err := capture.DecodeConfig(raw, what, &res); err != nil {
		return res, err
	}
	if res.Stream == "" {
		return res, fmt.Errorf("invalid %s: stream is required (it names the binding)", what)
	}
	if res.Format != "" && !slices.Contains([]Format{FormatNDJSON, FormatJSON, FormatCSV}, res.Format) {
		return res, fmt.Errorf("invalid %s: format %q is not one of ndjson, json, csv", what, res.Format)
	}
	if res.Path != "" {
		if err := checkPattern(res.Path); err != nil {
			return res, fmt.Errorf("invalid %s: %w", what, err)
		}
	}
	return res, nil
}

// pattern is the file or glob a binding reads: its own path, else the endpoint's.
func (r resource) pattern(cfg config) string {
	if r.Path != "" {
		return r.Path
	}
	return cfg.Path
}

func checkPattern(pattern string) error {
	if _, err := filepath.Match(pattern, ""); err != nil {
		return fmt.Errorf("path %q is not a valid glob: %w", pattern, err)
	}
	return nil
}

// formatOf returns the format of file: the resource's, else the one its extension implies.
func formatOf(file string, override Format) (Format, error) {
	if override != "" {
		return override, nil
	}
	switch strings.ToLower(filepath.Ext(file)) {
	case ".ndjson", ".jsonl":
		return FormatNDJSON, nil
	case ".json":
		return FormatJSON, nil
	case ".csv":
		return FormatCSV, nil
	}
	return "", fmt.Errorf("%s: cannot tell the format from the extension (.ndjson, .jsonl, .json or .csv): set format in the resource config", file)
}

// matchFiles returns the regular files pattern names, as absolute paths in name order. A pattern
// matching nothing is an error, so that a typo does not pass as an empty source.
func matchFiles(pattern string) ([]string, error) {
	abs, err := filepath.Abs(pattern)
	if err != nil {
		return nil, err
	}
	matches, err := filepath.Glob(abs)
	if err != nil {
		return nil, fmt.Errorf("path %q is not a valid glob: %w", pattern, err)
	}
	files := matches[:0]
	for _, m := range matches {
		if isRegularFile(m) {
			files = append(files, m)
		}
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("path %q matches no files (relative paths are relative to %s)", pattern, workingDir())
	}
	slices.Sort(files)
	return files, nil
}

func isRegularFile(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode().IsRegular()
}

func workingDir() string {
	wd, err := os.Getwd()
	if err != nil {
		return "the working directory"
	}
	return wd
}
