package journal

import (
	"encoding/hex"
	"fmt"
	"path"
	"strconv"
	"strings"
	"time"
)

// Fragment is a persisted, immutable span [Begin, End) of a journal's uncompressed content.
type Fragment struct {
	Journal string `json:"journal"`
	Begin   int64  `json:"begin"`
	End     int64  `json:"end"`
	// Sum is the SHA-1 of the uncompressed content.
	Sum   SHA1Sum `json:"sum"`
	Codec Codec   `json:"compressionCodec"`
	// PathPostfix is the Hive-style folder between the journal and the file: utc_date=.../utc_hour=...
	PathPostfix string    `json:"pathPostfix"`
	ModTime     time.Time `json:"modTime"`
	// Store is the URL of the store holding the fragment.
	Store string `json:"store"`
}

// SHA1Sum is a SHA-1 digest, written as 40 hex digits.
type SHA1Sum [20]byte

// MarshalText writes the digest in hex.
func (s SHA1Sum) MarshalText() ([]byte, error) { return []byte(hex.EncodeToString(s[:])), nil }

// ContentName is the fragment's file name, as Gazette names it: <begin>-<end>-<sha1><ext>.
func (f Fragment) ContentName() string {
	return fmt.Sprintf("%016x-%016x-%x%s", f.Begin, f.End, f.Sum, f.Codec.Extension())
}

// ContentPath is the fragment's path relative to its store.
func (f Fragment) ContentPath() string {
	return path.Join(f.Journal, f.PathPostfix, f.ContentName())
}

// PathPostfix is Flow's Hive-partitioned folder for a fragment whose first append happened at t.
func PathPostfix(t time.Time) string {
	t = t.UTC()
	return "utc_date=" + t.Format("2006-01-02") + "/utc_hour=" + t.Format("15")
}

// ParseFragmentPath parses a path relative to a journal ("a=1/b=2/<begin>-<end>-<sha1>.gz") as
// Gazette's ParseFragmentFromRelativePath does: everything before the last "/" is the postfix.
func ParseFragmentPath(journal, rel string) (Fragment, error) {
	f := Fragment{Journal: journal}
	name := rel
	if i := strings.LastIndexByte(rel, '/'); i >= 0 {
		f.PathPostfix, name = rel[:i], rel[i+1:]
	}
	base := name
	if i := strings.IndexByte(name, '.'); i >= 0 {
		base = name[:i]
		codec, err := CodecForExtension(name[i:])
		if err != nil {
			return Fragment{}, fmt.Errorf("fragment %q: %w", rel, err)
		}
		f.Codec = codec
	} else {
		f.Codec = CodecGzipOffload // Gazette writes no extension for GZIP_OFFLOAD_DECOMPRESSION.
	}
	fields := strings.Split(base, "-")
	if len(fields) != 3 {
		return Fragment{}, fmt.Errorf("fragment %q: name is not <begin>-<end>-<sha1>", rel)
	}
	var err error
	if f.Begin, err = strconv.ParseInt(fields[0], 16, 64); err != nil {
		return Fragment{}, fmt.Errorf("fragment %q: begin offset %q is not hex", rel, fields[0])
	}
	if f.End, err = strconv.ParseInt(fields[1], 16, 64); err != nil {
		return Fragment{}, fmt.Errorf("fragment %q: end offset %q is not hex", rel, fields[1])
	}
	if f.Begin < 0 || f.End < f.Begin {
		return Fragment{}, fmt.Errorf("fragment %q: begin %d is after end %d", rel, f.Begin, f.End)
	}
	sum, err := hex.DecodeString(fields[2])
	if err != nil || len(sum) != len(f.Sum) {
		return Fragment{}, fmt.Errorf("fragment %q: %q is not a 40-digit hex SHA-1", rel, fields[2])
	}
	copy(f.Sum[:], sum)
	return f, nil
}
