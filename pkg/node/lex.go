package node

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// MaxDepth is encoding/json's nesting limit, so that every decoder accepts the same documents.
const MaxDepth = 10000

// ErrNothing is the error for input that holds only white space.
var ErrNothing = errors.New("expected a JSON value, found nothing")

// Lexer reads JSON's tokens from Data at Pos. It is the one lexer of the module: Arena.Decode and
// doc.Decode both use it, so they accept the same text, read strings the same way (as
// encoding/json does: invalid UTF-8 and lone surrogates become U+FFFD) and word errors alike, with
// byte offsets.
type Lexer struct {
	Data  []byte
	Pos   int
	depth int    // arrays and objects open at Pos
	buf   []byte // a string with escapes or invalid UTF-8, unescaped
}

// Reset starts reading data.
func (l *Lexer) Reset(data []byte) {
	l.Data, l.Pos, l.depth = data, 0, 0
}

// Fail is the error for the byte at Pos (or the end of input) when what was expected.
func (l *Lexer) Fail(what string) error {
	if l.Pos >= len(l.Data) {
		return fmt.Errorf("invalid JSON: unexpected end of input, expected %s", what)
	}
	return fmt.Errorf("invalid JSON: unexpected %q at byte %d, expected %s", l.Data[l.Pos], l.Pos, what)
}

// Start skips leading white space and fails with ErrNothing when there is no value.
func (l *Lexer) Start() error {
	l.SkipSpace()
	if l.Pos == len(l.Data) {
		return ErrNothing
	}
	return nil
}

// Finish fails unless only white space follows the value.
func (l *Lexer) Finish() error {
	l.SkipSpace()
	if l.Pos < len(l.Data) {
		return fmt.Errorf("invalid JSON: unexpected data after the value at byte %d", l.Pos)
	}
	return nil
}

// SkipSpace moves Pos past white space.
func (l *Lexer) SkipSpace() {
	if l.Pos < len(l.Data) && l.Data[l.Pos] > ' ' {
		return // the common case, kept small enough to inline
	}
	l.skipSpace()
}

func (l *Lexer) skipSpace() {
	for l.Pos < len(l.Data) {
		switch l.Data[l.Pos] {
		case ' ', '\t', '\n', '\r':
			l.Pos++
		default:
			return
		}
	}
}

// Enter consumes the opening bracket at Pos and the white space after it, refusing to nest
// deeper than MaxDepth.
func (l *Lexer) Enter() error {
	if l.depth++; l.depth > MaxDepth {
		return fmt.Errorf("invalid JSON: nested deeper than %d arrays and objects at byte %d", MaxDepth, l.Pos)
	}
	l.Pos++
	l.SkipSpace()
	return nil
}

// Next follows an item or property: it consumes white space and a ',' (true, more follow) or the
// closing bracket (false: the container is done).
func (l *Lexer) Next(closing byte) (bool, error) {
	l.SkipSpace()
	if l.Pos < len(l.Data) {
		switch l.Data[l.Pos] {
		case ',':
			l.Pos++
			l.SkipSpace()
			return true, nil
		case closing:
			l.Pos++
			l.depth--
			return false, nil
		}
	}
	if closing == ']' {
		return false, l.Fail("',' or ']'")
	}
	return false, l.Fail("',' or '}'")
}

// Empty consumes the closing bracket of an empty container right after Enter.
func (l *Lexer) Empty(closing byte) bool {
	if l.Pos < len(l.Data) && l.Data[l.Pos] == closing {
		l.Pos++
		l.depth--
		return true
	}
	return false
}

// Name reads a property's name and the ':' after it, with the white space around.
func (l *Lexer) Name() ([]byte, error) {
	if l.Pos >= len(l.Data) || l.Data[l.Pos] != '"' {
		return nil, l.Fail("a string naming a property")
	}
	name, err := l.String()
	if err != nil {
		return nil, err
	}
	l.SkipSpace()
	if l.Pos >= len(l.Data) || l.Data[l.Pos] != ':' {
		return nil, l.Fail("':'")
	}
	l.Pos++
	l.SkipSpace()
	return name, nil
}

// Literal consumes word (true, false or null).
func (l *Lexer) Literal(word string) error {
	if end := l.Pos + len(word); end <= len(l.Data) && string(l.Data[l.Pos:end]) == word {
		l.Pos = end
		return nil
	}
	for i := 0; i < len(word); i++ {
		if l.Pos >= len(l.Data) || l.Data[l.Pos] != word[i] {
			break
		}
		l.Pos++
	}
	return l.Fail(fmt.Sprintf("%q", word))
}

// Number reads a number by JSON's grammar and returns its literal, which aliases Data.
func (l *Lexer) Number() ([]byte, error) {
	start := l.Pos
	if l.Data[l.Pos] == '-' {
		l.Pos++
	}
	switch {
	case l.Pos < len(l.Data) && l.Data[l.Pos] == '0':
		l.Pos++
	case l.digits() == 0:
		return nil, l.Fail("a digit")
	}
	if l.Pos < len(l.Data) && l.Data[l.Pos] == '.' {
		l.Pos++
		if l.digits() == 0 {
			return nil, l.Fail("a digit after the decimal point")
		}
	}
	if l.Pos < len(l.Data) && (l.Data[l.Pos] == 'e' || l.Data[l.Pos] == 'E') {
		l.Pos++
		if l.Pos < len(l.Data) && (l.Data[l.Pos] == '+' || l.Data[l.Pos] == '-') {
			l.Pos++
		}
		if l.digits() == 0 {
			return nil, l.Fail("a digit in the exponent")
		}
	}
	return l.Data[start:l.Pos], nil
}

func (l *Lexer) digits() int {
	start := l.Pos
	for l.Pos < len(l.Data) && '0' <= l.Data[l.Pos] && l.Data[l.Pos] <= '9' {
		l.Pos++
	}
	return l.Pos - start
}

// SWAR constants: a byte-wise test over eight bytes at once.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// plainRun is the length of the prefix of b that a string holds as is: no quote, backslash,
// control character or non-ASCII byte.
func plainRun(b []byte) int {
	i := 0
	for ; i+8 <= len(b); i += 8 {
		w := binary.LittleEndian.Uint64(b[i:])
		quote, backslash := w^(ones*'"'), w^(ones*'\\')
		// A byte below 0x20, a zero byte of quote or backslash, or a high bit. Borrows only
		// flag bytes above the first flagged one, so the lowest flag is exact.
		control := (w - ones*0x20) &^ w
		stop := (control | (quote-ones)&^quote | (backslash-ones)&^backslash | w) & highs
		if stop != 0 {
			return i + bits.TrailingZeros64(stop)/8
		}
	}
	for ; i < len(b); i++ {
		if c := b[i]; c < 0x20 || c == '"' || c == '\\' || c >= utf8.RuneSelf {
			break
		}
	}
	return i
}

// String reads the string that opens at Pos. The result aliases Data or a buffer of the Lexer
// that the next String call overwrites.
func (l *Lexer) String() ([]byte, error) {
	start := l.Pos + 1
	i := start
	for {
		i += plainRun(l.Data[i:])
		if i >= len(l.Data) {
			l.Pos = len(l.Data)
			return nil, l.Fail("'\"' closing the string")
		}
		switch c := l.Data[i]; {
		case c == '"':
			l.Pos = i + 1
			return l.Data[start:i], nil
		case c >= utf8.RuneSelf:
			// Valid UTF-8 is kept as is; anything else needs repair.
			if r, size := utf8.DecodeRune(l.Data[i:]); r != utf8.RuneError || size != 1 {
				i += size
				continue
			}
		}
		l.Pos = i
		return l.unescape(start)
	}
}

// unescape continues a string at Pos, the first byte needing attention, as encoding/json
// unquotes: escapes resolved, surrogate pairs joined, lone surrogates and invalid UTF-8 replaced.
func (l *Lexer) unescape(start int) ([]byte, error) {
	l.buf = append(l.buf[:0], l.Data[start:l.Pos]...)
	for l.Pos < len(l.Data) {
		c := l.Data[l.Pos]
		switch {
		case c == '"':
			l.Pos++
			return l.buf, nil
		case c < 0x20:
			return nil, l.Fail("a character allowed in strings (control characters must be escaped)")
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(l.Data[l.Pos:])
			if r == utf8.RuneError && size == 1 {
				l.buf = utf8.AppendRune(l.buf, unicode.ReplacementChar)
			} else {
				l.buf = append(l.buf, l.Data[l.Pos:l.Pos+size]...)
			}
			l.Pos += size
		case c != '\\':
			run := plainRun(l.Data[l.Pos:])
			l.buf = append(l.buf, l.Data[l.Pos:l.Pos+run]...)
			l.Pos += run
		default:
			if err := l.escape(); err != nil {
				return nil, err
			}
		}
	}
	return nil, l.Fail("'\"' closing the string")
}

var simpleEscapes = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// escape resolves the escape at Pos.
func (l *Lexer) escape() error {
	l.Pos++ // the backslash
	if l.Pos >= len(l.Data) {
		return l.Fail("an escape")
	}
	if c := simpleEscapes[l.Data[l.Pos]]; c != 0 {
		l.buf = append(l.buf, c)
		l.Pos++
		return nil
	}
	if l.Data[l.Pos] != 'u' {
		return l.Fail("an escape (one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")
	}
	r, ok := hex4(l.Data[l.Pos+1:])
	if !ok {
		return l.Fail("four hexadecimal digits after \\u")
	}
	l.Pos += 5
	if utf16.IsSurrogate(r) {
		// A pair joins; a lone half becomes U+FFFD and what follows is read on its own.
		low, ok := rune(-1), false
		if l.Pos+1 < len(l.Data) && l.Data[l.Pos] == '\\' && l.Data[l.Pos+1] == 'u' {
			low, ok = hex4(l.Data[l.Pos+2:])
		}
		if joined := utf16.DecodeRune(r, low); ok && joined != unicode.ReplacementChar {
			r = joined
			l.Pos += 6
		} else {
			r = unicode.ReplacementChar
		}
	}
	l.buf = utf8.AppendRune(l.buf, r)
	return nil
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case '0' <= c && c <= '9':
			c -= '0'
		case 'a' <= c && c <= 'f':
			c -= 'a' - 10
		case 'A' <= c && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}

const hexDigits = "0123456789abcdef"

// AppendString writes s as a JSON string escaped as serde_json escapes: quote, backslash and
// control characters only (no HTML escaping); invalid UTF-8 is written as U+FFFD.
func AppendString(buf []byte, s string) []byte {
	buf = append(buf, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			buf = append(buf, s[start:i]...)
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			case '\b':
				buf = append(buf, '\\', 'b')
			case '\f':
				buf = append(buf, '\\', 'f')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, s[start:i]...)
			buf = append(buf, "\ufffd"...)
			i += size
			start = i
			continue
		}
		i += size
	}
	buf = append(buf, s[start:]...)
	return append(buf, '"')
}
