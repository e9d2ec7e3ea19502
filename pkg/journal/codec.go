package journal

import (
	"fmt"
	"io"

	"github.com/klauspost/compress/gzip"
)

// Codec is a fragment compression codec, named as in Flow's journals.fragments.compressionCodec.
type Codec string

// Codecs Gazette defines. The local store writes and reads GZIP and NONE; the others name fragments
// written elsewhere and are refused with an error until they are implemented.
const (
	CodecNone        Codec = "NONE"
	CodecGzip        Codec = "GZIP"
	CodecZstandard   Codec = "ZSTANDARD"
	CodecSnappy      Codec = "SNAPPY"
	CodecGzipOffload Codec = "GZIP_OFFLOAD_DECOMPRESSION"
)

// Extension is the file extension Gazette gives fragments of the codec.
func (c Codec) Extension() string {
	switch c {
	case CodecNone:
		return ".raw"
	case CodecGzip:
		return ".gz"
	case CodecZstandard:
		return ".zst"
	case CodecSnappy:
		return ".sz"
	}
	return ""
}

// CodecForExtension maps a fragment file extension (with its dot) to its codec, accepting Gazette's
// alternate spellings.
func CodecForExtension(ext string) (Codec, error) {
	switch ext {
	case ".raw":
		return CodecNone, nil
	case ".gz", ".gzip":
		return CodecGzip, nil
	case ".zst", ".zstandard":
		return CodecZstandard, nil
	case ".sz", ".snappy":
		return CodecSnappy, nil
	case ".gzod":
		return CodecGzipOffload, nil
	}
	return "", fmt.Errorf("unknown fragment extension %q (expected .gz, .raw, .zst, .sz or .gzod)", ext)
}

// ParseCodec checks a compressionCodec of a collection's fragment template; empty means GZIP, Flow's default.
func ParseCodec(name string) (Codec, error) {
	switch c := Codec(name); c {
	case "":
		return CodecGzip, nil
	case CodecGzip, CodecNone:
		return c, nil
	case CodecZstandard, CodecSnappy, CodecGzipOffload:
		return "", fmt.Errorf("compressionCodec %s is not supported by the local store yet: use GZIP (the default) or NONE", name)
	}
	return "", fmt.Errorf("unknown compressionCodec %q: use GZIP (the default) or NONE", name)
}

// compressor returns a writer that encodes into w, and must be closed to flush.
func (c Codec) compressor(w io.Writer) (io.WriteCloser, error) {
	switch c {
	case CodecNone:
		return nopCloser{w}, nil
	case CodecGzip:
		return gzip.NewWriter(w), nil
	}
	return nil, fmt.Errorf("writing %s fragments is not supported yet", c)
}

// decompressor returns a reader of the uncompressed content of r.
func (c Codec) decompressor(r io.Reader) (io.ReadCloser, error) {
	switch c {
	case CodecNone:
		return io.NopCloser(r), nil
	case CodecGzip:
		zr, err := gzip.NewReader(r) // Reads concatenated gzip members, as Gazette writes them.
		if err != nil {
			return nil, fmt.Errorf("opening gzip fragment: %w", err)
		}
		return zr, nil
	}
	return nil, fmt.Errorf("reading %s fragments is not supported yet", c)
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }
