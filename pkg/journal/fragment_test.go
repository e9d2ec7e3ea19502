package journal

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParseFragmentPath(t *testing.T) {
	// Flow's documented example (site/docs/concepts/advanced/journals.md).
	const journal = "acmeCo/orders/category=Anvils/pivot=00"
	rel := "utc_date=2022-01-07/utc_hour=19/0000000000000000-00000000201a3f27-1ec69e2de187b7720fb864a8cd6d50bb69cc7f26.gz"
	f, err := ParseFragmentPath(journal, rel)
	if err != nil {
		t.Fatal(err)
	}
	if f.Begin != 0 || f.End != 0x201a3f27 || f.Codec != CodecGzip || f.PathPostfix != "utc_date=2022-01-07/utc_hour=19" {
		t.Fatalf("%+v", f)
	}
	if f.ContentPath() != journal+"/"+rel {
		t.Fatalf("content path %s", f.ContentPath())
	}
	for ext, codec := range map[string]Codec{".gzip": CodecGzip, ".raw": CodecNone, ".zst": CodecZstandard, ".sz": CodecSnappy, ".snappy": CodecSnappy, "": CodecGzipOffload} {
		f, err := ParseFragmentPath(journal, "00000000000000ff-0000000000000100-1ec69e2de187b7720fb864a8cd6d50bb69cc7f26"+ext)
		if err != nil || f.Codec != codec || f.PathPostfix != "" || f.Begin != 255 {
			t.Errorf("ext %q: %+v %v", ext, f, err)
		}
	}
	if got := PathPostfix(time.Date(2024, 12, 31, 23, 59, 59, 0, time.FixedZone("x", 3600))); got != "utc_date=2024-12-31/utc_hour=22" {
		t.Errorf("postfix in UTC = %s", got)
	}
}

func TestParseFragmentPathErrors(t *testing.T) {
	const sum = "1ec69e2de187b7720fb864a8cd6d50bb69cc7f26"
	for _, tc := range []struct{ rel, want string }{
		{"0-1.gz", "not <begin>-<end>-<sha1>"},
		{"0-1-2-3.gz", "not <begin>-<end>-<sha1>"},
		{"x-1-" + sum + ".gz", "begin offset"},
		{"0-y-" + sum + ".gz", "end offset"},
		{"2-1-" + sum + ".gz", "after end"},
		{"0-1-abc.gz", "40-digit"},
		{"0-1-" + sum + ".bz2", "unknown fragment extension"},
	} {
		_, err := ParseFragmentPath("j/pivot=00", tc.rel)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.rel, err, tc.want)
		}
	}
}

func FuzzParseFragmentPath(f *testing.F) {
	f.Add("utc_date=2022-01-07/utc_hour=19/0000000000000000-00000000201a3f27-1ec69e2de187b7720fb864a8cd6d50bb69cc7f26.gz")
	f.Add("0-1-1ec69e2de187b7720fb864a8cd6d50bb69cc7f26")
	f.Fuzz(func(t *testing.T, rel string) {
		frag, err := ParseFragmentPath("j/pivot=00", rel)
		if err != nil {
			return
		}
		// What parses re-parses from its canonical name to the same fragment.
		again, err := ParseFragmentPath("j/pivot=00", strings.TrimPrefix(frag.ContentPath(), "j/pivot=00/"))
		if err != nil || again.Begin != frag.Begin || again.End != frag.End || again.Sum != frag.Sum || again.Codec != frag.Codec {
			t.Fatalf("%q -> %s -> %+v, %v", rel, frag.ContentPath(), again, err)
		}
	})
}

// A spool cut at any byte recovers to its whole frames, and appends continue after them.
func TestSpoolRecoveryAtEveryCut(t *testing.T) {
	dir := t.TempDir()
	s, err := createSpool(dir, 100)
	if err != nil {
		t.Fatal(err)
	}
	payloads := []string{"{\"a\":1}\n", "{\"b\":2}\n{\"c\":3}\n", "{}\n"}
	var ends []int64
	for _, p := range payloads {
		if err := s.write([]byte(p), time.Unix(1700000000, 0)); err != nil {
			t.Fatal(err)
		}
		ends = append(ends, s.size)
	}
	s.file.Close()
	full, err := os.ReadFile(s.path)
	if err != nil {
		t.Fatal(err)
	}
	for cut := 0; cut <= len(full); cut++ {
		path := filepath.Join(dir, "cut.spool")
		if err := os.WriteFile(path, full[:cut], 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := recoverSpool(path, 100)
		if err != nil {
			t.Fatal(err)
		}
		whole := 0
		for whole < len(ends) && ends[whole] <= int64(cut) {
			whole++
		}
		want := strings.Join(payloads[:whole], "")
		if r.end != 100+int64(len(want)) {
			t.Fatalf("cut %d: end %d, want %d", cut, r.end, 100+len(want))
		}
		if err := r.write([]byte("{\"z\":0}\n"), time.Unix(1700000001, 0)); err != nil {
			t.Fatal(err)
		}
		var got bytes.Buffer
		if err := scanFrames(r.file, 0, func(f frame) error { got.Write(f.payload); return nil }); err != nil {
			t.Fatalf("cut %d: %v", cut, err)
		}
		if got.String() != want+"{\"z\":0}\n" {
			t.Fatalf("cut %d: content %q", cut, got.String())
		}
		r.file.Close()
	}
}

func FuzzRecoverSpool(f *testing.F) {
	dir := f.TempDir()
	s, err := createSpool(dir, 0)
	if err != nil {
		f.Fatal(err)
	}
	_ = s.write([]byte("{}\n"), time.Unix(0, 0))
	s.file.Close()
	seed, _ := os.ReadFile(s.path)
	f.Add(seed)
	f.Add([]byte{0xff, 0xff, 0xff, 0xff})
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "x.spool")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		r, err := recoverSpool(path, 0)
		if err != nil {
			t.Fatal(err) // Garbage is a torn tail, never an error.
		}
		defer r.file.Close()
		info, err := r.file.Stat()
		if err != nil || info.Size() != r.size || r.size > int64(len(data)) {
			t.Fatalf("recovered size %d of %d bytes; file %v", r.size, len(data), info.Size())
		}
	})
}
