package connector

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// MaxMessageSize bounds one encoded message, as Flow bounds its gRPC messages (64 MiB).
const MaxMessageSize = 1 << 26

// Encoder writes protocol messages as JSON lines. It does not escape HTML characters, so documents
// keep their bytes.
type Encoder struct {
	w   *bufio.Writer
	enc *json.Encoder
}

// NewEncoder returns an Encoder writing to w. Call Flush to push buffered lines out.
func NewEncoder(w io.Writer) *Encoder {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	return &Encoder{w: bw, enc: enc}
}

// Encode writes msg as one line.
func (e *Encoder) Encode(msg any) error { return e.enc.Encode(msg) }

// Flush writes buffered lines to the underlying writer.
func (e *Encoder) Flush() error { return e.w.Flush() }

// Decoder reads protocol messages from JSON lines, skipping blank lines.
type Decoder struct {
	r *bufio.Reader
}

// NewDecoder returns a Decoder reading from r.
func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: bufio.NewReaderSize(r, 64<<10)} }

// MalformedError is a line that is not a protocol message.
type MalformedError struct {
	Line []byte // the offending line, truncated for display
	Err  error
}

func (e *MalformedError) Error() string {
	return fmt.Sprintf("malformed message %q: %v; expected one JSON protocol message per line", e.Line, e.Err)
}

func (e *MalformedError) Unwrap() error { return e.Err }

// Decode reads the next line into msg. It returns io.EOF at a clean end of input and
// io.ErrUnexpectedEOF when input ends within a line.
func (d *Decoder) Decode(msg any) error {
	for {
		line, unterminated, err := d.readLine()
		if err != nil {
			return err
		}
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if err := json.Unmarshal(line, msg); err != nil {
			if unterminated {
				err = io.ErrUnexpectedEOF // output ended within a message
			}
			return &MalformedError{Line: excerpt(line), Err: err}
		}
		return nil
	}
}

// readLine returns the next line; unterminated is true for a last line without a newline.
func (d *Decoder) readLine() (line []byte, unterminated bool, err error) {
	var long []byte
	for {
		frag, err := d.r.ReadSlice('\n')
		if err == nil && long == nil {
			return frag, false, nil // the common case: a line that fits the buffer, no copy
		}
		long = append(long, frag...)
		if len(long) > MaxMessageSize {
			return nil, false, &MalformedError{Line: excerpt(long), Err: fmt.Errorf("line longer than %d bytes", MaxMessageSize)}
		}
		switch {
		case err == nil:
			return long, false, nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case errors.Is(err, io.EOF) && len(bytes.TrimSpace(long)) == 0:
			return nil, false, io.EOF
		case errors.Is(err, io.EOF):
			return long, true, nil
		default:
			return nil, false, err
		}
	}
}

// excerpt copies at most 200 bytes of b for an error message.
func excerpt(b []byte) []byte {
	const max = 200
	if len(b) > max {
		return append(bytes.Clone(b[:max]), "..."...)
	}
	return bytes.Clone(b)
}
