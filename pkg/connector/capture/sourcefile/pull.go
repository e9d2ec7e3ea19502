package sourcefile

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/flowctl/flowctl/pkg/connector"
	"github.com/flowctl/flowctl/pkg/connector/capture"
)

// checkpointEvery is how many documents a checkpoint closes at most, so that a restart repeats
// little work and the runtime's transactions stay small.
const checkpointEvery = 1024

// bindingState is a binding's entry under bindingStateV1: how far each file is read, by path.
type bindingState struct {
	Files map[string]fileState `json:"files"`
}

// Pull implements capture.Driver: it reads every binding's files in name order from their
// recorded offsets, checkpoints each chunk of documents with the offsets reached (a merge patch,
// so only the file being read is written), and returns once everything is read.
func (Driver) Pull(ctx context.Context, open *connector.CaptureOpen, session *capture.Session) error {
	cfg, err := parseConfig(open.Capture.Config)
	if err != nil {
		return err
	}
	var prior struct {
		BindingStateV1 map[string]bindingState `json:"bindingStateV1"`
	}
	if len(open.State) != 0 {
		if err := json.Unmarshal(open.State, &prior); err != nil {
			return fmt.Errorf("invalid connector state %s: %w", open.State, err)
		}
	}
	type plan struct {
		stateKey string
		files    []sourceFile
	}
	plans := make([]plan, len(open.Capture.Bindings))
	for i := range open.Capture.Bindings {
		b := &open.Capture.Bindings[i]
		res, err := parseResource(b.ResourceConfig, i)
		if err != nil {
			return err
		}
		files, err := bindingFiles(cfg, res)
		if err != nil {
			return fmt.Errorf("binding %d (stream %q): %w", i, res.Stream, err)
		}
		plans[i] = plan{stateKey: capture.StateKey(b), files: files}
	}
	if err := session.Opened(false); err != nil {
		return err
	}
	for i, p := range plans {
		saved := prior.BindingStateV1[p.stateKey].Files
		for _, f := range p.files {
			r := fileReader{session: session, binding: i, stateKey: p.stateKey, file: f}
			if err := r.read(ctx, saved[f.path]); err != nil {
				return err
			}
		}
	}
	session.Log.Info("read every file", "bindings", len(plans))
	return nil
}

// fileReader captures one file of a binding.
type fileReader struct {
	session  *capture.Session
	binding  int
	stateKey string
	file     sourceFile
	pending  int // documents sent since the last checkpoint
}

func (r *fileReader) read(ctx context.Context, saved fileState) error {
	f, err := os.Open(r.file.path)
	if err != nil {
		return err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	from, replaced, err := resumeFrom(r.file.path, f, info, saved)
	if err != nil {
		return err
	}
	if replaced {
		r.session.Log.Warn("file was replaced by another since the last checkpoint; reading the new one from its start",
			"file", r.file.path, "capturedOfPrevious", saved.Offset, "size", info.Size())
	}
	reached := from
	err = readOpened(f, r.file.path, r.file.format, from, func(rec record) error {
		doc, err := withMeta(rec.raw, r.file.path, rec.start)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", r.file.path, lineAt(r.file.path, rec.start), err)
		}
		if err := r.session.Captured(r.binding, doc); err != nil {
			return err
		}
		reached = rec.end
		if r.pending++; r.pending == checkpointEvery {
			if err := ctx.Err(); err != nil {
				return err
			}
			return r.checkpoint(f, info, reached)
		}
		return nil
	})
	if err != nil {
		return err
	}
	if r.pending > 0 {
		return r.checkpoint(f, info, reached)
	}
	return nil
}

// checkpoint records that f, which info describes, is read up to offset.
func (r *fileReader) checkpoint(f *os.File, info os.FileInfo, offset int64) error {
	r.pending = 0
	s, err := stateOf(f, info, offset)
	if err != nil {
		return fmt.Errorf("%s: fingerprinting its first bytes: %w", r.file.path, err)
	}
	return r.session.Checkpoint(map[string]any{
		"bindingStateV1": map[string]bindingState{r.stateKey: {Files: map[string]fileState{r.file.path: s}}},
	}, true)
}
