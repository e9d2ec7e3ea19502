package journal

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// A journal compresses each append into a scratch file while the spool is being fsynced, so that
// gzip's CPU time overlaps the wait on the disk; persisting a fragment then only copies compressed
// bytes. The scratch file is not durable: after a crash it is removed and the fragment is compressed
// from the spool instead.
const scratchSuffix = ".compressing"

type scratch struct {
	file  *os.File
	w     io.WriteCloser
	bytes int64 // Uncompressed bytes written.
}

// compressAppend adds content (the spool's newest frame) to the scratch file. The scratch file only
// exists when it started with the spool's first frame; on any error it is dropped.
func (j *localJournal) compressAppend(content []byte) {
	s := j.spool
	if j.codec == CodecNone {
		return
	}
	if j.scratch == nil {
		if s.end-int64(len(content)) != s.begin {
			return // A recovered spool: its fragment is compressed from the spool when persisted.
		}
		f, err := os.Create(filepath.Join(j.dir, fmt.Sprintf("%016x%s", s.begin, scratchSuffix)))
		if err != nil {
			return
		}
		w, err := j.codec.compressor(f)
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			return
		}
		j.scratch = &scratch{file: f, w: w}
	}
	if _, err := j.scratch.w.Write(content); err != nil {
		j.dropScratch()
		return
	}
	j.scratch.bytes += int64(len(content))
}

// takeScratch returns the finished compressed content of the whole spool, or nil if there is none.
func (j *localJournal) takeScratch() *os.File {
	sc := j.scratch
	if sc == nil || sc.bytes != j.spool.end-j.spool.begin {
		j.dropScratch()
		return nil
	}
	if err := sc.w.Close(); err != nil {
		j.dropScratch()
		return nil
	}
	if _, err := sc.file.Seek(0, io.SeekStart); err != nil {
		j.dropScratch()
		return nil
	}
	return sc.file
}

func (j *localJournal) dropScratch() {
	if j.scratch != nil {
		j.scratch.file.Close()
		os.Remove(j.scratch.file.Name())
		j.scratch = nil
	}
}

// removeScratchFiles deletes scratch files a crash left in a journal's spool directory.
func removeScratchFiles(dir string) error {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil // No spool directory yet: nothing to remove.
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), scratchSuffix) {
			if err := os.Remove(filepath.Join(dir, e.Name())); err != nil {
				return fmt.Errorf("removing a leftover scratch file: %w", err)
			}
		}
	}
	return nil
}
