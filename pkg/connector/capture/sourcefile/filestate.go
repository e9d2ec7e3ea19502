package sourcefile

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
)

// headLimit is how many of a file's first bytes its fingerprint covers at most: enough to tell
// files apart that share a header row, little enough to hash at every checkpoint.
const headLimit = 1024

// fileState is a file's entry in a binding's state: the offset read up to and the identity of the
// file that offset is in, so that a file replaced under the same name is not resumed mid-way.
// States written before identities were recorded hold the bare offset and have no identity.
type fileState struct {
	Offset int64 `json:"offset"`
	// Device and Inode name the file on its filesystem (both zero where the platform has none).
	Device uint64 `json:"device,omitempty"`
	Inode  uint64 `json:"inode,omitempty"`
	// HeadSHA256 is the SHA-256 of the file's first HeadLength bytes, min(Offset, headLimit): inode
	// numbers are reused, and a file can be truncated and rewritten in place.
	HeadLength int64  `json:"headLength,omitempty"`
	HeadSHA256 string `json:"headSHA256,omitempty"`
}

// UnmarshalJSON reads either form of a file's state: an object, or the older bare offset.
func (s *fileState) UnmarshalJSON(raw []byte) error {
	if trimmed := bytes.TrimSpace(raw); len(trimmed) > 0 && trimmed[0] != '{' {
		*s = fileState{}
		if err := json.Unmarshal(trimmed, &s.Offset); err != nil {
			return errors.New("a file's state must be its byte offset or an object with offset, device, inode, headLength and headSHA256")
		}
		return s.check()
	}
	type plain fileState // without this method, so decoding does not recurse
	var p plain
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return fmt.Errorf("a file's state: %w", err)
	}
	*s = fileState(p)
	return s.check()
}

func (s fileState) check() error {
	switch {
	case s.Offset < 0:
		return fmt.Errorf("a file's offset is %d, which is negative", s.Offset)
	case s.HeadSHA256 == "" && s.HeadLength != 0:
		return errors.New("a file's state has a headLength without a headSHA256")
	case s.HeadSHA256 == "":
		return nil
	case s.HeadLength != min(s.Offset, headLimit):
		return fmt.Errorf("a file's headLength is %d, want %d for offset %d", s.HeadLength, min(s.Offset, headLimit), s.Offset)
	}
	if sum, err := hex.DecodeString(s.HeadSHA256); err != nil || len(sum) != sha256.Size {
		return fmt.Errorf("a file's headSHA256 %q is not a hex SHA-256", s.HeadSHA256)
	}
	return nil
}

// hasIdentity tells states recording which file they are about from those written before that.
func (s fileState) hasIdentity() bool { return s.HeadSHA256 != "" }

// stateOf records that f, which info describes, was read up to offset.
func stateOf(f *os.File, info os.FileInfo, offset int64) (fileState, error) {
	s := fileState{Offset: offset, HeadLength: min(offset, headLimit)}
	s.Device, s.Inode, _ = deviceInode(info)
	sum, err := headSum(f, s.HeadLength)
	if err != nil {
		return s, err
	}
	s.HeadSHA256 = sum
	return s, nil
}

// headSum is the hex SHA-256 of the first n bytes of f, which must hold that many.
func headSum(f *os.File, n int64) (string, error) {
	h := sha256.New()
	if copied, err := io.Copy(h, io.NewSectionReader(f, 0, n)); err != nil {
		return "", err
	} else if copied < n {
		return "", io.ErrUnexpectedEOF
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// resumeFrom decides where reading f, found under path, resumes given the state saved for path:
// at the saved offset when f is the file the state is about; from the start, with replaced set,
// when f is another file put in its place. A file that is the same but shorter than the offset
// was cut, and what was captured from it cannot be told from what was not: that is an error.
// A state without an identity (an older one) is taken to be about f.
func resumeFrom(path string, f *os.File, info os.FileInfo, saved fileState) (from int64, replaced bool, err error) {
	if saved.hasIdentity() {
		device, inode, ok := deviceInode(info)
		if ok && saved.Inode != 0 && (device != saved.Device || inode != saved.Inode) {
			return 0, true, nil
		}
		// Shorter than its fingerprint, the file cannot be compared: it shrank, reported below.
		if info.Size() >= saved.HeadLength {
			sum, err := headSum(f, saved.HeadLength)
			if err != nil {
				return 0, false, fmt.Errorf("%s: reading its first bytes: %w", path, err)
			}
			if sum != saved.HeadSHA256 {
				return 0, true, nil
			}
		}
	}
	if info.Size() < saved.Offset {
		return 0, false, fmt.Errorf("%s is now %d bytes, shorter than the %d bytes already captured: files must only grow "+
			"(write a replaced file under a new name, or reset the capture's state to read it again)", path, info.Size(), saved.Offset)
	}
	return saved.Offset, false, nil
}
