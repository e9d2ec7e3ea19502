package sourcefile

import (
	"bytes"
	"encoding/json"
	"errors"
	"strconv"
)

// withMeta returns the record's object with `_meta: {file, offset}` set. Most records have no
// _meta of their own, and for them the property is spliced into the text instead of decoding and
// re-encoding the whole document.
func withMeta(raw []byte, file string, offset int64) ([]byte, error) {
	quotedFile, err := json.Marshal(file)
	if err != nil {
		return nil, err
	}
	// A record mentioning _meta, or escaping characters (which could spell it), takes the slow path.
	if bytes.Contains(raw, []byte("_meta")) || bytes.Contains(raw, []byte(`\u`)) {
		return mergeMeta(raw, quotedFile, offset)
	}
	out := make([]byte, 0, len(raw)+len(quotedFile)+48)
	out = append(out, `{"_meta":{"file":`...)
	out = append(out, quotedFile...)
	out = append(out, `,"offset":`...)
	out = strconv.AppendInt(out, offset, 10)
	out = append(out, '}')
	rest := bytes.TrimSpace(raw[1:]) // raw is an object, so it starts with '{'
	if rest[0] != '}' {
		out = append(out, ',')
	}
	return append(out, rest...), nil
}

func mergeMeta(raw, quotedFile []byte, offset int64) ([]byte, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return nil, err
	}
	meta := map[string]json.RawMessage{}
	if prior, ok := doc["_meta"]; ok {
		if err := json.Unmarshal(prior, &meta); err != nil || meta == nil {
			return nil, errors.New("the record's _meta is not an object: source-file sets _meta/file and _meta/offset in it")
		}
	}
	meta["file"] = quotedFile
	meta["offset"] = json.RawMessage(strconv.FormatInt(offset, 10))
	encoded, err := json.Marshal(meta)
	if err != nil {
		return nil, err
	}
	doc["_meta"] = encoded
	return json.Marshal(doc)
}
