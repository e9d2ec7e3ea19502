package doc

import (
	"encoding/json"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// number reads a number by JSON's grammar and keeps its text, as UseNumber does.
func (d *decoder) number() (any, error) {
	start := d.pos
	if d.data[d.pos] == '-' {
		d.pos++
	}
	switch {
	case d.pos < len(d.data) && d.data[d.pos] == '0':
		d.pos++
	case d.digits() == 0:
		return nil, d.fail("a digit")
	}
	if d.pos < len(d.data) && d.data[d.pos] == '.' {
		d.pos++
		if d.digits() == 0 {
			return nil, d.fail("a digit after the decimal point")
		}
	}
	if d.pos < len(d.data) && (d.data[d.pos] == 'e' || d.data[d.pos] == 'E') {
		d.pos++
		if d.pos < len(d.data) && (d.data[d.pos] == '+' || d.data[d.pos] == '-') {
			d.pos++
		}
		if d.digits() == 0 {
			return nil, d.fail("a digit in the exponent")
		}
	}
	return json.Number(d.data[start:d.pos]), nil
}

func (d *decoder) digits() int {
	start := d.pos
	for d.pos < len(d.data) && '0' <= d.data[d.pos] && d.data[d.pos] <= '9' {
		d.pos++
	}
	return d.pos - start
}

// str reads a string; object keys (isKey) are interned.
func (d *decoder) str(isKey bool) (any, error) {
	start := d.pos + 1
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			d.pos = i + 1
			return d.finishString(d.data[start:i], isKey), nil
		case c == '\\' || c < 0x20 || c >= utf8.RuneSelf:
			d.pos = i
			return d.unescape(start, isKey)
		}
	}
	d.pos = len(d.data)
	return nil, d.fail("'\"' closing the string")
}

func (d *decoder) finishString(b []byte, isKey bool) string {
	if !isKey || len(b) > maxInternSize {
		return string(b)
	}
	if s, ok := d.keys[string(b)]; ok {
		return s
	}
	s := string(b)
	if len(d.keys) < maxInterned {
		d.keys[s] = s
	}
	return s
}

// unescape continues a string at d.pos, the first byte needing attention, as encoding/json
// unquotes: escapes resolved, surrogate pairs joined, lone surrogates and invalid UTF-8 replaced.
func (d *decoder) unescape(start int, isKey bool) (any, error) {
	d.buf = append(d.buf[:0], d.data[start:d.pos]...)
	for d.pos < len(d.data) {
		c := d.data[d.pos]
		switch {
		case c == '"':
			d.pos++
			return d.finishString(d.buf, isKey), nil
		case c < 0x20:
			return nil, d.fail("a character allowed in strings (control characters must be escaped)")
		case c >= utf8.RuneSelf:
			r, size := utf8.DecodeRune(d.data[d.pos:])
			if r == utf8.RuneError && size == 1 {
				d.buf = utf8.AppendRune(d.buf, unicode.ReplacementChar)
			} else {
				d.buf = append(d.buf, d.data[d.pos:d.pos+size]...)
			}
			d.pos += size
		case c != '\\':
			d.buf = append(d.buf, c)
			d.pos++
		default:
			if err := d.escape(); err != nil {
				return nil, err
			}
		}
	}
	return nil, d.fail("'\"' closing the string")
}

var simpleEscapes = [256]byte{'"': '"', '\\': '\\', '/': '/', 'b': '\b', 'f': '\f', 'n': '\n', 'r': '\r', 't': '\t'}

// escape resolves the escape at d.pos.
func (d *decoder) escape() error {
	d.pos++ // the backslash
	if d.pos >= len(d.data) {
		return d.fail("an escape")
	}
	if c := simpleEscapes[d.data[d.pos]]; c != 0 {
		d.buf = append(d.buf, c)
		d.pos++
		return nil
	}
	if d.data[d.pos] != 'u' {
		return d.fail("an escape (one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX)")
	}
	r, ok := hex4(d.data[d.pos+1:])
	if !ok {
		return d.fail("four hexadecimal digits after \\u")
	}
	d.pos += 5
	if utf16.IsSurrogate(r) {
		// A pair joins; a lone half becomes U+FFFD and what follows is read on its own.
		low, ok := rune(-1), false
		if d.pos+1 < len(d.data) && d.data[d.pos] == '\\' && d.data[d.pos+1] == 'u' {
			low, ok = hex4(d.data[d.pos+2:])
		}
		if joined := utf16.DecodeRune(r, low); ok && joined != unicode.ReplacementChar {
			r = joined
			d.pos += 6
		} else {
			r = unicode.ReplacementChar
		}
	}
	d.buf = utf8.AppendRune(d.buf, r)
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
