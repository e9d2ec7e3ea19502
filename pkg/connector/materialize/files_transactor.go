package materialize

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/flowctl/flowctl/pkg/connector"
)

// filesTransactor spools each binding's lines of a transaction to a file under the state
// directory, and at commit records them with the checkpoint before appending them.
type filesTransactor struct {
	dir, task string
	bindings  []*filesBinding
	// last is the committed checkpoint as JSON, to recognise a replayed transaction.
	last []byte
	line bytes.Buffer
}

type filesBinding struct {
	path   string
	fields connector.FieldSelection
	spool  *os.File
	w      *bufio.Writer
	length int64
}

// recover redoes the appends of the last committed transaction and returns its checkpoint.
func (t *filesTransactor) recover() (*connector.Checkpoint, error) {
	if err := mkdirAllDurable(t.stateDir()); err != nil {
		return nil, err
	}
	s, err := t.readState()
	if err != nil {
		return nil, err
	}
	for _, a := range s.Appends {
		if err := t.applyAppend(a); err != nil {
			return nil, err
		}
	}
	// Spools of a transaction that never committed are dropped: the runtime replays it.
	if err := t.removeSpools(s.Appends); err != nil {
		return nil, err
	}
	if s.Checkpoint != nil {
		if t.last, err = json.Marshal(s.Checkpoint); err != nil {
			return nil, err
		}
	}
	return s.Checkpoint, nil
}

func (t *filesTransactor) load(binding int, _ []any) error {
	return fmt.Errorf("load of binding %d: materialize-files is delta-updates only and never loads documents", binding)
}

func (t *filesTransactor) flush(context.Context, func(int, json.RawMessage) error) error { return nil }

func (t *filesTransactor) store(binding int, r row) error {
	if binding < 0 || binding >= len(t.bindings) {
		return fmt.Errorf("store of binding %d: the materialization has %d bindings", binding, len(t.bindings))
	}
	b := t.bindings[binding]
	t.line.Reset()
	if err := b.encode(&t.line, r); err != nil {
		return fmt.Errorf("store of binding %d (%s): %w", binding, b.path, err)
	}
	if b.spool == nil {
		f, err := os.CreateTemp(t.stateDir(), t.filePrefix()+"*.spool")
		if err != nil {
			return err
		}
		b.spool, b.w, b.length = f, bufio.NewWriterSize(f, 64<<10), 0
	}
	n, err := b.w.Write(t.line.Bytes())
	b.length += int64(n)
	return err
}

// encode writes one JSON line: the document when it is selected, else an object of the
// selected key and value fields.
func (b *filesBinding) encode(out *bytes.Buffer, r row) error {
	if b.fields.Document != "" {
		if len(r.Doc) == 0 {
			return errors.New("the document field is selected but the store carries no document")
		}
		if err := json.Compact(out, r.Doc); err != nil {
			return fmt.Errorf("document: %w", err)
		}
		return out.WriteByte('\n')
	}
	key, values, err := r.fields()
	if err != nil {
		return err
	}
	if len(key) != len(b.fields.Keys) || len(values) != len(b.fields.Values) {
		return fmt.Errorf("%d keys and %d values, but the field selection has %d keys and %d values",
			len(key), len(values), len(b.fields.Keys), len(b.fields.Values))
	}
	obj := make(map[string]any, len(key)+len(values))
	for i, f := range b.fields.Keys {
		obj[f] = key[i]
	}
	for i, f := range b.fields.Values {
		obj[f] = values[i]
	}
	enc := json.NewEncoder(out)
	enc.SetEscapeHTML(false) // keep the documents' bytes
	return enc.Encode(obj)   // sorted keys, newline-terminated
}

func (t *filesTransactor) commit(_ context.Context, cp *connector.Checkpoint) error {
	cpJSON, err := json.Marshal(cp)
	if err != nil {
		return err
	}
	if t.last != nil && bytes.Equal(cpJSON, t.last) {
		// The runtime replays a transaction that already committed: its lines are in the files.
		t.dropSpools()
		return nil
	}
	var appends []fileAppend
	for _, b := range t.bindings {
		if b.spool == nil {
			continue
		}
		a, err := t.sealSpool(b)
		if err != nil {
			return err
		}
		appends = append(appends, a)
	}
	if err := t.writeState(filesState{Checkpoint: cp, Appends: appends}); err != nil {
		return fmt.Errorf("recording the checkpoint of materialization %s: %w", t.task, err)
	}
	t.last = cpJSON
	for _, a := range appends {
		if err := t.applyAppend(a); err != nil {
			return err
		}
	}
	return t.removeSpools(appends) // the previous transaction's spools
}

// sealSpool makes a binding's spool durable and describes its append.
func (t *filesTransactor) sealSpool(b *filesBinding) (fileAppend, error) {
	defer func() { b.spool, b.w = nil, nil }()
	err := b.w.Flush()
	if err == nil {
		err = b.spool.Sync()
	}
	if cerr := b.spool.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fileAppend{}, fmt.Errorf("spooling lines of %s: %w", b.path, err)
	}
	var offset int64
	info, err := os.Stat(filepath.Join(t.dir, filepath.FromSlash(b.path)))
	switch {
	case err == nil:
		offset = info.Size()
	case !errors.Is(err, fs.ErrNotExist):
		return fileAppend{}, err
	}
	return fileAppend{Path: b.path, Offset: offset, Spool: filepath.Base(b.spool.Name()), Length: b.length}, nil
}

func (t *filesTransactor) dropSpools() {
	for _, b := range t.bindings {
		if b.spool != nil {
			b.spool.Close()
			os.Remove(b.spool.Name())
			b.spool, b.w = nil, nil
		}
	}
}

func (t *filesTransactor) close() error {
	t.dropSpools()
	return nil
}
