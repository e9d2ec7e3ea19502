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
func (s *spool) compressAppend(codec Codec, content []byte) {
	if codec == CodecNone {
		return
	}
	if s.scratch == nil {
		if s.end-int64(len(content)) != s.begin {
			return // A recovered spool: its fragment is compressed from the spool when persisted.
		}
		f, err := os.Create(strings.TrimSuffix(s.path, spoolExt) + scratchSuffix)
		if err != nil {
			return
		}
		w, err := codec.compressor(f)
		if err != nil {
			f.Close()
			os.Remove(f.Name())
			return
		}
		s.scratch = &scratch{file: f, w: w}
	}
	if _, err := s.scratch.w.Write(content); err != nil {
		s.dropScratch()
		return
	}
	s.scratch.bytes += int64(len(content))
}

// takeScratch returns the finished compressed content of the whole spool, or nil if there is none.
func (s *spool) takeScratch() *os.File {
	sc := s.scratch
	if sc == nil || sc.bytes != s.end-s.begin {
		s.dropScratch()
		return nil
	}
	if err := sc.w.Close(); err != nil {
		s.dropScratch()
		return nil
	}
	if _, err := sc.file.Seek(0, io.SeekStart); err != nil {
		s.dropScratch()
		return nil
	}
	return sc.file
}

func (s *spool) dropScratch() {
	if s.scratch != nil {
		s.scratch.file.Close()
		os.Remove(s.scratch.file.Name())
		s.scratch = nil
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
