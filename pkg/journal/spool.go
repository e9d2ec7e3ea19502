package journal

import (
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"hash/crc32"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/flowctl/flowctl/internal/atomicfile"
)

// A spool file holds the content of a journal not yet persisted as a fragment. It is a sequence of
// frames, one per append: a 16-byte header (payload length u32, CRC-32C u32 of the rest, append time
// in Unix nanoseconds i64, all little-endian) and the payload. The CRC finds a torn tail after a crash;
// the time of the first frame dates the fragment the spool becomes.
const (
	frameHeaderLen = 16
	spoolExt       = ".spool"
	// maxFramePayload bounds one append to a journal; Flow bounds documents to 64 MiB.
	maxFramePayload = 1 << 30
)

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// syncFile makes a spool's written frames durable; tests wrap it to observe what each sync covers.
var syncFile = syncData

// spool is one spool file of a journal: content [begin, end). The journal's current spool takes
// appends; a rolled spool waits for the persister to write it as a fragment.
type spool struct {
	path        string
	file        *os.File
	begin, end  int64
	size        int64 // Bytes of whole frames in the file.
	firstAppend time.Time
	sum         hash.Hash // SHA-1 of the content so far.
	scratch     *scratch  // Content compressed so far, if any.
	// codec writes this spool's fragment. It is fixed when the spool starts, so a collection's
	// changed compressionCodec applies from the next spool and never mixes within a fragment.
	codec Codec

	// written is size, published for syncs that run without the Local's lock.
	written atomic.Int64
	// syncMu serialises syncs, so that appends waiting on one share the next (group commit).
	syncMu    sync.Mutex
	synced    int64 // Bytes known durable; guarded by syncMu.
	dirSynced bool  // Whether the file's directory entry is durable; guarded by syncMu.
}

func spoolName(begin int64) string { return fmt.Sprintf("%016x%s", begin, spoolExt) }

// parseSpoolName returns the begin offset of a spool file name, or false if it isn't one.
func parseSpoolName(name string) (int64, bool) {
	hexBegin, ok := strings.CutSuffix(name, spoolExt)
	if !ok || len(hexBegin) != 16 {
		return 0, false
	}
	begin, err := strconv.ParseInt(hexBegin, 16, 64)
	return begin, err == nil && begin >= 0
}

// createSpool starts an empty spool at offset begin. Its directory entry is synced with its first
// frames (syncTo), so that rolling to a new spool costs the append path no extra fsync.
func createSpool(dir string, begin int64) (*spool, error) {
	path := filepath.Join(dir, spoolName(begin))
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, fmt.Errorf("creating spool: %w", err)
	}
	return &spool{path: path, file: f, begin: begin, end: begin, sum: sha1.New()}, nil
}

// recoverSpool opens an existing spool, keeps its whole, intact frames and truncates anything after
// them: a frame torn by a crash was never acknowledged, since appends are acknowledged after fsync.
func recoverSpool(path string, begin int64) (*spool, error) {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("opening spool: %w", err)
	}
	s := &spool{path: path, file: f, begin: begin, end: begin, sum: sha1.New()}
	err = scanFrames(f, 0, func(f frame) error {
		if s.size == 0 {
			s.firstAppend = f.time
		}
		s.sum.Write(f.payload)
		s.end += int64(len(f.payload))
		s.size = f.next
		return nil
	})
	if err != nil && !errors.Is(err, errTornFrame) {
		f.Close()
		return nil, fmt.Errorf("recovering spool %s: %w", path, err)
	}
	if info, statErr := f.Stat(); statErr == nil && info.Size() != s.size {
		if err := f.Truncate(s.size); err != nil {
			f.Close()
			return nil, fmt.Errorf("truncating the torn tail of spool %s: %w", path, err)
		}
		if err := f.Sync(); err != nil {
			f.Close()
			return nil, fmt.Errorf("syncing spool %s: %w", path, err)
		}
	}
	if _, err := f.Seek(s.size, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	// Recovery syncs the spool directory once it has gone through all of it.
	s.written.Store(s.size)
	s.synced, s.dirSynced = s.size, true
	return s, nil
}

// write adds one frame; it is durable only after sync. The caller adds the payload to the content's
// digest with addToSum, off the critical path (while the spool syncs).
func (s *spool) write(payload []byte, now time.Time) error {
	if len(payload) > maxFramePayload {
		return fmt.Errorf("append of %d bytes is larger than the limit of %d bytes per journal and transaction", len(payload), maxFramePayload)
	}
	var header [frameHeaderLen]byte
	binary.LittleEndian.PutUint32(header[0:4], uint32(len(payload)))
	binary.LittleEndian.PutUint64(header[8:16], uint64(now.UnixNano()))
	crc := crc32.Update(crc32.Checksum(header[8:16], crcTable), crcTable, payload)
	binary.LittleEndian.PutUint32(header[4:8], crc)
	// Header and payload are written in place, not copied into one buffer: a reader that sees the
	// header before its payload finds a short frame, which it treats as the write head, and recovery
	// cuts a frame torn between the two writes.
	if err := writeAll(s.file, header[:], payload); err != nil {
		// Cut the partial frame off so that the spool stays a sequence of whole frames.
		_ = s.file.Truncate(s.size)
		_, _ = s.file.Seek(s.size, io.SeekStart)
		return fmt.Errorf("writing spool %s: %w", s.path, err)
	}
	if s.size == 0 {
		s.firstAppend = now
	}
	s.size += frameHeaderLen + int64(len(payload))
	s.end += int64(len(payload))
	s.written.Store(s.size)
	return nil
}

func writeAll(f *os.File, parts ...[]byte) error {
	for _, p := range parts {
		if _, err := f.Write(p); err != nil {
			return err
		}
	}
	return nil
}

// addToSum adds a written frame's payload to the digest of the spool's content.
func (s *spool) addToSum(payload []byte) { s.sum.Write(payload) }

// syncTo returns once the first target bytes of the file are durable. Callers that arrive while a
// sync runs queue on syncMu; the first of them then syncs everything written so far, so the rest
// find their frames covered and return without a sync of their own. Only the data and the size need
// to reach the disk, so it is an fdatasync where the platform has one.
func (s *spool) syncTo(target int64) error {
	s.syncMu.Lock()
	defer s.syncMu.Unlock()
	if s.synced >= target {
		return nil
	}
	// Everything written before this load is covered by the sync that follows it.
	written := s.written.Load()
	dirSynced := make(chan error, 1)
	if !s.dirSynced {
		go func() { dirSynced <- atomicfile.SyncDir(filepath.Dir(s.path)) }()
	} else {
		dirSynced <- nil
	}
	err := syncFile(s.file)
	if dirErr := <-dirSynced; err == nil {
		err = dirErr
	}
	if err != nil {
		return fmt.Errorf("syncing spool %s: %w", s.path, err)
	}
	s.synced, s.dirSynced = written, true
	return nil
}

// frame is one decoded spool frame; next is the file position after it.
type frame struct {
	payload []byte
	time    time.Time
	next    int64
}

// errTornFrame marks the end of the whole frames of a spool: a header or payload cut short, or a
// frame whose checksum fails (a write the crash interrupted).
var errTornFrame = errors.New("torn spool frame")

// scanFrames calls fn with each whole frame of r from file position pos. It returns nil at a clean
// end of file and errTornFrame at a partial or corrupt frame.
func scanFrames(r io.ReaderAt, pos int64, fn func(frame) error) error {
	for {
		f, err := readFrame(r, pos)
		if errors.Is(err, io.EOF) {
			return nil
		} else if err != nil {
			return err
		}
		if err := fn(f); err != nil {
			return err
		}
		pos = f.next
	}
}

// readFrame reads the frame at file position pos: io.EOF if the file ends there, errTornFrame if the
// frame is partial or corrupt (still being written, or torn by a crash).
func readFrame(r io.ReaderAt, pos int64) (frame, error) {
	var header [frameHeaderLen]byte
	if n, err := r.ReadAt(header[:], pos); n < frameHeaderLen {
		if n == 0 && errors.Is(err, io.EOF) {
			return frame{}, io.EOF
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return frame{}, err
		}
		return frame{}, errTornFrame
	}
	length := binary.LittleEndian.Uint32(header[0:4])
	if length > maxFramePayload {
		return frame{}, errTornFrame
	}
	body := make([]byte, 8+int(length))
	copy(body, header[8:])
	if n, err := r.ReadAt(body[8:], pos+frameHeaderLen); n < int(length) {
		if err != nil && !errors.Is(err, io.EOF) {
			return frame{}, err
		}
		return frame{}, errTornFrame
	}
	if crc32.Checksum(body, crcTable) != binary.LittleEndian.Uint32(header[4:8]) {
		return frame{}, errTornFrame
	}
	return frame{
		payload: body[8:],
		time:    time.Unix(0, int64(binary.LittleEndian.Uint64(body[0:8]))).UTC(),
		next:    pos + frameHeaderLen + int64(length),
	}, nil
}
